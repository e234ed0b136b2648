# Кабинет: быстрые ответы (шаблоны для менеджеров).

menu-quick-replies = ⚡ Быстрые ответы
qr-title =
    <b>⚡ Быстрые ответы</b>
    Готовые ответы для менеджеров. В теме покупателя: <code>/q название</code> или @имя_бота и слово из названия — ответ уйдёт покупателю с подставленными данными. Для выбора через @бота включите ему inline-режим в @BotFather (/setinline).
qr-empty = Пока ни одного. Нажмите «Добавить».
qr-btn-add = ➕ Добавить
qr-btn-edit = ✏️ Изменить текст
qr-btn-delete = 🗑 Удалить
qr-ask-title = Как назвать ответ? Коротко, например <code>адрес</code> или <code>доставка</code> (до { $limit } символов).
qr-ask-text =
    Текст ответа «{ $title }». Можно подставить:
    {"{buyer_name}"} — имя покупателя, {"{item_title}"} — объявление, {"{item_price}"} — цена, {"{item_url}"} — ссылка на объявление, {"{next_open}"} — когда вы снова на связи.
qr-ask-new-text =
    Новый текст ответа «{ $title }». Сейчас:
    { $text }
qr-card =
    <b>«{ $title }»</b>
    { $text }
qr-added = ✅ Ответ «{ $title }» добавлен.
qr-saved = ✅ Текст сохранён.
qr-deleted = ✅ Ответ удалён.
qr-delete-confirm = Удалить ответ «{ $title }»?
qr-delete-yes = Удалить
qr-error-not-text = ❌ Нужен текст.
qr-title-empty = ❌ Название пустое — напишите пару слов.
qr-title-too_long = ❌ Слишком длинное название: не больше { $limit } символов.
qr-title-duplicate = ❌ Ответ с таким названием уже есть — выберите другое.
qr-text-rejected = ❌ Текст не сохранён:
qr-problem-empty = текст пустой — напишите, что ответить покупателю.
qr-problem-unknown_variable = неизвестная переменная <code>{"{"}{ $variable }{"}"}</code>. Можно: {"{buyer_name}"}, {"{item_title}"}, {"{item_price}"}, {"{item_url}"}, {"{next_open}"}.
qr-problem-unbalanced_braces = фигурная скобка без пары (символ { $position }). Саму скобку удвойте: {"{{"} или {"}}"}.
qr-problem-too_long = слишком длинный текст: с подставленными значениями выйдет до { $length } символов, а Авито принимает не больше { $limit }.
