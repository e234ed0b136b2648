import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.strategies import FAST, THOROUGH, schedules
from tuberry.domain.autoreply import (
    AutoReplyMode,
    AutoReplyRules,
    DialogReplyState,
    Preview,
    decide,
    preview,
    should_plan,
)
from tuberry.domain.schedule import DayHours, Schedule, closed_interval

MSK = ZoneInfo("Europe/Moscow")
WEEKDAYS = Schedule.uniform("Europe/Moscow", DayHours(time(9), time(18)))
TEXT = "Здравствуйте! Мы ответим {next_open}."
SCHEDULED = AutoReplyRules(True, AutoReplyMode.SCHEDULE, WEEKDAYS, TEXT)
ALWAYS = AutoReplyRules(True, AutoReplyMode.ALWAYS, None, TEXT)
DELAY = timedelta(seconds=75)


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    """Week of Monday 2025-06-02, Moscow time."""
    return datetime(2025, 6, 2, hour, minute, tzinfo=MSK) + timedelta(days=day)


def state(
    buyer: datetime | None, manager: datetime | None = None, auto: datetime | None = None
) -> DialogReplyState:
    return DialogReplyState(buyer, manager, auto)


@pytest.mark.parametrize(
    ("rules", "dialog", "now", "send", "reason"),
    [
        # switched off, nothing to say, nothing to answer
        (
            AutoReplyRules(False, "schedule", WEEKDAYS, TEXT),
            state(msk(0, 20)),
            msk(0, 20, 2),
            False,
            "disabled",
        ),
        (AutoReplyRules(True, "off", WEEKDAYS, TEXT), state(msk(0, 20)), msk(0, 20, 2), False, "disabled"),
        (AutoReplyRules(True, "always", None, "  \n"), state(msk(0, 20)), msk(0, 20, 2), False, "empty_text"),
        (
            AutoReplyRules(True, "schedule", None, TEXT),
            state(msk(0, 20)),
            msk(0, 20, 2),
            False,
            "no_schedule",
        ),
        (SCHEDULED, state(None), msk(0, 20), False, "no_buyer_message"),
        # schedule mode
        (SCHEDULED, state(msk(0, 20)), msk(0, 20, 2), True, "send"),
        (SCHEDULED, state(msk(5, 12)), msk(5, 12, 2), True, "send"),  # Saturday off
        (SCHEDULED, state(msk(0, 12)), msk(0, 12, 2), False, "open_hours"),
        (SCHEDULED, state(msk(0, 20), manager=msk(0, 20, 1)), msk(0, 20, 2), False, "manager_answered"),
        (SCHEDULED, state(msk(0, 20), manager=msk(0, 20)), msk(0, 20, 2), False, "manager_answered"),
        (SCHEDULED, state(msk(0, 20), manager=msk(0, 19)), msk(0, 20, 2), True, "send"),  # answered earlier
        (SCHEDULED, state(msk(1, 8, 59)), msk(1, 9, 1), False, "opened_meanwhile"),
        (SCHEDULED, state(msk(0, 20)), msk(1, 19), False, "opened_meanwhile"),  # closed again, too late
        (SCHEDULED, state(msk(1, 3), auto=msk(0, 20, 2)), msk(1, 3, 2), False, "already_replied"),
        (SCHEDULED, state(msk(1, 20), auto=msk(0, 20, 2)), msk(1, 20, 2), True, "send"),  # a new evening
        (SCHEDULED, state(msk(0, 20), auto=msk(0, 17)), msk(0, 20, 2), True, "send"),  # before closing
        # always mode
        (ALWAYS, state(msk(0, 12)), msk(0, 12, 2), True, "send"),
        (ALWAYS, state(msk(0, 12), auto=msk(0, 8)), msk(0, 12, 2), False, "already_replied"),
        (ALWAYS, state(msk(1, 12, 30), auto=msk(0, 12, 2)), msk(1, 12, 31), True, "send"),  # over 24 h
        (ALWAYS, state(msk(0, 12), manager=msk(0, 12, 1)), msk(0, 12, 2), False, "manager_answered"),
    ],
)
def test_decide_table(
    rules: AutoReplyRules, dialog: DialogReplyState, now: datetime, send: bool, reason: str
) -> None:
    decision = decide(rules, dialog, now)
    assert (decision.send, decision.reason) == (send, reason)


def test_mode_is_coerced_from_text() -> None:
    assert AutoReplyRules(True, "always", None, "x").mode is AutoReplyMode.ALWAYS  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        AutoReplyRules(True, "sometimes", None, "x")  # type: ignore[arg-type]


def test_whole_week_off_falls_back_to_once_a_day() -> None:
    rules = AutoReplyRules(True, AutoReplyMode.SCHEDULE, Schedule("Europe/Moscow", (None,) * 7), TEXT)
    assert decide(rules, state(msk(0, 12), auto=msk(-5, 12)), msk(0, 12, 2)).send
    assert decide(rules, state(msk(0, 12), auto=msk(0, 1)), msk(0, 12, 2)).reason == "already_replied"


def test_times_in_other_zones_are_compared_as_instants() -> None:
    buyer = datetime(2025, 6, 2, 17, 0, tzinfo=UTC)  # 20:00 Moscow
    manager = datetime(2025, 6, 2, 20, 0, 30, tzinfo=MSK)  # 30 s after the buyer
    assert decide(SCHEDULED, state(buyer, manager), buyer + DELAY).reason == "manager_answered"


@pytest.mark.parametrize(
    ("rules", "moment", "expected"),
    [
        (SCHEDULED, msk(0, 20), True),
        (SCHEDULED, msk(0, 10), False),
        (ALWAYS, msk(0, 10), True),
        (AutoReplyRules(False, "always", None, TEXT), msk(0, 10), False),
        (AutoReplyRules(True, "schedule", None, TEXT), msk(0, 20), False),
        (AutoReplyRules(True, "always", None, ""), msk(0, 20), False),
    ],
)
def test_should_plan(rules: AutoReplyRules, moment: datetime, expected: bool) -> None:
    assert should_plan(rules, moment) is expected


def test_preview() -> None:
    assert preview(SCHEDULED, msk(0, 12)) == Preview(False, msk(0, 18), "open_hours")
    assert preview(SCHEDULED, msk(0, 20)) == Preview(True, msk(1, 9), "send")
    assert preview(SCHEDULED, msk(4, 19)) == Preview(True, msk(7, 9), "send")
    assert preview(ALWAYS, msk(0, 12)) == Preview(True, None, "send")
    assert preview(AutoReplyRules(False, "schedule", WEEKDAYS, TEXT), msk(0, 20)).reason == "disabled"


# --- properties -------------------------------------------------------------------------------

moment_offsets = st.lists(st.integers(min_value=0, max_value=14 * 24 * 60), min_size=1, max_size=25)


def _simulate(
    rules: AutoReplyRules, offsets: list[int], managers: list[int]
) -> list[tuple[datetime, datetime]]:
    """Run the deferred-job flow for one dialog; return (buyer message, auto-reply) pairs sent."""
    start = datetime(2025, 6, 2, tzinfo=UTC)
    events = sorted(
        [(start + timedelta(minutes=m), "buyer") for m in offsets]
        + [(start + timedelta(minutes=m, seconds=30), "manager") for m in managers]
    )
    buyer_at = manager_at = auto_at = None
    jobs: list[datetime] = []
    sent: list[tuple[datetime, datetime]] = []

    def run_jobs_until(moment: datetime) -> None:
        nonlocal auto_at
        while jobs and jobs[0] <= moment:
            run_at = jobs.pop(0)
            if decide(rules, DialogReplyState(buyer_at, manager_at, auto_at), run_at).send:
                assert buyer_at is not None
                sent.append((buyer_at, run_at))
                auto_at = run_at

    for moment, who in events:
        run_jobs_until(moment)
        if who == "manager":
            manager_at = moment
        else:
            buyer_at = moment
            if should_plan(rules, moment) and not jobs:  # one pending job per dialog (_job_id)
                jobs.append(moment + DELAY)
    run_jobs_until(datetime.max.replace(tzinfo=UTC))
    return sent


@THOROUGH
@given(schedules(), moment_offsets, st.lists(st.integers(min_value=0, max_value=14 * 24 * 60), max_size=5))
def test_schedule_mode_sends_at_most_once_per_interval(
    schedule: Schedule, offsets: list[int], managers: list[int]
) -> None:
    rules = AutoReplyRules(True, AutoReplyMode.SCHEDULE, schedule, TEXT)
    sent = _simulate(rules, offsets, managers)
    for buyer_at, sent_at in sent:
        interval = closed_interval(schedule, buyer_at)
        assert interval is not None and interval.contains(sent_at)  # still closed when sent
    keys = [closed_interval(schedule, buyer_at).key() for buyer_at, _ in sent]  # type: ignore[union-attr]
    if schedule.always_closed:
        for (_, first), (_, second) in itertools.pairwise(sent):
            assert second - first >= timedelta(hours=24)
    else:
        assert len(keys) == len(set(keys))


@FAST
@given(moment_offsets)
def test_always_mode_sends_at_most_once_a_day(offsets: list[int]) -> None:
    sent = _simulate(ALWAYS, offsets, [])
    assert sent, "the first buyer message is always answered"
    for (_, first), (_, second) in itertools.pairwise(sent):
        assert second - first >= timedelta(hours=24)


@THOROUGH
@given(
    schedules(),
    st.sampled_from(list(AutoReplyMode)),
    st.integers(min_value=0, max_value=14 * 24 * 60),
    st.integers(min_value=0, max_value=600),
    st.integers(min_value=0, max_value=24 * 60),
    st.none() | st.integers(min_value=-30 * 24 * 60, max_value=14 * 24 * 60),
)
def test_never_sends_after_a_manager_answer(
    schedule: Schedule, mode: AutoReplyMode, buyer: int, answer_after: int, run_after: int, auto: int | None
) -> None:
    start = datetime(2025, 6, 2, tzinfo=UTC)
    buyer_at = start + timedelta(minutes=buyer)
    manager_at = buyer_at + timedelta(seconds=answer_after)
    auto_at = None if auto is None else start + timedelta(minutes=auto)
    rules = AutoReplyRules(True, mode, schedule, TEXT)
    now = manager_at + timedelta(minutes=run_after)
    decision = decide(rules, DialogReplyState(buyer_at, manager_at, auto_at), now)
    assert not decision.send
    if mode is not AutoReplyMode.OFF:
        assert decision.reason == "manager_answered"


@THOROUGH
@given(
    schedules(), st.integers(min_value=0, max_value=14 * 24 * 60), st.integers(min_value=0, max_value=3 * 60)
)
def test_a_send_implies_it_was_planned_and_still_closed(schedule: Schedule, buyer: int, delay: int) -> None:
    rules = AutoReplyRules(True, AutoReplyMode.SCHEDULE, schedule, TEXT)
    buyer_at = datetime(2025, 6, 2, tzinfo=UTC) + timedelta(minutes=buyer)
    now = buyer_at + timedelta(minutes=delay)
    decision = decide(rules, DialogReplyState(buyer_at, None, None), now)
    assert decision.send == (
        should_plan(rules, buyer_at) and should_plan(rules, now) and decision.reason == "send"
    )
    at_buyer, at_run = closed_interval(schedule, buyer_at), closed_interval(schedule, now)
    if at_buyer is not None and at_run is not None and at_buyer.key() == at_run.key():
        assert decision.send
