from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.domain.strategies import DST_ZONES, FAST, THOROUGH, moments, schedules
from tuberry.domain.schedule import (
    ClosedInterval,
    DayHours,
    InvalidHours,
    InvalidSchedule,
    InvalidTimezone,
    Schedule,
    closed_interval,
    is_open,
    next_change,
    next_open,
)

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NINE_SIX = DayHours(time(9), time(18))
# Monday..Friday 09:00-18:00, Saturday 20:00-02:00, Sunday off. 2025-06-02 is a Monday.
SHOP = Schedule("Europe/Moscow", (NINE_SIX,) * 5 + (DayHours(time(20), time(2)), None))


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 2025-06-02, Moscow time (day 0 = Monday, 7 = next Monday)."""
    return datetime(2025, 6, 2, hour, minute, tzinfo=MSK) + timedelta(days=day)


# --- construction and serialisation -------------------------------------------------------


def test_timezone_is_validated_and_canonicalised() -> None:
    assert Schedule("europe/moscow", (None,) * 7).timezone == "Europe/Moscow"
    with pytest.raises(InvalidTimezone):
        Schedule("Mars/Base", (None,) * 7)


@pytest.mark.parametrize("days", [(None,) * 6, (None,) * 8, "1234567", (NINE_SIX,) * 6 + ("9-18",)])
def test_days_must_be_seven_day_hours_or_none(days: object) -> None:
    with pytest.raises(InvalidSchedule):
        Schedule("UTC", days)  # type: ignore[arg-type]


def test_days_accept_a_list() -> None:
    assert Schedule("UTC", [None] * 7).days == (None,) * 7


def test_parse_from_seller_text() -> None:
    schedule = Schedule.parse("Europe/Moscow", ["9-18", "9:00–18:00", "", "выходной", None, "20-02", "off"])
    assert schedule.days == (NINE_SIX, NINE_SIX, None, None, None, DayHours(time(20), time(2)), None)


def test_parse_reports_the_bad_day() -> None:
    with pytest.raises(InvalidHours) as info:
        Schedule.parse("UTC", ["9-18", "9-18", "10-10", None, None, None, None])
    assert (info.value.reason, info.value.day) == ("same_start_end", 2)


def test_uniform_defaults_to_weekdays() -> None:
    assert Schedule.uniform("UTC", NINE_SIX).days == (NINE_SIX,) * 5 + (None, None)


def test_to_dict_shape() -> None:
    assert SHOP.to_dict() == {
        "timezone": "Europe/Moscow",
        "days": [["09:00", "18:00"]] * 5 + [["20:00", "02:00"], None],
    }


@FAST
@given(schedules())
def test_dict_round_trip(schedule: Schedule) -> None:
    assert Schedule.from_dict(schedule.to_dict()) == schedule


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ([], InvalidSchedule),
        ({"timezone": "UTC"}, InvalidSchedule),
        ({"timezone": "UTC", "days": [None] * 6}, InvalidSchedule),
        ({"timezone": "UTC", "days": [["09:00"]] + [None] * 6}, InvalidSchedule),
        ({"timezone": "UTC", "days": [["09:00", "09:00"]] + [None] * 6}, InvalidHours),
        ({"timezone": "UTC", "days": [["9am", "6pm"]] + [None] * 6}, InvalidHours),
        ({"timezone": "Nowhere", "days": [None] * 7}, InvalidTimezone),
    ],
)
def test_from_dict_rejects_bad_data(data: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        Schedule.from_dict(data)  # type: ignore[arg-type]


# --- is_open --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (msk(0, 8, 59), False),
        (msk(0, 9), True),  # opening minute is open
        (msk(0, 17, 59), True),
        (msk(0, 18), False),  # closing minute is closed
        (msk(5, 19, 59), False),  # Saturday before the evening shift
        (msk(5, 20), True),
        (msk(5, 23, 59), True),
        (msk(6, 1, 30), True),  # Sunday night still belongs to Saturday's range
        (msk(6, 2), False),
        (msk(6, 12), False),  # Sunday off
    ],
)
def test_is_open_table(moment: datetime, expected: bool) -> None:
    assert is_open(SHOP, moment) is expected


def test_now_in_another_zone_is_converted() -> None:
    assert is_open(SHOP, datetime(2025, 6, 2, 6, 0, tzinfo=UTC))  # 09:00 in Moscow
    assert not is_open(SHOP, datetime(2025, 6, 2, 5, 59, tzinfo=UTC))


def test_range_over_midnight_into_next_week() -> None:
    schedule = Schedule("Europe/Moscow", (None,) * 6 + (DayHours(time(22), time(1)),))
    assert is_open(schedule, msk(7, 0, 30))  # Monday 00:30 belongs to Sunday's range
    assert not is_open(schedule, msk(7, 1))


def test_range_until_midnight() -> None:
    schedule = Schedule.uniform("Europe/Moscow", DayHours(time(18), time(0)), weekdays=(0,))
    assert is_open(schedule, msk(0, 23, 59))
    assert not is_open(schedule, msk(1, 0))
    assert next_change(schedule, msk(0, 20)) == msk(1, 0)


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(SHOP, datetime(2025, 6, 2, 12))


# --- closed intervals, next open, next change -----------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "start", "end"),
    [
        (msk(0, 20), msk(0, 18), msk(1, 9)),  # weekday evening
        (msk(1, 3), msk(0, 18), msk(1, 9)),  # the following night
        (msk(4, 18), msk(4, 18), msk(5, 20)),  # Friday close → Saturday evening
        (msk(6, 2), msk(6, 2), msk(7, 9)),  # Sunday off, until Monday
        (msk(6, 15), msk(6, 2), msk(7, 9)),
    ],
)
def test_closed_interval_table(moment: datetime, start: datetime, end: datetime) -> None:
    assert closed_interval(SHOP, moment) == ClosedInterval(start, end)


def test_closed_interval_is_none_when_open() -> None:
    assert closed_interval(SHOP, msk(2, 12)) is None


def test_whole_week_off_is_one_unbounded_interval() -> None:
    schedule = Schedule("Europe/Moscow", (None,) * 7)
    interval = closed_interval(schedule, msk(3, 12))
    assert interval == ClosedInterval(None, None)
    assert interval is not None and not interval.bounded and interval.key() == "unbounded"
    assert interval.contains(msk(-400, 0)) and interval.contains(msk(400, 0))
    assert next_open(schedule, msk(3, 12)) is None
    assert next_change(schedule, msk(3, 12)) is None
    assert schedule.always_closed


def test_closed_interval_key_is_stable_within_the_interval() -> None:
    first, second = closed_interval(SHOP, msk(0, 19)), closed_interval(SHOP, msk(1, 8, 59))
    assert first is not None and second is not None
    assert first.key() == second.key() == "2025-06-02T15:00:00+00:00"


@pytest.mark.parametrize(
    ("moment", "opens", "changes"),
    [
        (msk(0, 8), msk(0, 9), msk(0, 9)),
        (msk(0, 12), msk(1, 9), msk(0, 18)),  # open now: the *next* opening, and the closing
        (msk(4, 20), msk(5, 20), msk(5, 20)),
        (msk(5, 21), msk(7, 9), msk(6, 2)),
        (msk(6, 10), msk(7, 9), msk(7, 9)),
    ],
)
def test_next_open_and_next_change(moment: datetime, opens: datetime, changes: datetime) -> None:
    assert next_open(SHOP, moment) == opens
    assert next_change(SHOP, moment) == changes


def test_results_are_in_the_schedule_zone() -> None:
    result = next_open(SHOP, datetime(2025, 6, 2, 12, tzinfo=UTC))
    assert result is not None and result.tzinfo == MSK and (result.hour, result.minute) == (9, 0)


def test_overlapping_ranges_merge() -> None:
    # Monday 20:00-03:00 and Tuesday 01:00-10:00 make one working period.
    days = (DayHours(time(20), time(3)), DayHours(time(1), time(10))) + (None,) * 5
    schedule = Schedule("Europe/Moscow", days)
    assert next_change(schedule, msk(0, 21)) == msk(1, 10)
    assert is_open(schedule, msk(1, 2, 30))


# --- daylight saving --------------------------------------------------------------------------


def test_berlin_spring_forward_keeps_local_opening_hours() -> None:
    schedule = Schedule.uniform("Europe/Berlin", NINE_SIX)
    friday_evening = datetime(2024, 3, 29, 18, tzinfo=BERLIN)  # CET, +01:00
    monday = next_open(schedule, friday_evening)
    assert monday == datetime(2024, 4, 1, 9, tzinfo=BERLIN)
    assert monday is not None and monday.utcoffset() == timedelta(hours=2)  # CEST
    interval = closed_interval(schedule, friday_evening)
    assert interval is not None and interval.end == monday
    assert interval.start is not None
    # Same-zone subtraction is wall-clock arithmetic in Python; real elapsed time needs UTC.
    assert interval.end.astimezone(UTC) - interval.start.astimezone(UTC) == timedelta(days=2, hours=14)


def test_berlin_opening_inside_the_gap_moves_past_it() -> None:
    # 2024-03-31 is a Sunday; 02:00-03:00 does not exist. 02:30 resolves (fold=0) to 03:30 CEST.
    schedule = Schedule("Europe/Berlin", (None,) * 6 + (DayHours(time(2, 30), time(10)),))
    saturday = datetime(2024, 3, 30, 12, tzinfo=BERLIN)
    opening = next_open(schedule, saturday)
    assert opening == datetime(2024, 3, 31, 3, 30, tzinfo=BERLIN)
    assert not is_open(schedule, datetime(2024, 3, 31, 1, 15, tzinfo=UTC))  # 03:15 CEST
    assert is_open(schedule, datetime(2024, 3, 31, 1, 30, tzinfo=UTC))  # 03:30 CEST


def test_berlin_range_that_vanishes_in_the_gap_is_skipped() -> None:
    schedule = Schedule("Europe/Berlin", (None,) * 6 + (DayHours(time(2, 30), time(3, 15)),))
    opening = next_open(schedule, datetime(2024, 3, 30, 12, tzinfo=BERLIN))
    assert opening == datetime(2024, 4, 7, 2, 30, tzinfo=BERLIN)  # the next Sunday
    for minute in range(0, 24 * 60, 5):
        assert not is_open(schedule, datetime(2024, 3, 30, 23, tzinfo=UTC) + timedelta(minutes=minute))


def test_berlin_fall_back_ambiguous_end_is_the_first_occurrence() -> None:
    # 2024-10-27 (Sunday): 02:00-03:00 happens twice. Saturday 20:00-02:30 ends at 02:30 CEST.
    schedule = Schedule("Europe/Berlin", (None,) * 5 + (DayHours(time(20), time(2, 30)), None))
    assert is_open(schedule, datetime(2024, 10, 27, 2, 15, tzinfo=BERLIN))  # fold=0, CEST
    assert not is_open(schedule, datetime(2024, 10, 27, 2, 15, fold=1, tzinfo=BERLIN))  # CET
    change = next_change(schedule, datetime(2024, 10, 26, 21, tzinfo=BERLIN))
    assert change is not None and change.astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)


def test_new_york_fall_back_range_lasts_the_real_duration() -> None:
    # 2024-11-03 (Sunday): 01:00-02:00 happens twice; 01:30 EDT until 02:30 EST is two hours.
    schedule = Schedule("America/New_York", (None,) * 6 + (DayHours(time(1, 30), time(2, 30)),))
    saturday = datetime(2024, 11, 2, 12, tzinfo=NEW_YORK)
    opening = next_open(schedule, saturday)
    assert opening is not None
    closing = next_change(schedule, opening)
    assert closing is not None
    assert closing.astimezone(UTC) - opening.astimezone(UTC) == timedelta(hours=2)
    assert is_open(schedule, datetime(2024, 11, 3, 1, 45, fold=1, tzinfo=NEW_YORK))


def test_new_york_spring_forward_day_is_an_hour_shorter() -> None:
    schedule = Schedule("America/New_York", (None,) * 6 + (DayHours(time(0), time(23)),))
    opening = next_open(schedule, datetime(2024, 3, 9, 12, tzinfo=NEW_YORK))
    closing = next_change(schedule, datetime(2024, 3, 10, 12, tzinfo=NEW_YORK))
    assert opening is not None and closing is not None
    assert closing.astimezone(UTC) - opening.astimezone(UTC) == timedelta(hours=22)


# --- properties ---------------------------------------------------------------------------------


def _reference_is_open(schedule: Schedule, now: datetime) -> bool:
    """Wall-clock definition, valid in zones without DST."""
    local = now.astimezone(schedule.zone)
    today = schedule.days[local.weekday()]
    yesterday = schedule.days[(local.weekday() - 1) % 7]
    clock = local.time().replace(tzinfo=None)
    if today is not None:
        if today.crosses_midnight and clock >= today.start:
            return True
        if not today.crosses_midnight and today.start <= clock < today.end:
            return True
    return yesterday is not None and yesterday.crosses_midnight and clock < yesterday.end


@THOROUGH
@given(schedules(("Europe/Moscow", "UTC", "Asia/Kolkata")), moments)
def test_is_open_matches_the_wall_clock_definition(schedule: Schedule, now: datetime) -> None:
    assume(now.year >= 2015)  # Moscow has had no DST since 2014
    assert is_open(schedule, now) is _reference_is_open(schedule, now)


@THOROUGH
@given(schedules(), moments)
def test_queries_agree_with_each_other(schedule: Schedule, now: datetime) -> None:
    open_now = is_open(schedule, now)
    interval = closed_interval(schedule, now)
    change = next_change(schedule, now)
    opening = next_open(schedule, now)
    assert (interval is None) is open_now
    if interval is not None:
        assert interval.contains(now)
        assert interval.end == opening == change
        if interval.start is not None:
            assert not is_open(schedule, interval.start)
            assert is_open(schedule, interval.start - timedelta(seconds=1))
    if change is not None:
        assert change > now
        assert is_open(schedule, change) is not open_now
        assert is_open(schedule, now + (change - now) / 2) is open_now
    if opening is not None:
        assert opening > now and is_open(schedule, opening)
        assert not is_open(schedule, opening - timedelta(seconds=1))
    if any(schedule.days):
        assert change is not None and opening is not None


@FAST
@given(schedules(DST_ZONES), st.integers(min_value=2021, max_value=2029), st.sampled_from([3, 4, 9, 10, 11]))
def test_dst_months_never_raise(schedule: Schedule, year: int, month: int) -> None:
    start = datetime(year, month, 1, tzinfo=UTC)
    for hour in range(0, 31 * 24, 7):
        now = start + timedelta(hours=hour, minutes=hour % 60)
        is_open(schedule, now)
        closed_interval(schedule, now)
        next_change(schedule, now)
