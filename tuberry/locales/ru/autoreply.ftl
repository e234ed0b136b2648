# Экран «Автоответ» в кабинете (tuberry/bot/master/dialogs/autoreply.py).
# Значения от пользователя ($text, $zone, $variable) уже экранированы для HTML.

# Текст по умолчанию, пока владелец не написал свой. {next_open} — переменная автоответа, не Fluent.
ar-default-text = Здравствуйте! Сейчас мы не на связи. Ответим {"{next_open}"}.

## Главное окно

ar-main =
    <b>Автоответ</b>
    Отвечает покупателям на Авито, когда вы не на связи.

    Статус: { $enabled ->
        [yes] ✅ включён
       *[no] ⏸ выключен
    }
    Режим: { $mode ->
        [always] всегда — на любое сообщение, не чаще раза в сутки в одном чате
       *[schedule] по расписанию — вне рабочих часов, один раз за нерабочее время в одном чате
    }
    Часы работы: { $summary }{ $is_always ->
        [yes] {" "}(в режиме «всегда» не учитываются)
       *[no] {""}
    }
    Часовой пояс: { $zone }, там сейчас { $local_time }
ar-main-text =
    Текст:
    <blockquote>{ $text }</blockquote>

# $answer: yes или no; $why — одна из причин ar-why-*.
ar-preview = { $answer ->
        [yes] <b>Сейчас: ответили бы</b>
       *[no] <b>Сейчас: не ответили бы</b>
    } — { $why }.
ar-preview-change = Следующее изменение: { $moment }.
ar-why-send-schedule = нерабочее время
ar-why-send-always = включён режим «всегда»
ar-why-disabled = автоответ выключен
ar-why-open_hours = рабочее время, отвечают менеджеры
ar-why-empty_text = текст пустой
ar-why-no_schedule = не заданы часы работы

# Момент в часовом поясе расписания. $when: today, tomorrow, week (в ближайшие 6 дней), far (через неделю);
# $weekday: 0 — понедельник; $date — ДД.ММ.
ar-moment = { $when ->
        [today] сегодня в { $time }
        [tomorrow] завтра в { $time }
        [far] { ar-weekday-abbr } { $date } в { $time }
       *[week] { ar-weekday-abbr } { $time }
    }
ar-weekday-abbr = { $weekday ->
        [0] пн
        [1] вт
        [2] ср
        [3] чт
        [4] пт
        [5] сб
       *[6] вс
    }

ar-btn-on = ▶️ Включить
ar-btn-off = ⏸ Выключить
ar-btn-schedule = { $is_schedule ->
        [yes] 🔘
       *[no] ⚪
    } По расписанию
ar-btn-always = { $is_always ->
        [yes] 🔘
       *[no] ⚪
    } Всегда
ar-btn-hours = 🕘 Часы работы
ar-btn-zone = 🌍 Часовой пояс
ar-btn-text = ✏️ Текст

## Дни недели

ar-day-short = { $weekday ->
        [0] Пн
        [1] Вт
        [2] Ср
        [3] Чт
        [4] Пт
        [5] Сб
       *[6] Вс
    }
ar-day-name = { $weekday ->
        [0] Понедельник
        [1] Вторник
        [2] Среда
        [3] Четверг
        [4] Пятница
        [5] Суббота
       *[6] Воскресенье
    }
ar-day-off = выходной

## Часы работы

ar-hours-title =
    <b>Часы работы</b>
    { $summary }
    Часовой пояс: { $zone }

    Нажмите на день, чтобы изменить его часы, или «Одинаково по будням», чтобы задать Пн–Пт разом.
ar-btn-weekdays = 📅 Одинаково по будням
ar-weekdays-prompt =
    <b>Одинаково по будням</b>
    Пришлите часы работы для понедельника–пятницы, например <code>9-18</code> или <code>09:00-18:00</code>.
    Суббота и воскресенье станут выходными; потом любой день можно изменить отдельно.
ar-day-prompt =
    <b>{ ar-day-name }</b>: { $hours }

    Пришлите новые часы, например <code>09:00-18:00</code> или <code>9-18</code>.
    Можно через полночь: <code>20:00-02:00</code> — с вечера этого дня до утра следующего.
    Или нажмите «Выходной».
ar-btn-day-off = 💤 Выходной
ar-saved-day = ✅ { ar-day-name }: { $hours }{ $overnight ->
        [yes] {" "}(до утра следующего дня)
       *[no] {""}
    }
ar-saved-weekdays = ✅ Пн–Пт { $hours }, Сб и Вс — выходные. Любой день можно изменить отдельно.
ar-error-hours-format = ❌ Не получилось прочитать часы «{ $text }». Напишите начало и конец, например <code>09:00-18:00</code> или <code>9-18</code>; через полночь — <code>20:00-02:00</code>.
ar-error-hours-same_start_end = ❌ Начало и конец совпадают ({ $text }) — непонятно, открыты вы весь день или закрыты. Если отвечаете круглосуточно, автоответ по расписанию не нужен; для выходного нажмите «Выходной».
ar-error-not-text = ❌ Пришлите это обычным текстовым сообщением.

## Часовой пояс

# Города в кнопках выбора часового пояса.
ar-city = { $city ->
        [kaliningrad] Калининград
        [moscow] Москва
        [samara] Самара
        [yekaterinburg] Екатеринбург
        [omsk] Омск
        [novosibirsk] Новосибирск
        [krasnoyarsk] Красноярск
        [irkutsk] Иркутск
        [yakutsk] Якутск
        [vladivostok] Владивосток
        [magadan] Магадан
       *[kamchatka] Камчатка
    }
ar-zone-title =
    <b>Часовой пояс</b>
    Сейчас: { $zone }

    Выберите город или пришлите название часового пояса, например <code>Asia/Yekaterinburg</code> или <code>Europe/Istanbul</code>.
ar-error-zone = ❌ Не знаю часового пояса «{ $text }». Нужно название из базы IANA в виде <code>Часть_света/Город</code>, например <code>Europe/Moscow</code> или <code>Asia/Yekaterinburg</code>, — или выберите город кнопкой.
ar-saved-zone = ✅ Часовой пояс: { $zone }

## Текст

ar-text-title =
    <b>Текст автоответа</b>
    Пришлите новый текст — до { $limit } символов (ограничение Авито). В текст можно вставить:
    <code>{"{item_title}"}</code> — название объявления;
    <code>{"{buyer_name}"}</code> — имя покупателя;
    <code>{"{next_open}"}</code> — когда вы снова на связи, например «{ $next_open_example }».
    Чтобы написать саму фигурную скобку, удвойте её: <code>{"{{"}</code> или <code>{"}}"}</code>.
ar-text-current =
    Сейчас:
    <blockquote>{ $text }</blockquote>
ar-text-sample =
    Так его увидит покупатель:
    <blockquote>{ $sample }</blockquote>
ar-sample-item = iPhone 13, 128 ГБ
ar-sample-buyer = Анна
ar-text-rejected = ❌ Текст не сохранён:
ar-problem-empty = текст пустой — напишите, что ответить покупателю.
ar-problem-unknown_variable = неизвестная переменная <code>{"{"}{ $variable }{"}"}</code>. Можно использовать только {"{item_title}"}, {"{buyer_name}"} и {"{next_open}"}.
ar-problem-unbalanced_braces = фигурная скобка без пары (символ { $position }). Переменная пишется в скобках с двух сторон, например {"{buyer_name}"}; саму скобку удвойте: {"{{"} или {"}}"}.
ar-problem-too_long = слишком длинный текст: с подставленными значениями выйдет до { $length } символов, а Авито принимает не больше { $limit }. Сократите примерно на { $over }.
ar-saved-text = ✅ Текст автоответа сохранён.
