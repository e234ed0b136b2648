"""What the Auto-reply windows show: the settings in words, the week, one day, the zones, the text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram_dialog import DialogManager

from tuberry.bot.master import autoreply_settings as ar
from tuberry.bot.master.autoreply_settings import Settings
from tuberry.bot.master.dialogs.common import services_of, t_of, workspace_of
from tuberry.bot.master.widgets import Html
from tuberry.domain.autoreply import AutoReplyMode, preview
from tuberry.domain.hours import format_time
from tuberry.domain.template import AVITO_TEXT_LIMIT


def now_utc() -> datetime:
    return datetime.now(UTC)


def _pop_html(manager: DialogManager, key: str) -> Html:
    return Html(manager.dialog_data.pop(key, ""))


async def _settings(manager: DialogManager) -> Settings | None:
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return None
    return await ar.load(services_of(manager), workspace_id, t_of(manager))


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
        "summary": ar.week_summary(t, schedule),
        "zone": ar.zone_label(t, schedule.timezone, now),
        "local_time": format_time(now.astimezone(schedule.zone).time()),
        "text": settings.text,
        "preview": Html(ar.preview_line(t, settings, preview(settings.rules, now), now)),
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
        {"id": day, "label": f"{t('ar-day-short', weekday=day)} · {ar.hours_label(t, hours)}"}
        for day, hours in enumerate(schedule.days)
    ]
    return {
        **data,
        "found": True,
        "days": days,
        "summary": ar.week_summary(t, schedule),
        "zone": ar.zone_label(t, schedule.timezone, now_utc()),
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
        "hours": ar.hours_label(t, settings.schedule.days[day]),
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
            + f"{t('ar-city', city=city)} · {ar.utc_offset(name, now)}",
        }
        for index, (city, name) in enumerate(ar.COMMON_ZONES)
    ]
    return {
        "error": _pop_html(dialog_manager, "error"),
        "found": settings is not None,
        "zone": ar.zone_label(t, current, now) if current else "",
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
        "next_open_example": ar.sample_values(t, settings.schedule, now)["next_open"]
        or t("render-next-open", when="tomorrow", weekday=0, time="09:00", date=""),
        "text": settings.text,
        "sample": Html(ar.sample_text(t, settings, now)),
    }
