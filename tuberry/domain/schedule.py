"""Weekly working hours in a time zone, and the questions the auto-reply asks of them.

All computation happens on concrete UTC spans: for each calendar day around ``now`` the day's
hours become one ``[open, close)`` span, spans that touch or overlap are merged, and every
question (open? since when closed? next change?) is a lookup in that list. Comparing in UTC
matters: aware datetimes sharing one ``ZoneInfo`` compare by wall time and ignore ``fold``.

Daylight saving: a wall time is resolved with ``fold=0``. A time inside a spring-forward gap
(02:30 in Berlin on the last Sunday of March) therefore lands after the gap (03:30 CEST); an
ambiguous autumn time means its first occurrence. A span that comes out empty on such a day
(02:30–03:15 on the spring-forward night in Berlin) is skipped. Nothing here raises because of DST.

Results are aware datetimes in the schedule's zone, fit for display; for elapsed time convert
to UTC first (Python subtracts two datetimes of one zone as wall-clock times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tuberry.domain.errors import InvalidHours, InvalidSchedule, InvalidTimezone
from tuberry.domain.hours import DayHours, format_time, parse_hours, parse_time
from tuberry.domain.timezones import validate_timezone

__all__ = [
    "ClosedInterval",
    "DayHours",
    "InvalidHours",
    "InvalidSchedule",
    "InvalidTimezone",
    "Schedule",
    "closed_interval",
    "is_open",
    "next_change",
    "next_open",
    "parse_hours",
    "validate_timezone",
]

WEEKDAYS = 7
# Calendar days looked at on each side of "now". A weekly schedule always has a closed gap
# within any 7 days (chained over-midnight ranges cannot close the circle), so a merged span
# or a closed interval never reaches further than 8 days; 9 leaves room for DST shifts.
_WINDOW_DAYS = 9
# What a seller may type for a day off in Schedule.parse.
DAY_OFF_WORDS = frozenset({"", "-", "—", "–", "off", "closed", "выходной", "нет"})


@dataclass(frozen=True, slots=True)
class ClosedInterval:
    """Off-hours period ``[start, end)`` in the schedule's zone.

    ``start`` is the moment the schedule closed (None: it has not been open within the
    look-back, i.e. every day is off); ``end`` is the next opening (None: never opens).
    """

    start: datetime | None
    end: datetime | None

    def contains(self, moment: datetime) -> bool:
        utc = _to_utc(moment)
        if self.start is not None and utc < self.start.astimezone(UTC):
            return False
        return self.end is None or utc < self.end.astimezone(UTC)

    @property
    def bounded(self) -> bool:
        return self.start is not None

    def key(self) -> str:
        """Stable text id of the interval (its UTC start), for "once per interval" bookkeeping."""
        if self.start is None:
            return "unbounded"
        return self.start.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class Schedule:
    """Working hours for Monday..Sunday (``None`` = day off) in an IANA time zone.

    The constructor validates and canonicalises the zone name and accepts any 7-item sequence.
    """

    timezone: str
    days: tuple[DayHours | None, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "timezone", validate_timezone(self.timezone))
        if isinstance(self.days, str | bytes) or not isinstance(self.days, Sequence):
            raise InvalidSchedule("shape", "days must be a sequence of seven entries")
        days = tuple(self.days)
        if len(days) != WEEKDAYS:
            raise InvalidSchedule("shape", f"expected 7 days, got {len(days)}")
        for day in days:
            if day is not None and not isinstance(day, DayHours):
                raise InvalidSchedule("shape", f"not DayHours or None: {day!r}")
        object.__setattr__(self, "days", days)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def always_closed(self) -> bool:
        return all(day is None for day in self.days)

    @classmethod
    def parse(cls, timezone: str, days: Sequence[str | DayHours | None]) -> Schedule:
        """Build from what a seller typed: hours text per day, a day-off word, or None.

        ``InvalidHours`` raised for a day carries that day's index in ``day``.
        """
        if isinstance(days, str) or len(days) != WEEKDAYS:
            raise InvalidSchedule("shape", "expected 7 days")
        parsed: list[DayHours | None] = []
        for index, text in enumerate(days):
            if text is None or isinstance(text, DayHours):
                parsed.append(text)
            elif isinstance(text, str) and text.strip().lower() in DAY_OFF_WORDS:
                parsed.append(None)
            else:
                try:
                    parsed.append(parse_hours(text))
                except InvalidHours as exc:
                    raise InvalidHours(exc.reason, str(exc), day=index) from None
        return cls(timezone, tuple(parsed))

    @classmethod
    def uniform(cls, timezone: str, hours: DayHours, weekdays: Sequence[int] = (0, 1, 2, 3, 4)) -> Schedule:
        """The same hours on the given weekdays (default Monday..Friday), other days off."""
        return cls(timezone, tuple(hours if index in weekdays else None for index in range(WEEKDAYS)))

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form: ``{"timezone": "...", "days": [["09:00", "18:00"], None, ...]}``."""
        days = [None if d is None else [format_time(d.start), format_time(d.end)] for d in self.days]
        return {"timezone": self.timezone, "days": days}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Schedule:
        """Inverse of ``to_dict``. Raises ``InvalidSchedule``/``InvalidHours``/``InvalidTimezone``."""
        if not isinstance(data, Mapping):
            raise InvalidSchedule("shape", "not a mapping")
        timezone, days = data.get("timezone"), data.get("days")
        if not isinstance(timezone, str) or not isinstance(days, list | tuple) or len(days) != WEEKDAYS:
            raise InvalidSchedule("shape", "expected timezone and 7 days")
        parsed: list[DayHours | None] = []
        for index, day in enumerate(days):
            if day is None:
                parsed.append(None)
                continue
            if not isinstance(day, list | tuple) or len(day) != 2:
                raise InvalidSchedule("shape", f"day {index}: expected [start, end]")
            try:
                parsed.append(DayHours(parse_time(day[0]), parse_time(day[1], allow_24=True)))
            except InvalidHours as exc:
                raise InvalidHours(exc.reason, str(exc), day=index) from None
        return cls(timezone, tuple(parsed))


def is_open(schedule: Schedule, now: datetime) -> bool:
    """True when ``now`` (any aware datetime) falls within working hours."""
    return _locate(schedule, now)[0] is not None


def opened_at(schedule: Schedule, now: datetime) -> datetime | None:
    """When the working period containing ``now`` began (UTC); None when closed now."""
    current = _locate(schedule, now)[0]
    return current[0] if current is not None else None


def closed_interval(schedule: Schedule, now: datetime) -> ClosedInterval | None:
    """The off-hours interval containing ``now``, or None when open."""
    current, previous_close, next_opening = _locate(schedule, now)
    if current is not None:
        return None
    zone = schedule.zone
    return ClosedInterval(_in_zone(previous_close, zone), _in_zone(next_opening, zone))


def next_open(schedule: Schedule, now: datetime) -> datetime | None:
    """The next moment strictly after ``now`` when the schedule opens; None if it never does.

    When open now this is the opening *after* the current working period.
    """
    # _locate's "first opening after now" already skips the span that contains now.
    return _in_zone(_locate(schedule, now)[2], schedule.zone)


def next_change(schedule: Schedule, now: datetime) -> datetime | None:
    """The next open↔closed switch after ``now``; None if the state never changes."""
    current, _, next_opening = _locate(schedule, now)
    moment = current[1] if current is not None else next_opening
    return _in_zone(moment, schedule.zone)


Span = tuple[datetime, datetime]


def _locate(schedule: Schedule, now: datetime) -> tuple[Span | None, datetime | None, datetime | None]:
    """(span containing now, last close at or before now, first opening after now), in UTC."""
    moment = _to_utc(now)
    current: Span | None = None
    previous_close: datetime | None = None
    next_opening: datetime | None = None
    for start, end in _spans(schedule, moment):
        if start <= moment < end:
            current = (start, end)
        elif end <= moment:
            previous_close = end
        elif next_opening is None:
            next_opening = start
    return current, previous_close, next_opening


def _spans(schedule: Schedule, around: datetime) -> list[Span]:
    """Merged open spans (UTC, sorted) of the calendar days within the window around a moment."""
    zone = schedule.zone
    today = around.astimezone(zone).date()
    raw: list[Span] = []
    for offset in range(-_WINDOW_DAYS, _WINDOW_DAYS + 1):
        day = today + timedelta(days=offset)
        hours = schedule.days[day.weekday()]
        if hours is None:
            continue
        start = _wall_to_utc(day, hours.start, zone)
        end_day = day + timedelta(days=1) if hours.crosses_midnight else day
        end = _wall_to_utc(end_day, hours.end, zone)
        if end > start:  # empty when both ends fall on the wrong sides of a DST gap
            raw.append((start, end))
    raw.sort()
    merged: list[Span] = []
    for start, end in raw:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    # fold=0: gap times move forward past the gap, ambiguous times take the first occurrence.
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _to_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC)


def _in_zone(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if moment is None else moment.astimezone(zone)
