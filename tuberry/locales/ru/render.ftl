# Сообщения Avito в темах Telegram (tuberry/domain/render.py) и карточка диалога.
# Аргументы — текст покупателя как есть; отправлять без parse_mode.

## Текст

render-text = { $text }
render-text-empty = (пустое сообщение)

## Фото и голосовые

# Подпись к фото. $url — ссылка на самое большое изображение.
render-image = 📷 Фото
# Если Telegram не смог загрузить фото по ссылке.
render-image-fallback = 📷 Фото: { $url }
render-image-missing = 📷 Фото — Avito не передал ссылку, посмотрите в приложении Avito
render-voice = 🎤 Голосовое сообщение
render-voice-missing = 🎤 Голосовое сообщение — послушать можно в приложении Avito

## Ссылки и объявления

render-link = 🔗 { $url }
render-link-titled =
    🔗 { $title }
    { $url }
render-link-preview =
    🔗 { $title }
    { $description }
    { $url }
render-item =
    🔗 Объявление: { $title }
    { $url }
render-item-price =
    🔗 Объявление: { $title }, { $price }
    { $url }

## Геометки. $lat и $lon — строки с точкой («55.599799»), $map — ссылка на Яндекс Карты.

render-location =
    📍 { $address }
    { $map }
render-location-point =
    📍 Геометка: { $lat }, { $lon }
    { $map }
render-location-address = 📍 { $address }
render-location-unknown = 📍 Геометка — Avito не передал координаты

## Звонки

render-call-missed = 📞 Пропущенный звонок
render-call-status = 📞 Звонок: { $status }
render-call = 📞 Звонок

## Служебные сообщения Avito (чат-боты Avito). $flow — идентификатор чат-бота.

render-system = 🤖 Авито: { $text }
render-system-flow = 🤖 Авито: служебное сообщение ({ $flow })
render-system-empty = 🤖 Авито: служебное сообщение

## Удалённые и неподдерживаемые

render-deleted = 🗑 Сообщение удалено
render-file = 📎 Файл — Avito API не передаёт файлы, откройте чат в приложении Avito
render-video = 📎 Видео — Avito API не передаёт видео, откройте чат в приложении Avito
render-app-call = 📞 Звонок через Avito — подробности есть только в приложении Avito
render-unknown = Сообщение типа «{ $type }» — Tuberry пока не умеет его показывать. Откройте чат в приложении Avito.
render-broken = Не удалось показать сообщение типа «{ $type }». Откройте чат в приложении Avito.

## Приставки

# Над ответом покупателя на конкретное сообщение. $text — начало цитаты.
render-quote = ↩ В ответ на: { $text }
# Над сообщением, которое продавец написал в приложении Avito, а не через Tuberry.
render-from-app = Отправлено из приложения Avito:
# Копия автоответа в теме.
render-auto-reply =
    Отправлен автоответ:
    { $text }

# Над каждым из нескольких сообщений покупателя, отправленных одним сообщением Telegram (лимит группы исчерпан).
# $time: 14:05 или 02.12 14:05 для другого дня; $sender: имя покупателя.
render-part-header = 🕓 { $time } · { $sender }
# $sender, когда у покупателя нет имени.
render-part-buyer = Покупатель

## Карточка диалога (первое сообщение темы, закрепляется)

render-card-item = Объявление: { $value }
render-card-price = Цена: { $value }
render-card-link = Ссылка: { $value }
render-card-buyer = Покупатель: { $value }

## Когда откроемся — значение переменной {next_open} в автоответе:
## «Мы ответим {next_open}» → «Мы ответим завтра в 09:00».
## $when: today, tomorrow, week, never; $weekday: 0 — понедельник … 6 — воскресенье.

render-next-open =
    { $when ->
        [today] сегодня в { $time }
        [tomorrow] завтра в { $time }
        [never] позже
       *[week]
            { $weekday ->
                [0] в понедельник
                [1] во вторник
                [2] в среду
                [3] в четверг
                [4] в пятницу
                [5] в субботу
               *[6] в воскресенье
            } в { $time }
    }
