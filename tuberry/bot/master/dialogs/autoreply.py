"""Auto-reply: on/off, mode, working hours per weekday, time zone, text, and a "would we answer now" line.

Every change is a use case of `tuberry.app.autoreply_settings`: the caller's own workspace (as resolved by
the middleware, never from callback data), one transaction, one audit entry. Typed input is checked here
first (hours, time zone, template); a refused input leaves its reason in dialog_data["error"] for the window
to show. How the settings read is in `autoreply_texts`.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, time
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.app import autoreply_settings
from tuberry.app.autoreply_settings import Settings, default_text_of
from tuberry.app.services import Services
from tuberry.bot.common.ids import parse_number
from tuberry.bot.master.autoreply_texts import (
    COMMON_ZONES,
    hours_label,
    preview_line,
    sample_text,
    sample_values,
    utc_offset,
    week_summary,
    zone_label,
)
from tuberry.bot.master.dialogs.common import actor_of, refuse, services_of, t_of, workspace_of
from tuberry.bot.master.states import AutoReplySG
from tuberry.bot.master.template_problems import problem_text
from tuberry.bot.master.widgets import Blocks, Html, T, choice
from tuberry.domain.autoreply import AutoReplyMode, preview
from tuberry.domain.errors import InvalidHours, InvalidTimezone
from tuberry.domain.hours import DayHours, format_time, parse_hours
from tuberry.domain.schedule import DAY_OFF_WORDS
from tuberry.domain.template import AVITO_TEXT_LIMIT, template_problems
from tuberry.domain.timezones import validate_timezone

ID_ON, ID_OFF, ID_SCHEDULE, ID_ALWAYS = "on", "off", "ms", "ma"
ID_HOURS, ID_ZONE, ID_TEXT, ID_BACK, ID_TO_MAIN, ID_TO_HOURS = "hrs", "tz", "txt", "back", "main", "toh"
ID_DAY, ID_WEEKDAYS, ID_DAY_OFF, ID_ZONE_PICK = "d", "wd", "dof", "z"


# ---------------------------------------------------------------- getters


def now_utc() -> datetime:
    return datetime.now(UTC)


def _pop_html(manager: DialogManager, key: str) -> Html:
    return Html(manager.dialog_data.pop(key, ""))


async def _settings(manager: DialogManager) -> Settings | None:
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return None
    return await autoreply_settings.load(services_of(manager), workspace_id, default_text_of(t_of(manager)))


def selected_day(manager: DialogManager) -> int | None:
    """The weekday being edited (0 = Monday), None if dialog_data holds none or a bad one."""
    day = manager.dialog_data.get("day")
    return day if isinstance(day, int) and 0 <= day < 7 else None


async def get_main(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    notice = _pop_html(dialog_manager, "notice")
    settings = await _settings(dialog_manager)
    if settings is None:
        return {"found": False, "notice": notice}
    now = now_utc()
    schedule = settings.schedule
    return {
        "found": True,
        "notice": notice,
        "enabled": settings.enabled,
        "mode": settings.mode.value,
        "is_schedule": settings.mode is AutoReplyMode.SCHEDULE,
        "is_always": settings.mode is AutoReplyMode.ALWAYS,
        "summary": week_summary(t, schedule),
        "zone": zone_label(t, schedule.timezone, now),
        "local_time": format_time(now.astimezone(schedule.zone).time()),
        "text": settings.text,
        "preview": Html(preview_line(t, settings, preview(settings.rules, now), now)),
    }


async def get_hours(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    data: dict[str, Any] = {
        "notice": _pop_html(dialog_manager, "notice"),
        "error": _pop_html(dialog_manager, "error"),
    }
    settings = await _settings(dialog_manager)
    if settings is None:
        return {**data, "found": False, "days": []}
    schedule = settings.schedule
    days = [
        {"id": day, "label": f"{t('ar-day-short', weekday=day)} · {hours_label(t, hours)}"}
        for day, hours in enumerate(schedule.days)
    ]
    return {
        **data,
        "found": True,
        "days": days,
        "summary": week_summary(t, schedule),
        "zone": zone_label(t, schedule.timezone, now_utc()),
    }


async def get_day(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    error = _pop_html(dialog_manager, "error")
    settings = await _settings(dialog_manager)
    day = selected_day(dialog_manager)
    if settings is None or day is None:
        return {"found": False, "error": error, "weekday": 0, "hours": ""}
    return {
        "found": True,
        "error": error,
        "weekday": day,
        "hours": hours_label(t, settings.schedule.days[day]),
    }


async def get_input(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"error": _pop_html(dialog_manager, "error")}


async def get_zone(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    now = now_utc()
    settings = await _settings(dialog_manager)
    current = settings.schedule.timezone if settings else ""
    zones = [
        {
            "id": index,
            "label": ("✓ " if name == current else "")
            + f"{t('ar-city', city=city)} · {utc_offset(name, now)}",
        }
        for index, (city, name) in enumerate(COMMON_ZONES)
    ]
    return {
        "error": _pop_html(dialog_manager, "error"),
        "found": settings is not None,
        "zone": zone_label(t, current, now) if current else "",
        "zones": zones,
    }


async def get_text(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    error = _pop_html(dialog_manager, "error")
    settings = await _settings(dialog_manager)
    if settings is None:
        return {"found": False, "error": error}
    now = now_utc()
    return {
        "found": True,
        "error": error,
        "limit": str(AVITO_TEXT_LIMIT),  # a string: Fluent would print 1000 as "1 000" in Russian
        "next_open_example": sample_values(t, settings.schedule, now)["next_open"]
        or t("render-next-open", when="tomorrow", weekday=0, time="09:00", date=""),
        "text": settings.text,
        "sample": Html(sample_text(t, settings, now)),
    }


# ---------------------------------------------------------------- handlers


def _caller(manager: DialogManager) -> tuple[Services, int, int, str] | None:
    """What every change takes: services, the caller's own workspace, the actor, the default text."""
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return None
    return services_of(manager), workspace_id, actor_of(manager), default_text_of(t_of(manager))


async def _switch(callback: CallbackQuery, manager: DialogManager, enabled: bool) -> None:
    caller = _caller(manager)
    if caller is None or await autoreply_settings.set_enabled(*caller, enabled) is None:
        await refuse(callback, manager)


async def on_enable(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _switch(callback, manager, True)


async def on_disable(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _switch(callback, manager, False)


async def _set_mode(callback: CallbackQuery, manager: DialogManager, mode: AutoReplyMode) -> None:
    caller = _caller(manager)
    if caller is None or await autoreply_settings.set_mode(*caller, mode) is None:
        await refuse(callback, manager)


async def on_schedule(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _set_mode(callback, manager, AutoReplyMode.SCHEDULE)


async def on_always(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _set_mode(callback, manager, AutoReplyMode.ALWAYS)


async def on_day_selected(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    day = parse_number(item_id, 6)
    if day is None:
        await refuse(callback, manager)
        return
    manager.dialog_data["day"] = day
    await manager.switch_to(AutoReplySG.day)


def _read_hours(manager: DialogManager, message: Message) -> DayHours | None:
    """Parsed hours, or None with the reason put into dialog_data["error"]."""
    t = t_of(manager)
    text = (message.text or "").strip()
    if not text:
        manager.dialog_data["error"] = t("ar-error-not-text")
        return None
    try:
        return parse_hours(text)
    except InvalidHours as exc:
        shown = html.escape(text[:40], quote=False)
        manager.dialog_data["error"] = t(f"ar-error-hours-{exc.reason}", text=shown)
        return None


async def _set_day(event: CallbackQuery | Message, manager: DialogManager, hours: DayHours | None) -> None:
    day = selected_day(manager)
    caller = _caller(manager)
    saved = None
    if day is not None and caller is not None:
        saved = await autoreply_settings.set_day(*caller, day, hours)
    if saved is None:
        await refuse(event, manager)
        await manager.switch_to(AutoReplySG.hours)
        return
    t = t_of(manager)
    # 09:00–24:00 ends at midnight; only a range ending after midnight runs into the next morning.
    overnight = hours is not None and hours.crosses_midnight and hours.end != time(0, 0)
    manager.dialog_data["notice"] = t(
        "ar-saved-day", weekday=day, hours=hours_label(t, hours), overnight="yes" if overnight else "no"
    )
    await manager.switch_to(AutoReplySG.hours)


async def on_day_hours(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    if (message.text or "").strip().lower() in DAY_OFF_WORDS - {""}:
        await _set_day(message, manager, None)
        return
    hours = _read_hours(manager, message)
    if hours is not None:
        await _set_day(message, manager, hours)


async def on_day_off(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _set_day(callback, manager, None)


async def on_weekdays_hours(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    hours = _read_hours(manager, message)
    if hours is None:
        return
    caller = _caller(manager)
    if caller is None or await autoreply_settings.set_weekdays(*caller, hours) is None:
        await refuse(message, manager)
        return
    t = t_of(manager)
    manager.dialog_data["notice"] = t("ar-saved-weekdays", hours=hours_label(t, hours))
    await manager.switch_to(AutoReplySG.hours)


async def _set_zone(event: CallbackQuery | Message, manager: DialogManager, name: str) -> None:
    caller = _caller(manager)
    if caller is None or await autoreply_settings.set_timezone(*caller, name) is None:
        await refuse(event, manager)
        return
    t = t_of(manager)
    label = html.escape(zone_label(t, name, now_utc()), quote=False)
    manager.dialog_data["notice"] = t("ar-saved-zone", zone=label)
    await manager.switch_to(AutoReplySG.main)


async def on_zone_selected(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    index = parse_number(item_id, len(COMMON_ZONES) - 1)
    if index is None:
        await refuse(callback, manager)
        return
    await _set_zone(callback, manager, COMMON_ZONES[index][1])


async def on_zone_typed(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    text = (message.text or "").strip()
    try:
        name = validate_timezone(text)
    except InvalidTimezone:
        shown = html.escape(text[:64], quote=False)
        key = "ar-error-zone" if text else "ar-error-not-text"
        manager.dialog_data["error"] = t_of(manager)(key, text=shown)
        return
    await _set_zone(message, manager, name)


async def on_text(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    t = t_of(manager)
    if message.text is None:
        manager.dialog_data["error"] = t("ar-error-not-text")
        return
    text = message.text.strip()
    problems = template_problems(text)
    if problems:
        lines = [t("ar-text-rejected"), *(f"• {problem_text(t, p, 'ar')}" for p in problems)]
        manager.dialog_data["error"] = "\n".join(lines)
        return
    caller = _caller(manager)
    if caller is None or await autoreply_settings.set_text(*caller, text) is None:
        await refuse(message, manager)
        return
    manager.dialog_data["notice"] = t("ar-saved-text")
    await manager.switch_to(AutoReplySG.main)


# ---------------------------------------------------------------- windows


def autoreply_dialog() -> Dialog:
    """The Auto-reply screen (a new instance per dispatcher)."""
    main_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-main", when="found"),
            T("ar-main-text", when="found"),
            Format("{preview}", when="found"),
        ),
        Row(
            Button(T("ar-btn-on"), id=ID_ON, on_click=on_enable, when=F["found"] & ~F["enabled"]),
            Button(T("ar-btn-off"), id=ID_OFF, on_click=on_disable, when="enabled"),
        ),
        Row(
            Button(T("ar-btn-schedule"), id=ID_SCHEDULE, on_click=on_schedule),
            Button(T("ar-btn-always"), id=ID_ALWAYS, on_click=on_always),
            when="found",
        ),
        Row(
            SwitchTo(T("ar-btn-hours"), id=ID_HOURS, state=AutoReplySG.hours),
            SwitchTo(T("ar-btn-zone"), id=ID_ZONE, state=AutoReplySG.zone),
            when="found",
        ),
        SwitchTo(T("ar-btn-text"), id=ID_TEXT, state=AutoReplySG.text, when="found"),
        Cancel(T("cabinet-back"), id=ID_BACK),
        state=AutoReplySG.main,
        getter=get_main,
    )

    hours_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-hours-title", when="found"),
        ),
        Column(
            choice(ID_DAY, "days", on_day_selected),
        ),
        SwitchTo(T("ar-btn-weekdays"), id=ID_WEEKDAYS, state=AutoReplySG.weekdays, when="found"),
        SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=AutoReplySG.main),
        state=AutoReplySG.hours,
        getter=get_hours,
    )

    weekdays_window = Window(
        Blocks(Format("{error}", when="error"), T("ar-weekdays-prompt")),
        SwitchTo(T("cabinet-back"), id=ID_TO_HOURS, state=AutoReplySG.hours),
        MessageInput(on_weekdays_hours, content_types=ContentType.ANY),
        state=AutoReplySG.weekdays,
        getter=get_input,
    )

    day_window = Window(
        Blocks(
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-day-prompt", when="found"),
        ),
        Button(T("ar-btn-day-off"), id=ID_DAY_OFF, on_click=on_day_off, when="found"),
        SwitchTo(T("cabinet-back"), id=ID_TO_HOURS, state=AutoReplySG.hours),
        MessageInput(on_day_hours, content_types=ContentType.ANY),
        state=AutoReplySG.day,
        getter=get_day,
    )

    zone_window = Window(
        Blocks(
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-zone-title", when="found"),
        ),
        Group(
            choice(ID_ZONE_PICK, "zones", on_zone_selected),
            width=2,
            when="found",
        ),
        SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=AutoReplySG.main),
        MessageInput(on_zone_typed, content_types=ContentType.ANY),
        state=AutoReplySG.zone,
        getter=get_zone,
    )

    text_window = Window(
        Blocks(
            Format("{error}", when="error"),
            T("cabinet-not-found", when=~F["found"]),
            T("ar-text-title", when="found"),
            T("ar-text-current", when="found"),
            T("ar-text-sample", when="found"),
        ),
        SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=AutoReplySG.main),
        MessageInput(on_text, content_types=ContentType.ANY),
        state=AutoReplySG.text,
        getter=get_text,
    )

    return Dialog(main_window, hours_window, weekdays_window, day_window, zone_window, text_window)
