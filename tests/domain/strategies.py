"""Hypothesis strategies and settings shared by the domain tests."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tuberry.domain.hours import DayHours
from tuberry.domain.schedule import Schedule

# Moderate: the whole domain suite stays within a few seconds. TUBERRY_HYPOTHESIS_SCALE=20 for a
# long local hunt.
_SCALE = max(1, int(os.environ.get("TUBERRY_HYPOTHESIS_SCALE", "1")))
FAST = settings(max_examples=60 * _SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=150 * _SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DST_ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago")
ZONES = ("Europe/Moscow", "UTC", "Asia/Kolkata", *DST_ZONES)

minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1)


@st.composite
def day_hours(draw: st.DrawFn) -> DayHours:
    start = draw(minutes_of_day)
    end = draw(minutes_of_day.filter(lambda m: m != start))
    return DayHours(time(start // 60, start % 60), time(end // 60, end % 60))


def schedules(zones: tuple[str, ...] = ZONES) -> st.SearchStrategy[Schedule]:
    days = st.lists(st.none() | day_hours(), min_size=7, max_size=7)
    return st.builds(Schedule, st.sampled_from(zones), days.map(tuple))


# Moments 2020..2030 in UTC, at one-minute steps plus some seconds (hits exact boundaries often).
moments = st.builds(
    lambda minutes, seconds: datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes, seconds=seconds),
    st.integers(min_value=0, max_value=10 * 366 * 24 * 60),
    st.sampled_from([0, 0, 0, 1, 30, 59]),
)
