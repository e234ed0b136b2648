"""The Auto-reply screen, walked as an owner would in Russian and in English: defaults, on/off, mode,
working hours, time zone, text and the "would we answer now" line, each change read back from the
database (as the auto_reply job reads it) and kept to the caller's own workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tuberry.app.autoreply_settings import default_text_of, settings_of
from tuberry.app.i18n import LANGUAGES, translator
from tuberry.domain.autoreply import AutoReplyRules, preview
from tuberry.domain.hours import parse_hours
from tuberry.domain.schedule import Schedule, next_open
from tuberry.domain.template import next_open_args
from tuberry.storage.models import AuditEntry, Workspace

SEP = "\x1d"  # aiogram-dialog callback data: "<intent id><SEP><widget id>:<item id>"


@pytest.fixture(params=LANGUAGES)
def owner_language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def owner(cabinet: Cabinet, language: str, name: str = "Анна") -> Person:
    person = cabinet.user(name, language)
    await person.menu("Автоответ", "Auto-reply")
    return person


async def workspace(cabinet: Cabinet, person: Person) -> Workspace:
    async with cabinet.db.session() as session:
        row = await session.scalar(select(Workspace).where(Workspace.owner_telegram_id == person.id))
    assert row is not None
    return row


async def audit(cabinet: Cabinet, person: Person) -> list[tuple[str, dict[str, Any]]]:
    row = await workspace(cabinet, person)
    async with cabinet.db.session() as session:
        entries = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == row.id, AuditEntry.action.like("autoreply.%"))
            .order_by(AuditEntry.id)
        )
        return [(entry.action, entry.details) for entry in entries]


def rules_of(row: Workspace) -> AutoReplyRules:
    """The stored rules as the auto_reply job reads them (the screen reads the same: test_autoreply_rules)."""
    return settings_of(row, default_text_of(translator("ru"))).rules


def shown_answer(person: Person) -> bool:
    text = person.text()
    if person.says("Сейчас: не ответили бы", "Now: would not answer") in text:
        return False
    assert person.says("Сейчас: ответили бы", "Now: would answer") in text, text
    return True


async def press_and_check_preview(cabinet: Cabinet, person: Person, label: str) -> None:
    """Press a button; the preview line agrees with the stored rules at some moment of the press."""
    before = datetime.now(UTC)
    await person.press(label)
    after = datetime.now(UTC)
    rules = rules_of(await workspace(cabinet, person))
    expected = {preview(rules, before).would_answer, preview(rules, after).would_answer}
    assert shown_answer(person) in expected, person.text()
    change = preview(rules, after).next_change
    if len(expected) == 1 and change is not None and rules.enabled:
        assert f"{change.hour:02d}:{change.minute:02d}" in person.text().rsplit("\n", 1)[-1]


async def test_defaults_are_shown_and_nothing_is_stored(cabinet: Cabinet, owner_language: str) -> None:
    anna = await owner(cabinet, owner_language)
    text = anna.text()
    assert anna.says("Автоответ", "Auto-reply") in text
    assert anna.says("выключен", "off") in text
    assert anna.says("по расписанию", "on a schedule") in text
    assert anna.says("Пн–Пт 09:00–18:00, Сб–Вс выходной", "Mon–Fri 09:00–18:00, Sat–Sun day off") in text
    assert "Europe/Moscow" in text and anna.says("Москва", "Moscow") in text
    assert anna.says("Ответим {next_open}", "We will answer {next_open}") in text
    assert not shown_answer(anna)
    assert anna.says("автоответ выключен", "auto-reply is off") in text

    row = await workspace(cabinet, anna)
    assert (row.auto_reply_enabled, row.auto_reply_schedule, row.auto_reply_text) == (False, None, "")
    # Pressing the mode already chosen changes nothing, so nothing is stored either.
    await anna.press(anna.says("По расписанию", "On a schedule"))
    assert (await workspace(cabinet, anna)).auto_reply_schedule is None
    assert await audit(cabinet, anna) == []

    await anna.press(anna.says("Назад", "Back"))
    assert anna.says("Tuberry — кабинет", "Tuberry — cabinet") in anna.text()


async def test_on_off_and_mode_are_saved_and_the_preview_follows(
    cabinet: Cabinet, owner_language: str
) -> None:
    anna = await owner(cabinet, owner_language)
    t = translator(owner_language)

    await press_and_check_preview(cabinet, anna, anna.says("Включить", "Turn on"))
    row = await workspace(cabinet, anna)
    assert row.auto_reply_enabled and row.auto_reply_mode == "schedule"
    # Turning on stores the defaults the owner saw, in the owner's language.
    assert Schedule.from_dict(row.auto_reply_schedule or {}) == Schedule.uniform(
        "Europe/Moscow", parse_hours("9-18")
    )
    assert row.auto_reply_text == t("ar-default-text")
    assert anna.says("Статус: ✅ включён", "Status: ✅ on") in anna.text()

    await press_and_check_preview(cabinet, anna, anna.says("Всегда", "Always"))
    assert (await workspace(cabinet, anna)).auto_reply_mode == "always"
    assert shown_answer(anna)  # always mode, switched on: a buyer writing now gets an answer
    assert anna.says("режим «всегда»", "“always” mode is on") in anna.text()

    await press_and_check_preview(cabinet, anna, anna.says("По расписанию", "On a schedule"))
    assert (await workspace(cabinet, anna)).auto_reply_mode == "schedule"

    await press_and_check_preview(cabinet, anna, anna.says("Выключить", "Turn off"))
    assert not (await workspace(cabinet, anna)).auto_reply_enabled
    assert not shown_answer(anna)

    actions = [action for action, _ in await audit(cabinet, anna)]
    assert actions == ["autoreply.enable", "autoreply.mode", "autoreply.mode", "autoreply.disable"]


async def test_working_hours_per_day_and_the_weekday_shortcut(cabinet: Cabinet, owner_language: str) -> None:
    anna = await owner(cabinet, owner_language)
    says = anna.says
    await anna.press(says("Часы работы", "Working hours"))
    await anna.press(says("Пн", "Mon"))
    await anna.send("10:00-19:00")
    assert says("Пн 10:00–19:00, Вт–Пт 09:00–18:00", "Mon 10:00–19:00, Tue–Fri 09:00–18:00") in anna.text()

    await anna.press(says("Одинаково по будням", "Same every weekday"))
    await anna.send("9-18")
    await anna.press(says("Назад", "Back"))
    assert says("Пн–Пт 09:00–18:00, Сб–Вс выходной", "Mon–Fri 09:00–18:00, Sat–Sun day off") in anna.text()

    await anna.press(says("Часы работы", "Working hours"))
    await anna.press(says("Пт", "Fri"))
    await anna.send("20:00-02:00")  # over midnight
    assert says("до утра следующего дня", "until the next morning") in anna.text()
    assert says("Пт 20:00–02:00", "Fri 20:00–02:00") in anna.text()
    stored = (await workspace(cabinet, anna)).auto_reply_schedule
    assert stored is not None and stored["days"][4] == ["20:00", "02:00"]

    await anna.press(says("Сб", "Sat"))
    await anna.send("18-18")
    assert says("Начало и конец совпадают", "The start and the end are the same") in anna.text()
    await anna.send("с утра и до победного")
    assert says("Не получилось прочитать часы", "Could not read the hours") in anna.text()
    assert (await workspace(cabinet, anna)).auto_reply_schedule == stored  # refused input changes nothing
    await anna.send("10-16")  # still on Saturday's screen after the refusals
    await anna.press(says("Вт", "Tue"))
    await anna.press(says("Выходной", "Day off"))
    await anna.press(says("Ср", "Wed"))
    await anna.send("9-24")  # until midnight, not into the next morning
    assert says("Среда: 09:00–24:00", "Wednesday: 09:00–24:00") in anna.text()
    assert says("до утра", "next morning") not in anna.text()
    await anna.press(says("Назад", "Back"))

    text = anna.text()
    assert (
        says("Пн 09:00–18:00, Вт выходной, Ср 09:00–24:00, Чт 09:00–18:00", "Mon 09:00–18:00, Tue day off")
        in text
    )
    assert says("Пт 20:00–02:00, Сб 10:00–16:00, Вс выходной", "Fri 20:00–02:00, Sat 10:00–16:00") in text
    schedule = rules_of(await workspace(cabinet, anna)).schedule
    assert schedule == Schedule.parse(
        "Europe/Moscow", ["09:00-18:00", None, "9-24", "9-18", "20:00-02:00", "10-16", None]
    )
    details = [details for action, details in await audit(cabinet, anna) if action == "autoreply.hours"]
    assert [d["day"] for d in details] == [0, "mon-fri", 4, 5, 1, 2]


async def test_time_zone_by_button_and_typed(cabinet: Cabinet, owner_language: str) -> None:
    anna = await owner(cabinet, owner_language)
    says = anna.says
    await anna.press(says("Часовой пояс", "Time zone"))
    assert says("Калининград", "Kaliningrad") in str(anna.buttons())
    await anna.press(says("Новосибирск", "Novosibirsk"))
    assert "Asia/Novosibirsk" in anna.text() and "UTC+7" in anna.text()
    schedule = rules_of(await workspace(cabinet, anna)).schedule
    assert schedule is not None and schedule.timezone == "Asia/Novosibirsk"

    await anna.press(says("Часовой пояс", "Time zone"))
    await anna.send("Mars/Olympus")
    assert "Mars/Olympus" in anna.text() and "Europe/Moscow" in anna.text()
    assert says("Не знаю часового пояса", "Unknown time zone") in anna.text()
    assert ((await workspace(cabinet, anna)).auto_reply_schedule or {})["timezone"] == "Asia/Novosibirsk"

    await anna.send("Asia/Yekaterinburg")
    assert "Asia/Yekaterinburg" in anna.text() and says("Екатеринбург", "Yekaterinburg") in anna.text()
    row = await workspace(cabinet, anna)
    assert row.auto_reply_schedule == {
        "timezone": "Asia/Yekaterinburg",
        "days": [["09:00", "18:00"]] * 5 + [None, None],
    }
    actions = [(a, d) for a, d in await audit(cabinet, anna)]
    assert actions == [
        ("autoreply.timezone", {"timezone": "Asia/Novosibirsk"}),
        ("autoreply.timezone", {"timezone": "Asia/Yekaterinburg"}),
    ]


async def test_text_is_checked_explained_and_saved(cabinet: Cabinet, owner_language: str) -> None:
    anna = await owner(cabinet, owner_language)
    says = anna.says
    t = translator(owner_language)
    await anna.press(says("Текст", "Text"))
    text = anna.text()
    for variable in ("{item_title}", "{buyer_name}", "{next_open}"):
        assert variable in text
    # The sample fills {next_open} as the job will: the next opening of the schedule, in words.
    now = datetime.now(UTC)
    schedule = Schedule.uniform("Europe/Moscow", parse_hours("9-18"))
    opening = next_open(schedule, now)
    assert t("render-next-open", **next_open_args(opening, now)) in text

    await anna.send("Здравствуйте! Цена {price}, ответим {next_open}.")
    assert "{price}" in anna.text()
    assert says("неизвестная переменная", "unknown variable") in anna.text()
    await anna.send("а" * 1200)
    assert says("слишком длинный", "too long") in anna.text() and "1000" in anna.text()
    await anna.send("Скидка {{5%}} — {buyer_name")
    assert says("без пары", "without its pair") in anna.text()
    row = await workspace(cabinet, anna)
    assert (row.auto_reply_text, row.auto_reply_schedule) == ("", None)  # nothing stored by refusals

    good = "Здравствуйте, {buyer_name}! Про «{item_title}» <ответим> {next_open}."
    await anna.send(good)
    assert says("Текст автоответа сохранён", "Auto-reply text saved") in anna.text()
    assert good in anna.text()  # shown escaped: the <…> survives as text
    assert (await workspace(cabinet, anna)).auto_reply_text == good
    await anna.press(says("Текст", "Text"))
    sample = says(
        "Здравствуйте, Анна! Про «iPhone 13, 128 ГБ»", "Здравствуйте, Anna! Про «iPhone 13, 128 GB»"
    )
    assert sample in anna.text()  # the sample rendering with sample values
    assert await audit(cabinet, anna) == [("autoreply.text", {"length": len(good)})]


async def set_every_day(person: Person, hours: str) -> None:
    await person.press("Часы работы")
    await person.press("Одинаково по будням")
    await person.send(hours)
    for day in ("Сб", "Вс"):
        await person.press(day)
        await person.send(hours)


def hours_around(start: timedelta, end: timedelta) -> tuple[str, datetime, datetime]:
    """Typed hours from now+start to now+end in Moscow (over midnight when it comes to that)."""
    now = datetime.now(ZoneInfo("Europe/Moscow"))
    opens, closes = now + start, now + end
    return f"{opens:%H:%M}-{closes:%H:%M}", opens, closes


async def test_preview_in_schedule_mode_says_when_it_changes(cabinet: Cabinet) -> None:
    """Hours chosen around "now" (hours away from any edge), so the line is known exactly."""
    anna = await owner(cabinet, "ru")
    await anna.press("Включить")

    typed, _, closes = hours_around(timedelta(hours=-2), timedelta(hours=2))
    await set_every_day(anna, typed)
    await press_and_check_preview(cabinet, anna, "Назад")
    assert not shown_answer(anna) and "рабочее время, отвечают менеджеры" in anna.text()
    assert f"Следующее изменение: сегодня в {closes:%H:%M}" in anna.text() or (
        f"Следующее изменение: завтра в {closes:%H:%M}" in anna.text()
    )

    typed, opens, _ = hours_around(timedelta(hours=3), timedelta(hours=5))
    await set_every_day(anna, typed)
    await press_and_check_preview(cabinet, anna, "Назад")
    assert shown_answer(anna) and "нерабочее время" in anna.text()
    assert f"в {opens:%H:%M}." in anna.text()

    # Every day off: always closed, so it would answer, and nothing ever changes.
    await anna.press("Часы работы")
    for day in ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"):
        await anna.press(day)
        await anna.press("Выходной")
    await press_and_check_preview(cabinet, anna, "Назад")
    schedule = rules_of(await workspace(cabinet, anna)).schedule
    assert schedule is not None and schedule.always_closed
    assert shown_answer(anna) and "Следующее изменение" not in anna.text()


async def test_another_owner_is_untouched_and_forged_buttons_are_refused(cabinet: Cabinet) -> None:
    anna = await owner(cabinet, "ru", "Анна")
    boris = await owner(cabinet, "ru", "Борис")
    await anna.press("Включить")
    await anna.press("Часовой пояс")
    anna_button = anna.button("Новосибирск")["callback_data"]
    await anna.send("Asia/Yekaterinburg")
    await anna.press("Текст")
    await anna.send("Магазин Анны: ответим {next_open}.")

    # Anna's button replayed in Boris's chat: his storage has no such dialog.
    await boris.press_data(boris.screen()["message_id"], anna_button)
    assert any("устарела" in alert for alert in boris.alerts())
    # Items forged into Boris's own dialog: a weekday or a zone that does not exist.
    await boris.menu("Автоответ", "Auto-reply")
    await boris.press("Часы работы")
    intent, _ = boris.button("Пн")["callback_data"].split(SEP)
    await boris.press_data(boris.screen()["message_id"], f"{intent}{SEP}d:7")
    await boris.press_data(boris.screen()["message_id"], f"{intent}{SEP}d:-1")
    assert sum("Не нашлось" in alert for alert in boris.alerts()) == 2
    await boris.press("Назад")
    await boris.press("Часовой пояс")
    intent, _ = boris.button("Москва")["callback_data"].split(SEP)
    await boris.press_data(boris.screen()["message_id"], f"{intent}{SEP}z:99")
    assert sum("Не нашлось" in alert for alert in boris.alerts()) == 3

    row = await workspace(cabinet, boris)
    assert (row.auto_reply_enabled, row.auto_reply_schedule, row.auto_reply_text) == (False, None, "")
    assert await audit(cabinet, boris) == []
    await boris.press("Назад")
    assert "Europe/Moscow" in boris.text()
    assert "Магазин Анны" not in str(boris.bot_messages()) and "Yekaterinburg" not in str(
        boris.bot_messages()
    )

    row = await workspace(cabinet, anna)
    assert row.auto_reply_enabled and row.auto_reply_text == "Магазин Анны: ответим {next_open}."
    assert (row.auto_reply_schedule or {})["timezone"] == "Asia/Yekaterinburg"


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_picked_at_run_time_exist(language: str) -> None:
    t = translator(language)
    keys = [f"ar-why-{reason}" for reason in ("disabled", "empty_text", "no_schedule", "open_hours")]
    keys += [f"ar-why-send-{mode}" for mode in ("schedule", "always")]
    keys += [f"ar-problem-{code}" for code in ("empty", "unknown_variable", "unbalanced_braces", "too_long")]
    keys += [f"ar-error-hours-{reason}" for reason in ("format", "same_start_end")]
    assert [key for key in keys if not t.has(key)] == []
