# The "Auto-reply" screen of the cabinet (tuberry/bot/master/dialogs/autoreply.py).
# User values ($text, $zone, $variable) arrive HTML-escaped.

# The text until the owner writes their own. {next_open} is an auto-reply variable, not Fluent.
ar-default-text = Hello! We are away right now. We will answer {"{next_open}"}.

## Main window

ar-main =
    <b>Auto-reply</b>
    Answers buyers on Avito while you are away.

    Status: { $enabled ->
        [yes] ✅ on
       *[no] ⏸ off
    }
    Mode: { $mode ->
        [always] always — any message, at most once a day per chat
       *[schedule] on a schedule — outside working hours, once per off-hours period per chat
    }
    Working hours: { $summary }{ $is_always ->
        [yes] {" "}(not used in “always” mode)
       *[no] {""}
    }
    Time zone: { $zone }, local time { $local_time }
ar-main-text =
    Text:
    <blockquote>{ $text }</blockquote>

# $answer: yes or no; $why is one of the ar-why-* reasons.
ar-preview = { $answer ->
        [yes] <b>Now: would answer</b>
       *[no] <b>Now: would not answer</b>
    } — { $why }.
ar-preview-change = Next change: { $moment }.
ar-why-send-schedule = outside working hours
ar-why-send-always = “always” mode is on
ar-why-disabled = auto-reply is off
ar-why-open_hours = working hours, managers answer
ar-why-empty_text = the text is empty
ar-why-no_schedule = no working hours set

# A moment in the schedule's time zone. $when: today, tomorrow, week (within 6 days), far (a week ahead);
# $weekday: 0 is Monday; $date is DD.MM.
ar-moment = { $when ->
        [today] today at { $time }
        [tomorrow] tomorrow at { $time }
        [far] { ar-weekday-abbr } { $date } at { $time }
       *[week] { ar-weekday-abbr } { $time }
    }
ar-weekday-abbr = { $weekday ->
        [0] Mon
        [1] Tue
        [2] Wed
        [3] Thu
        [4] Fri
        [5] Sat
       *[6] Sun
    }

ar-btn-on = ▶️ Turn on
ar-btn-off = ⏸ Turn off
ar-btn-schedule = { $is_schedule ->
        [yes] 🔘
       *[no] ⚪
    } On a schedule
ar-btn-always = { $is_always ->
        [yes] 🔘
       *[no] ⚪
    } Always
ar-btn-hours = 🕘 Working hours
ar-btn-zone = 🌍 Time zone
ar-btn-text = ✏️ Text

## Weekdays

ar-day-short = { $weekday ->
        [0] Mon
        [1] Tue
        [2] Wed
        [3] Thu
        [4] Fri
        [5] Sat
       *[6] Sun
    }
ar-day-name = { $weekday ->
        [0] Monday
        [1] Tuesday
        [2] Wednesday
        [3] Thursday
        [4] Friday
        [5] Saturday
       *[6] Sunday
    }
ar-day-off = day off

## Working hours

ar-hours-title =
    <b>Working hours</b>
    { $summary }
    Time zone: { $zone }

    Tap a day to change its hours, or “Same every weekday” to set Mon–Fri at once.
ar-btn-weekdays = 📅 Same every weekday
ar-weekdays-prompt =
    <b>Same every weekday</b>
    Send the working hours for Monday to Friday, e.g. <code>9-18</code> or <code>09:00-18:00</code>.
    Saturday and Sunday become days off; you can change any day on its own afterwards.
ar-day-prompt =
    <b>{ ar-day-name }</b>: { $hours }

    Send the new hours, e.g. <code>09:00-18:00</code> or <code>9-18</code>.
    Over midnight works too: <code>20:00-02:00</code> means from this evening until the next morning.
    Or tap “Day off”.
ar-btn-day-off = 💤 Day off
ar-saved-day = ✅ { ar-day-name }: { $hours }{ $overnight ->
        [yes] {" "}(until the next morning)
       *[no] {""}
    }
ar-saved-weekdays = ✅ Mon–Fri { $hours }, Sat and Sun off. You can change any day on its own.
ar-error-hours-format = ❌ Could not read the hours “{ $text }”. Write a start and an end, e.g. <code>09:00-18:00</code> or <code>9-18</code>; over midnight: <code>20:00-02:00</code>.
ar-error-hours-same_start_end = ❌ The start and the end are the same ({ $text }), so it is unclear whether you are open all day or closed. If you answer round the clock you need no schedule; for a day off tap “Day off”.
ar-error-not-text = ❌ Please send this as a plain text message.

## Time zone

# Cities on the time zone buttons.
ar-city = { $city ->
        [kaliningrad] Kaliningrad
        [moscow] Moscow
        [samara] Samara
        [yekaterinburg] Yekaterinburg
        [omsk] Omsk
        [novosibirsk] Novosibirsk
        [krasnoyarsk] Krasnoyarsk
        [irkutsk] Irkutsk
        [yakutsk] Yakutsk
        [vladivostok] Vladivostok
        [magadan] Magadan
       *[kamchatka] Kamchatka
    }
ar-zone-title =
    <b>Time zone</b>
    Now: { $zone }

    Pick a city or send a time zone name, e.g. <code>Asia/Yekaterinburg</code> or <code>Europe/Istanbul</code>.
ar-error-zone = ❌ Unknown time zone “{ $text }”. Send an IANA name like <code>Region/City</code>, e.g. <code>Europe/Moscow</code> or <code>Asia/Yekaterinburg</code>, or pick a city button.
ar-saved-zone = ✅ Time zone: { $zone }

## Text

ar-text-title =
    <b>Auto-reply text</b>
    Send a new text of up to { $limit } characters (Avito's limit). You can insert:
    <code>{"{item_title}"}</code> — the listing's title;
    <code>{"{buyer_name}"}</code> — the buyer's name;
    <code>{"{next_open}"}</code> — when you are back, e.g. “{ $next_open_example }”.
    To write a brace itself, double it: <code>{"{{"}</code> or <code>{"}}"}</code>.
ar-text-current =
    Now:
    <blockquote>{ $text }</blockquote>
ar-text-sample =
    What a buyer will see:
    <blockquote>{ $sample }</blockquote>
ar-sample-item = iPhone 13, 128 GB
ar-sample-buyer = Anna
ar-text-rejected = ❌ The text was not saved:
ar-problem-empty = the text is empty — write what the buyer should get.
ar-problem-unknown_variable = unknown variable <code>{"{"}{ $variable }{"}"}</code>. Only {"{item_title}"}, {"{buyer_name}"} and {"{next_open}"} can be used.
ar-problem-unbalanced_braces = a brace without its pair (character { $position }). A variable has braces on both sides, e.g. {"{buyer_name}"}; double a brace to write it: {"{{"} or {"}}"}.
ar-problem-too_long = too long: with the values filled in it may reach { $length } characters, and Avito accepts at most { $limit }. Cut about { $over }.
ar-saved-text = ✅ Auto-reply text saved.
