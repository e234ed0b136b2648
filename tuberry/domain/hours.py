"""Working hours of one weekday: a ``DayHours`` range and its text form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from tuberry.domain.errors import InvalidHours

# "09:00-18:00", "9:00 – 18:00", "9-18", "09.00-18.00", "с 9 до 18", "from 9 to 18".
# re.ASCII: \s and the digit classes must not accept exotic Unicode digits.
_HOURS_RE = re.compile(
    r"""
    ^\s*(?:(?:с|c|from)\s+)?
    (?P<sh>[0-9]{1,2})(?:[:.](?P<sm>[0-9]{2}))?
    \s*(?:[-‐‑‒–—−]|\s(?:до|to)\s)\s*
    (?P<eh>[0-9]{1,2})(?:[:.](?P<em>[0-9]{2}))?
    \s*$
    """,
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)
_TIME_RE = re.compile(r"^([0-9]{1,2}):([0-9]{2})$", re.ASCII)


@dataclass(frozen=True, slots=True)
class DayHours:
    """Open from ``start`` to ``end`` wall-clock time, whole minutes.

    ``end < start`` means the range crosses midnight and ends on the next day (20:00–02:00
    belongs to the day it starts on); ``end == 00:00`` is "until midnight". ``start == end`` is
    rejected: it could mean either nothing or the whole day, and a seller open round the clock
    has no use for a schedule (mode *always* exists for that).
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if not isinstance(value, time) or value.tzinfo is not None:
                raise InvalidHours("format", f"not a naive time: {value!r}")
            if value.second or value.microsecond:
                raise InvalidHours("format", f"hours are whole minutes: {value!r}")
        if self.start == self.end:
            raise InvalidHours("same_start_end", "start and end are the same")

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def minutes(self) -> int:
        """Length of the range in wall-clock minutes (DST ignored)."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return (end - start) % (24 * 60)

    def label(self) -> str:
        """Display form, e.g. ``"09:00–18:00"``."""
        return f"{format_time(self.start)}–{format_time(self.end)}"


def format_time(value: time) -> str:
    """``HH:MM``, the storage and display form of a time."""
    return f"{value.hour:02d}:{value.minute:02d}"


def parse_time(text: str, *, allow_24: bool = False) -> time:
    """``"9:05"`` → 09:05; with ``allow_24`` also ``"24:00"`` → 00:00 (an end at midnight)."""
    match = _TIME_RE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidHours("format", f"not a HH:MM time: {text!r}")
    return _make_time(match.group(1), match.group(2), allow_24=allow_24)


def parse_hours(text: str) -> DayHours:
    """Parse what a seller types for one day's hours.

    Accepts ``09:00-18:00``, ``9:00 – 18:00`` (any dash), ``9-18``, ``09.00-18.00``,
    ``с 9 до 18``; ``24``/``24:00`` as the end means midnight. Raises ``InvalidHours`` with
    reason ``"format"`` or ``"same_start_end"``.
    """
    # Lower-case first: re.ASCII makes IGNORECASE blind to Cyrillic ("С 9 ДО 18").
    match = _HOURS_RE.match(text.lower()) if isinstance(text, str) else None
    if match is None:
        raise InvalidHours("format", f"cannot read hours from {text!r}")
    start = _make_time(match["sh"], match["sm"], allow_24=False)
    end = _make_time(match["eh"], match["em"], allow_24=True)
    return DayHours(start, end)


def _make_time(hour_text: str, minute_text: str | None, *, allow_24: bool) -> time:
    hour, minute = int(hour_text), int(minute_text or 0)
    if allow_24 and hour == 24 and minute == 0:
        return time(0, 0)
    if hour > 23 or minute > 59:
        raise InvalidHours("format", f"no such time: {hour}:{minute:02d}")
    return time(hour, minute)
