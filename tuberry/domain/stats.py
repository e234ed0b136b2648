"""Statistics of the cabinet: first-response times, percentiles, dialogs still waiting.

Definitions:

* An *episode* of waiting starts with a buyer message ("in") that arrives while nothing is
  pending in its dialog, and ends with the next reply ("out"). Its length is one first-response
  time; later buyer messages of the same episode do not restart the clock.
* Auto-replies are *not* a human answer: by default they neither end an episode nor count as
  outgoing messages. ``count_auto=True`` makes them count (for "time to any answer").
* Seller messages written in the Avito app are ordinary "out" events: a human answered.
* Moments are compared in UTC, so DST changes do not distort durations.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal, NamedTuple

Direction = Literal["in", "out"]


class Event(NamedTuple):
    """One message of a dialog. A plain ``(dialog_id, at, direction[, is_auto])`` tuple works too."""

    dialog_id: Hashable
    at: datetime
    direction: Direction
    is_auto: bool = False


@dataclass(frozen=True, slots=True)
class Waiting:
    dialog_id: Hashable
    since: datetime  # the first buyer message still without an answer


@dataclass(frozen=True, slots=True)
class Summary:
    new_dialogs: int  # dialogs whose first message falls in the window
    messages_in: int
    messages_out: int  # human replies: managers through Tuberry and the seller in the Avito app
    auto_replies: int
    median_first_response: float | None  # seconds
    p90_first_response: float | None
    waiting: int  # dialogs waiting for an answer at the end of the window


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    messages_in: int
    messages_out: int
    auto_replies: int


def first_response_times(
    events: Iterable[Event | tuple],
    *,
    count_auto: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[float]:
    """Seconds from each episode's first buyer message to its reply, ordered by reply time.

    ``since``/``until`` keep episodes that *started* in ``[since, until)``; pass the whole
    history before ``since`` too, so that an episode already open at ``since`` is recognised.
    """
    answered: list[tuple[datetime, float]] = []
    for timeline in _by_dialog(events).values():
        waiting_since: datetime | None = None
        for event in timeline:
            moment = _utc(event.at)
            if event.direction == "in":
                waiting_since = waiting_since or moment
            elif waiting_since is not None and (count_auto or not event.is_auto):
                if _in_window(waiting_since, since, until):
                    answered.append((moment, (moment - waiting_since).total_seconds()))
                waiting_since = None
    answered.sort(key=lambda pair: pair[0])
    return [seconds for _, seconds in answered]


def percentile(values: Iterable[float], p: float) -> float | None:
    """The ``p``-th percentile (0..100) with linear interpolation between ranks; None if empty.

    Median is ``p=50``. NaN values are ignored. Same results as numpy's default method.
    """
    if not 0 <= p <= 100:
        raise ValueError("p must be within 0..100")
    data = sorted(float(v) for v in values if not math.isnan(v))
    if not data:
        return None
    rank = (len(data) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


def waiting_dialogs(events: Iterable[Event | tuple], *, count_auto: bool = False) -> list[Waiting]:
    """Dialogs whose last (counted) message is the buyer's, longest waiting first.

    An auto-reply after the buyer does not take a dialog off the list unless ``count_auto``.
    """
    result: list[Waiting] = []
    for dialog_id, timeline in _by_dialog(events).items():
        waiting_since: datetime | None = None
        for event in timeline:
            if event.direction == "in":
                waiting_since = waiting_since or event.at
            elif count_auto or not event.is_auto:
                waiting_since = None
        if waiting_since is not None:
            result.append(Waiting(dialog_id, waiting_since))
    result.sort(key=lambda w: _utc(w.since))
    return result


def summarize(
    events: Iterable[Event | tuple], *, since: datetime, until: datetime, count_auto: bool = False
) -> Summary:
    """Figures for ``[since, until)``; give all events up to ``until`` (history included)."""
    history = [e for e in _events(events) if _utc(e.at) < _utc(until)]
    window = [e for e in history if _in_window(_utc(e.at), since, until)]
    first_seen: dict[Hashable, datetime] = {}
    for event in history:
        moment = _utc(event.at)
        if event.dialog_id not in first_seen or moment < first_seen[event.dialog_id]:
            first_seen[event.dialog_id] = moment
    times = first_response_times(history, count_auto=count_auto, since=since, until=until)
    return Summary(
        new_dialogs=sum(1 for moment in first_seen.values() if _in_window(moment, since, until)),
        messages_in=sum(1 for e in window if e.direction == "in"),
        messages_out=sum(1 for e in window if e.direction == "out" and not e.is_auto),
        auto_replies=sum(1 for e in window if e.direction == "out" and e.is_auto),
        median_first_response=percentile(times, 50),
        p90_first_response=percentile(times, 90),
        waiting=len(waiting_dialogs(history, count_auto=count_auto)),
    )


def daily_counts(events: Iterable[Event | tuple], *, first: date, last: date, zone: tzinfo) -> list[DayCount]:
    """Messages per local calendar day from ``first`` to ``last`` inclusive (chart data)."""
    counts: dict[date, list[int]] = {}
    day = first
    while day <= last:
        counts[day] = [0, 0, 0]
        day += timedelta(days=1)
    for event in _events(events):
        bucket = counts.get(_utc(event.at).astimezone(zone).date())
        if bucket is not None:
            bucket[0 if event.direction == "in" else 2 if event.is_auto else 1] += 1
    return [DayCount(day, *values) for day, values in counts.items()]


def _events(events: Iterable[Event | tuple]) -> list[Event]:
    return [e if isinstance(e, Event) else Event(*e) for e in events]


def _by_dialog(events: Iterable[Event | tuple]) -> dict[Hashable, list[Event]]:
    """Events per dialog in time order; equal moments keep their input order."""
    grouped: dict[Hashable, list[Event]] = {}
    for event in _events(events):
        grouped.setdefault(event.dialog_id, []).append(event)
    for timeline in grouped.values():
        timeline.sort(key=lambda e: _utc(e.at))
    return grouped


def _in_window(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= _utc(since)) and (until is None or moment < _utc(until))


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC)
