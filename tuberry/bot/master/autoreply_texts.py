"""How auto-reply settings read in the cabinet: hours, the week, time zones, the preview line, samples.

The settings themselves and their changes are use cases in `tuberry.app.autoreply_settings`.
"""

from __future__ import annotations

import html
from datetime import datetime

from tuberry.app.autoreply_settings import Settings, hours_range
from tuberry.app.i18n import Translator
from tuberry.domain.autoreply import Preview
from tuberry.domain.hours import DayHours
from tuberry.domain.schedule import Schedule, next_open
from tuberry.domain.template import next_open_args, render_template
from tuberry.domain.timezones import zone

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


def hours_label(t: Translator, hours: DayHours | None) -> str:
    return t("ar-day-off") if hours is None else hours_range(hours)


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
