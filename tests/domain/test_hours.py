from datetime import UTC, time

import pytest

from tuberry.domain.errors import InvalidHours
from tuberry.domain.hours import DayHours, format_time, parse_hours, parse_time


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("09:00-18:00", time(9), time(18)),
        ("9:00 – 18:00", time(9), time(18)),
        ("9-18", time(9), time(18)),
        ("09.00-18.00", time(9), time(18)),
        ("9:30—18:45", time(9, 30), time(18, 45)),
        ("  10:00 - 19:00  ", time(10), time(19)),
        ("с 9 до 18", time(9), time(18)),
        ("С 9:00 ДО 18:00", time(9), time(18)),
        ("from 9 to 18", time(9), time(18)),
        ("20:00-02:00", time(20), time(2)),
        ("18-24", time(18), time(0)),
        ("18:00-24:00", time(18), time(0)),
        ("0-9", time(0), time(9)),
    ],
)
def test_parse_hours_accepts_what_sellers_type(text: str, start: time, end: time) -> None:
    assert parse_hours(text) == DayHours(start, end)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "format"),
        ("9", "format"),
        ("nine to six", "format"),
        ("25-26", "format"),
        ("9:60-10", "format"),
        ("9:5-10", "format"),
        ("24-9", "format"),
        ("9-24:30", "format"),
        ("9 18", "format"),
        ("١٢-١٣", "format"),  # non-ASCII digits
        ("9-9", "same_start_end"),
        ("09:00-09:00", "same_start_end"),
        ("0-24", "same_start_end"),  # a round-the-clock day: use mode "always"
    ],
)
def test_parse_hours_rejects_with_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidHours) as info:
        parse_hours(text)
    assert info.value.reason == reason


def test_parse_hours_rejects_non_strings() -> None:
    with pytest.raises(InvalidHours) as info:
        parse_hours(None)  # type: ignore[arg-type]
    assert info.value.reason == "format"


def test_day_hours_start_equal_end_is_invalid() -> None:
    with pytest.raises(InvalidHours) as info:
        DayHours(time(9), time(9))
    assert info.value.reason == "same_start_end"


@pytest.mark.parametrize(
    ("start", "end"),
    [(time(9, 0, 30), time(18)), (time(9, tzinfo=UTC), time(18)), ("09:00", time(18))],
)
def test_day_hours_needs_naive_whole_minutes(start: object, end: time) -> None:
    with pytest.raises(InvalidHours) as info:
        DayHours(start, end)  # type: ignore[arg-type]
    assert info.value.reason == "format"


def test_crossing_midnight_and_length() -> None:
    assert DayHours(time(20), time(2)).crosses_midnight
    assert DayHours(time(20), time(2)).minutes() == 6 * 60
    assert DayHours(time(18), time(0)).crosses_midnight
    assert not DayHours(time(9), time(18)).crosses_midnight
    assert DayHours(time(9), time(18)).minutes() == 9 * 60


def test_label_and_time_helpers() -> None:
    assert DayHours(time(9), time(18, 30)).label() == "09:00–18:30"
    assert format_time(time(7, 5)) == "07:05"
    assert parse_time("24:00", allow_24=True) == time(0)
    with pytest.raises(InvalidHours):
        parse_time("24:00")
