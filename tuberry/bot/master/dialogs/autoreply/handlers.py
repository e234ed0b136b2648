"""What the Auto-reply buttons and typed messages do: each change saved through `autoreply_settings.change`.

Typed input is checked here first (hours, time zone, template); a refused input leaves its reason in
dialog_data["error"] for the window to show.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import time
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode

from tuberry.bot.common.ids import parse_number
from tuberry.bot.master import autoreply_settings as ar
from tuberry.bot.master.autoreply_settings import Settings
from tuberry.bot.master.dialogs.autoreply.getters import now_utc, selected_day
from tuberry.bot.master.dialogs.common import actor_of, refuse, services_of, t_of, workspace_of
from tuberry.bot.master.states import AutoReplySG
from tuberry.domain.autoreply import AutoReplyMode
from tuberry.domain.errors import InvalidHours, InvalidTimezone
from tuberry.domain.hours import DayHours, parse_hours
from tuberry.domain.schedule import DAY_OFF_WORDS
from tuberry.domain.template import template_problems
from tuberry.domain.timezones import validate_timezone


async def _save(
    manager: DialogManager, what: str, apply: Callable[[Settings], Settings], **details: Any
) -> Settings | None:
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return None
    return await ar.change(
        services_of(manager), workspace_id, actor_of(manager), t_of(manager), what, apply, **details
    )


async def _switch(callback: CallbackQuery, manager: DialogManager, enabled: bool) -> None:
    what = "enable" if enabled else "disable"
    if await _save(manager, what, lambda s: replace(s, enabled=enabled)) is None:
        await refuse(callback, manager)


async def on_enable(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _switch(callback, manager, True)


async def on_disable(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _switch(callback, manager, False)


async def _set_mode(callback: CallbackQuery, manager: DialogManager, mode: AutoReplyMode) -> None:
    if await _save(manager, "mode", lambda s: replace(s, mode=mode), mode=mode.value) is None:
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
    label = "off" if hours is None else ar.hours_label(t_of(manager), hours)
    saved = None
    if day is not None:
        saved = await _save(manager, "hours", lambda s: ar.with_day(s, day, hours), day=day, hours=label)
    if saved is None:
        await refuse(event, manager)
        await manager.switch_to(AutoReplySG.hours)
        return
    t = t_of(manager)
    # 09:00–24:00 ends at midnight; only a range ending after midnight runs into the next morning.
    overnight = hours is not None and hours.crosses_midnight and hours.end != time(0, 0)
    manager.dialog_data["notice"] = t(
        "ar-saved-day", weekday=day, hours=ar.hours_label(t, hours), overnight="yes" if overnight else "no"
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
    t = t_of(manager)
    label = ar.hours_label(t, hours)
    saved = await _save(manager, "hours", lambda s: ar.with_weekdays(s, hours), day="mon-fri", hours=label)
    if saved is None:
        await refuse(message, manager)
        return
    manager.dialog_data["notice"] = t("ar-saved-weekdays", hours=label)
    await manager.switch_to(AutoReplySG.hours)


async def _set_zone(event: CallbackQuery | Message, manager: DialogManager, name: str) -> None:
    saved = await _save(manager, "timezone", lambda s: ar.with_timezone(s, name), timezone=name)
    if saved is None:
        await refuse(event, manager)
        return
    t = t_of(manager)
    label = html.escape(ar.zone_label(t, name, now_utc()), quote=False)
    manager.dialog_data["notice"] = t("ar-saved-zone", zone=label)
    await manager.switch_to(AutoReplySG.main)


async def on_zone_selected(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    index = parse_number(item_id, len(ar.COMMON_ZONES) - 1)
    if index is None:
        await refuse(callback, manager)
        return
    await _set_zone(callback, manager, ar.COMMON_ZONES[index][1])


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
        lines = [t("ar-text-rejected"), *(f"• {ar.problem_text(t, p)}" for p in problems)]
        manager.dialog_data["error"] = "\n".join(lines)
        return
    if await _save(manager, "text", lambda s: replace(s, text=text), length=len(text)) is None:
        await refuse(message, manager)
        return
    manager.dialog_data["notice"] = t("ar-saved-text")
    await manager.switch_to(AutoReplySG.main)
