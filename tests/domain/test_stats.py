import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.strategies import FAST, THOROUGH
from tuberry.domain.stats import (
    DayCount,
    Event,
    Summary,
    Waiting,
    daily_counts,
    first_response_times,
    percentile,
    summarize,
    waiting_dialogs,
)

T0 = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


DIALOGS = [
    # dialog 1: buyer writes twice, manager answers 10 min after the first message
    Event(1, at(0), "in"),
    Event(1, at(3), "in"),
    Event(1, at(10), "out"),
    # dialog 2: auto-reply after 1 min, manager after 30 min
    Event(2, at(5), "in"),
    Event(2, at(6), "out", True),
    Event(2, at(35), "out"),
    # dialog 3: seller writes first, then buyer, then nobody answers
    (3, at(1), "out", False),
    (3, at(20), "in"),
]


def test_first_response_times_skip_auto_replies_by_default() -> None:
    assert first_response_times(DIALOGS) == [600.0, 1800.0]


def test_first_response_times_can_count_auto_replies() -> None:
    assert first_response_times(DIALOGS, count_auto=True) == [60.0, 600.0]


def test_every_waiting_episode_counts() -> None:
    events = [
        Event("a", at(0), "in"),
        Event("a", at(2), "out"),
        Event("a", at(60), "in"),
        Event("a", at(65), "out"),
    ]
    assert first_response_times(events) == [120.0, 300.0]


def test_unordered_input_and_mixed_zones() -> None:
    msk = ZoneInfo("Europe/Moscow")
    events = [Event("a", at(10).astimezone(msk), "out"), Event("a", at(0), "in")]
    assert first_response_times(events) == [600.0]


def test_window_keeps_episodes_started_inside() -> None:
    assert first_response_times(DIALOGS, since=at(4)) == [1800.0]
    assert first_response_times(DIALOGS, until=at(4)) == [600.0]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        first_response_times([Event(1, datetime(2025, 1, 1), "in")])


def test_waiting_dialogs() -> None:
    assert waiting_dialogs(DIALOGS) == [Waiting(3, at(20))]
    events = [Event(4, at(0), "in"), Event(4, at(1), "out", True), Event(4, at(2), "in")]
    assert waiting_dialogs(events) == [Waiting(4, at(0))]
    assert waiting_dialogs(events, count_auto=True) == [Waiting(4, at(2))]


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, None),
        ([5], 90, 5.0),
        ([1, 2, 3, 4], 50, 2.5),
        ([10, 1, 7], 50, 7.0),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9.1),
        ([1, 2], 0, 1.0),
        ([1, 2], 100, 2.0),
        ([1, float("nan"), 3], 50, 2.0),
    ],
)
def test_percentile_table(values: list[float], p: float, expected: float | None) -> None:
    result = percentile(values, p)
    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("p", [-1, 101, float("nan")])
def test_percentile_range(p: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], p)


finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)


@THOROUGH
@given(st.lists(finite, min_size=1, max_size=50), st.floats(min_value=0, max_value=100), st.floats(0, 100))
def test_percentile_properties(values: list[float], p: float, q: float) -> None:
    low, high = sorted((p, q))
    result_low, result_high = percentile(values, low), percentile(values, high)
    assert result_low is not None and result_high is not None
    assert min(values) <= result_low <= result_high + 1e-6 <= max(values) + 2e-6
    assert percentile(values, 50) == pytest.approx(statistics.median(values), abs=1e-6)


events = st.lists(
    st.builds(
        Event,
        st.integers(min_value=1, max_value=4),
        st.integers(min_value=0, max_value=10_000).map(lambda s: T0 + timedelta(seconds=s)),
        st.sampled_from(["in", "out"]),
        st.booleans(),
    ),
    max_size=40,
)


@FAST
@given(events)
def test_response_times_are_non_negative_and_auto_only_shortens(items: list[Event]) -> None:
    human = first_response_times(items)
    anything = first_response_times(items, count_auto=True)
    assert all(value >= 0 for value in human + anything)
    assert len(waiting_dialogs(items, count_auto=True)) <= len(waiting_dialogs(items))
    answered = sum(1 for e in items if e.direction == "in")
    assert len(human) <= answered


def test_summarize() -> None:
    history = [Event(9, at(-600), "in"), Event(9, at(-590), "out"), *DIALOGS]
    summary = summarize(history, since=at(-1), until=at(60))
    assert summary == Summary(
        new_dialogs=3,
        messages_in=4,
        messages_out=3,
        auto_replies=1,
        median_first_response=1200.0,
        p90_first_response=pytest.approx(1680.0),
        waiting=1,
    )


def test_daily_counts_use_local_days() -> None:
    msk = ZoneInfo("Europe/Moscow")
    items = [
        Event(1, datetime(2025, 6, 1, 22, 30, tzinfo=UTC), "in"),  # 01:30 on 2 June in Moscow
        Event(1, datetime(2025, 6, 2, 8, 0, tzinfo=UTC), "out", True),
        Event(1, datetime(2025, 6, 2, 9, 0, tzinfo=UTC), "out"),
        Event(1, datetime(2025, 6, 9, 9, 0, tzinfo=UTC), "out"),  # outside the range
    ]
    assert daily_counts(items, first=date(2025, 6, 1), last=date(2025, 6, 2), zone=msk) == [
        DayCount(date(2025, 6, 1), 0, 0, 0),
        DayCount(date(2025, 6, 2), 1, 1, 1),
    ]
