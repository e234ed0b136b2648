# Тексты моста Avito ↔ Telegram в темах группы продавца.

bridge-topic-fallback = Диалог Авито
bridge-undeliverable =
    ⚠️ Telegram не принял вложение, показываем текстом:
    { $body }
bridge-only-text-and-images = Авито принимает только текст и изображения — это сообщение не отправлено.
bridge-send-failed = ❌ Не доставлено в Авито: { $reason }
bridge-send-failed-access = у ключа нет доступа к Мессенджеру Авито (нужен основной аккаунт компании и тариф с Мессенджером).
bridge-send-failed-rejected = Авито отклонил сообщение ({ $detail }).
bridge-send-failed-unavailable = Авито долго не отвечает; попробуйте отправить ещё раз позже.
client-getid = ID чата: <code>{ $chat }</code>
client-getid-topic =
    ID чата: <code>{ $chat }</code>
    ID темы: <code>{ $thread }</code>
