"""Auto-reply settings of one workspace: what the cabinet shows, and one audited transaction per change.

Nothing is stored until the owner changes something: a workspace that never opened the screen has an
empty schedule and text, and the screen shows the defaults below. The first change writes all four
columns, so the auto_reply job (`jobs.autoreply.rules_of`) then reads exactly what the screen showed.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from tuberry.app.i18n import Translator
from tuberry.app.services import Services
from tuberry.domain.autoreply import AutoReplyMode, AutoReplyRules, Preview
from tuberry.domain.errors import DomainError
from tuberry.domain.hours import DayHours, format_time
from tuberry.domain.schedule import Schedule, next_open
from tuberry.domain.template import AVITO_TEXT_LIMIT, TemplateProblem, next_open_args, render_template
from tuberry.domain.timezones import zone
from tuberry.storage.models import Workspace
from tuberry.storage.repos import AuditRepo, WorkspaceRepo

DEFAULT_TIMEZONE = "Europe/Moscow"
DEFAULT_HOURS = DayHours(time(9, 0), time(18, 0))
WEEKDAYS = tuple(range(7))
# (Fluent variant of `ar-city`, IANA zone): Russia west to east.
COMMON_ZONES = (
    ("kaliningrad", "Europe/Kaliningrad"),
    ("moscow", "Europe/Moscow"),
    ("samara", "Europe/Samara"),
    ("yekaterinburg", "Asia/Yekaterinburg"),
    ("omsk", "Asia/Omsk"),
    ("novosibirsk", "Asia/Novosibirsk"),
    ("krasnoyarsk", "Asia/Krasnoyarsk"),
    ("irkutsk", "Asia/Irkutsk"),
    ("yakutsk", "Asia/Yakutsk"),
    ("vladivostok", "Asia/Vladivostok"),
    ("magadan", "Asia/Magadan"),
    ("kamchatka", "Asia/Kamchatka"),
)
CITY_OF = {name: city for city, name in COMMON_ZONES}


@dataclass(frozen=True)
class Settings:
    enabled: bool
    mode: AutoReplyMode  # ALWAYS or SCHEDULE: "on/off" is `enabled`
    schedule: Schedule
    text: str

    @property
    def rules(self) -> AutoReplyRules:
        return AutoReplyRules(self.enabled, self.mode, self.schedule, self.text)


def default_schedule() -> Schedule:
    return Schedule.uniform(DEFAULT_TIMEZONE, DEFAULT_HOURS)


def settings_of(workspace: Workspace, t: Translator) -> Settings:
    """The stored settings, with the defaults where nothing is stored yet."""
    schedule = default_schedule()
    if workspace.auto_reply_schedule:
        # Unreadable (edited by hand): the owner sees the defaults, and the next change stores good data.
        with contextlib.suppress(DomainError):
            schedule = Schedule.from_dict(workspace.auto_reply_schedule)
    mode = workspace.auto_reply_mode
    # Mode "off" is not offered here; the job treats it as disabled, so the screen shows it switched off.
    enabled = workspace.auto_reply_enabled and mode != AutoReplyMode.OFF
    return Settings(
        enabled=enabled,
        mode=AutoReplyMode.ALWAYS if mode == AutoReplyMode.ALWAYS else AutoReplyMode.SCHEDULE,
        schedule=schedule,
        text=workspace.auto_reply_text or t("ar-default-text"),
    )


async def load(services: Services, workspace_id: int, t: Translator) -> Settings | None:
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        return None if workspace is None else settings_of(workspace, t)


async def change(
    services: Services,
    workspace_id: int,
    actor_id: int,
    t: Translator,
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
        current = settings_of(workspace, t)
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


def with_day(settings: Settings, day: int, hours: DayHours | None) -> Settings:
    days = list(settings.schedule.days)
    days[day] = hours
    return replace(settings, schedule=Schedule(settings.schedule.timezone, tuple(days)))


def with_weekdays(settings: Settings, hours: DayHours) -> Settings:
    return replace(settings, schedule=Schedule.uniform(settings.schedule.timezone, hours))


def with_timezone(settings: Settings, name: str) -> Settings:
    return replace(settings, schedule=Schedule(name, settings.schedule.days))


# ---------------------------------------------------------------- how settings read in the cabinet


def hours_label(t: Translator, hours: DayHours | None) -> str:
    if hours is None:
        return t("ar-day-off")
    # An end at midnight reads better as 24:00 ("09:00–24:00", not "09:00–00:00").
    end = "24:00" if hours.end == time(0, 0) else format_time(hours.end)
    return f"{format_time(hours.start)}–{end}"


def week_summary(t: Translator, schedule: Schedule) -> str:
    """Equal consecutive days grouped: "Пн–Пт 09:00–18:00, Сб–Вс выходной"."""
    groups: list[tuple[int, int, DayHours | None]] = []
    for day, hours in enumerate(schedule.days):
        if groups and groups[-1][2] == hours:
            groups[-1] = (groups[-1][0], day, hours)
        else:
            groups.append((day, day, hours))
    parts = []
    for first, last, hours in groups:
        days = t("ar-day-short", weekday=first)
        if last != first:
            days += "–" + t("ar-day-short", weekday=last)
        parts.append(f"{days} {hours_label(t, hours)}")
    return ", ".join(parts)


def utc_offset(name: str, now: datetime) -> str:
    """ "UTC+3", "UTC+5:30", "UTC-3" at this moment (DST included)."""
    offset = now.astimezone(zone(name)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(t: Translator, name: str, now: datetime) -> str:
    """ "Москва (Europe/Moscow, UTC+3)" for a common zone, "Asia/Dubai (UTC+4)" for another."""
    offset = utc_offset(name, now)
    city = CITY_OF.get(name)
    if city is None:
        return f"{name} ({offset})"
    return f"{t('ar-city', city=city)} ({name}, {offset})"


def moment_label(t: Translator, moment: datetime, now: datetime) -> str:
    """A coming moment in its own zone: "сегодня в 18:00", "завтра в 09:00", "пн 09:00"."""
    args = next_open_args(moment, now)
    if (moment.date() - now.astimezone(moment.tzinfo).date()).days >= 7:
        args["when"] = "far"  # the same weekday next week: the date tells it from today
    return t("ar-moment", **args)


def preview_line(t: Translator, settings: Settings, preview: Preview, now: datetime) -> str:
    """ "Сейчас: ответили бы — нерабочее время. Следующее изменение: пн 22.01 в 09:00." (safe HTML)."""
    reason = str(preview.reason)
    if preview.would_answer:
        reason = f"send-{settings.mode.value}"
    line = t("ar-preview", answer="yes" if preview.would_answer else "no", why=t(f"ar-why-{reason}"))
    if preview.next_change is not None and settings.enabled:
        line += " " + t("ar-preview-change", moment=moment_label(t, preview.next_change, now))
    return line


def sample_values(t: Translator, schedule: Schedule, now: datetime) -> dict[str, str]:
    """Sample variable values, `next_open` rendered as the job renders it."""
    opening = next_open(schedule, now)
    return {
        "item_title": t("ar-sample-item"),
        "buyer_name": t("ar-sample-buyer"),
        "next_open": t("render-next-open", **next_open_args(opening, now)) if opening else "",
    }


def sample_text(t: Translator, settings: Settings, now: datetime) -> str:
    """The text as a buyer would see it now, HTML-escaped."""
    return html.escape(render_template(settings.text, sample_values(t, settings.schedule, now)), quote=False)


def problem_text(t: Translator, problem: TemplateProblem) -> str:
    """One problem of a typed text, in words (safe HTML)."""
    args: dict[str, str] = {"limit": str(AVITO_TEXT_LIMIT)}  # strings: Fluent would print "1 000"
    if problem.variable is not None:
        args["variable"] = html.escape(problem.variable, quote=False)
    if problem.position is not None:
        args["position"] = str(problem.position + 1)
    if problem.length is not None:
        args["length"] = str(problem.length)
        args["over"] = str(problem.length - AVITO_TEXT_LIMIT)
    return t(f"ar-problem-{problem.code}", **args)
