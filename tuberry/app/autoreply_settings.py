"""Auto-reply settings of one workspace: the one reading of its columns, and one audited change per use case.

Nothing is stored until the owner changes something: a workspace that never opened the screen has an
empty schedule and text, and `settings_of` reads the defaults below in their place. The cabinet shows what
`settings_of` reads and the auto_reply job decides on it, so both always see the same rules; the first change
writes all four columns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from tuberry.app.i18n import Translator
from tuberry.app.services import Services
from tuberry.domain.autoreply import AutoReplyMode, AutoReplyRules
from tuberry.domain.errors import DomainError
from tuberry.domain.hours import DayHours, format_time
from tuberry.domain.schedule import Schedule
from tuberry.storage.models import Workspace
from tuberry.storage.repos import AuditRepo, WorkspaceRepo

DEFAULT_TIMEZONE = "Europe/Moscow"
DEFAULT_HOURS = DayHours(time(9, 0), time(18, 0))


@dataclass(frozen=True)
class Settings:
    enabled: bool
    mode: AutoReplyMode  # ALWAYS or SCHEDULE: "on/off" is `enabled`
    schedule: Schedule
    text: str

    @property
    def rules(self) -> AutoReplyRules:
        return AutoReplyRules(self.enabled, self.mode, self.schedule, self.text)


def default_text_of(t: Translator) -> str:
    """The text used until the owner writes one, in the language of `t`."""
    return t("ar-default-text")


def default_schedule() -> Schedule:
    return Schedule.uniform(DEFAULT_TIMEZONE, DEFAULT_HOURS)


def settings_of(workspace: Workspace, default_text: str) -> Settings:
    """The stored settings, with the defaults where nothing is stored yet (`default_text` for the text)."""
    schedule = default_schedule()
    if workspace.auto_reply_schedule:
        # Unreadable (edited by hand): the defaults apply, and the next change stores good data.
        with contextlib.suppress(DomainError):
            schedule = Schedule.from_dict(workspace.auto_reply_schedule)
    mode = workspace.auto_reply_mode
    # Mode "off" is not offered in the cabinet; it means disabled, so it reads as switched off.
    enabled = workspace.auto_reply_enabled and mode != AutoReplyMode.OFF
    return Settings(
        enabled=enabled,
        mode=AutoReplyMode.ALWAYS if mode == AutoReplyMode.ALWAYS else AutoReplyMode.SCHEDULE,
        schedule=schedule,
        text=workspace.auto_reply_text or default_text,
    )


def hours_range(hours: DayHours) -> str:
    """ "09:00–18:00"; an end at midnight reads better as 24:00 ("09:00–24:00", not "09:00–00:00")."""
    end = "24:00" if hours.end == time(0, 0) else format_time(hours.end)
    return f"{format_time(hours.start)}–{end}"


async def load(services: Services, workspace_id: int, default_text: str) -> Settings | None:
    """The workspace's settings as `settings_of` reads them; None: no such workspace."""
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        return None if workspace is None else settings_of(workspace, default_text)


async def set_enabled(
    services: Services, workspace_id: int, actor_id: int, default_text: str, enabled: bool
) -> Settings | None:
    what = "enable" if enabled else "disable"
    return await _change(
        services, workspace_id, actor_id, default_text, what, lambda s: replace(s, enabled=enabled)
    )


async def set_mode(
    services: Services, workspace_id: int, actor_id: int, default_text: str, mode: AutoReplyMode
) -> Settings | None:
    return await _change(
        services,
        workspace_id,
        actor_id,
        default_text,
        "mode",
        lambda s: replace(s, mode=mode),
        mode=mode.value,
    )


async def set_day(
    services: Services, workspace_id: int, actor_id: int, default_text: str, day: int, hours: DayHours | None
) -> Settings | None:
    """Working hours of one weekday (0 = Monday); None makes it a day off."""

    def apply(settings: Settings) -> Settings:
        days = list(settings.schedule.days)
        days[day] = hours
        return replace(settings, schedule=Schedule(settings.schedule.timezone, tuple(days)))

    label = "off" if hours is None else hours_range(hours)
    return await _change(services, workspace_id, actor_id, default_text, "hours", apply, day=day, hours=label)


async def set_weekdays(
    services: Services, workspace_id: int, actor_id: int, default_text: str, hours: DayHours
) -> Settings | None:
    """The same hours Monday to Friday, the weekend off."""

    def apply(settings: Settings) -> Settings:
        return replace(settings, schedule=Schedule.uniform(settings.schedule.timezone, hours))

    return await _change(
        services,
        workspace_id,
        actor_id,
        default_text,
        "hours",
        apply,
        day="mon-fri",
        hours=hours_range(hours),
    )


async def set_timezone(
    services: Services, workspace_id: int, actor_id: int, default_text: str, name: str
) -> Settings | None:
    """`name` is a valid IANA zone (the caller validated it)."""

    def apply(settings: Settings) -> Settings:
        return replace(settings, schedule=Schedule(name, settings.schedule.days))

    return await _change(services, workspace_id, actor_id, default_text, "timezone", apply, timezone=name)


async def set_text(
    services: Services, workspace_id: int, actor_id: int, default_text: str, text: str
) -> Settings | None:
    """`text` is a checked template (the caller showed its problems instead)."""
    return await _change(
        services,
        workspace_id,
        actor_id,
        default_text,
        "text",
        lambda s: replace(s, text=text),
        length=len(text),
    )


async def _change(
    services: Services,
    workspace_id: int,
    actor_id: int,
    default_text: str,
    what: str,
    apply: Callable[[Settings], Settings],
    **details: Any,
) -> Settings | None:
    """Apply one change to the caller's own workspace, audited as `autoreply.<what>`, in one transaction.

    A change that changes nothing (a double tap, the mode already chosen) writes nothing. None: no workspace.
    """
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        if workspace is None:
            return None
        current = settings_of(workspace, default_text)
        new = apply(current)
        if new == current:
            return new
        workspace.auto_reply_enabled = new.enabled
        workspace.auto_reply_mode = new.mode.value
        workspace.auto_reply_schedule = new.schedule.to_dict()
        workspace.auto_reply_text = new.text
        AuditRepo(session).record(workspace_id, actor_id, f"autoreply.{what}", **details)
        await session.commit()
    return new
