"""The ticket rule: waiting from the first unanswered buyer message until someone answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tuberry.domain.inbound import Speaker, turns
from tuberry.domain.schedule import Schedule, opened_at
from tuberry.domain.ticket import TopicStatus, alert_due, status, waiting_after

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(minutes=20)
BUYER, SELLER, AVITO = Speaker.BUYER, Speaker.SELLER, Speaker.AVITO


def test_a_buyer_waits_from_the_first_unanswered_message() -> None:
    assert waiting_after(None, turns([BUYER, BUYER], NOW)) == NOW
    assert waiting_after(EARLIER, turns([BUYER], NOW)) == EARLIER  # still waiting since the older one


def test_the_sellers_answer_settles_what_came_before() -> None:
    assert waiting_after(EARLIER, turns([SELLER], NOW)) is None
    assert waiting_after(EARLIER, turns([BUYER, SELLER], NOW)) is None
    after_answer = turns([SELLER, BUYER], NOW)
    assert waiting_after(EARLIER, after_answer) == NOW + timedelta(microseconds=1)


def test_avitos_notices_neither_open_nor_settle_a_wait() -> None:
    assert waiting_after(None, turns([AVITO], NOW)) is None
    assert waiting_after(EARLIER, turns([AVITO], NOW)) == EARLIER


def test_status_at_a_glance() -> None:
    assert status(False, EARLIER) is TopicStatus.WAITING
    assert status(False, None) is TopicStatus.ANSWERED
    assert status(True, EARLIER) is TopicStatus.CLOSED


def test_an_alert_counts_the_wait_within_working_hours() -> None:
    quarter = timedelta(minutes=15)
    nine_to_six = Schedule.parse("UTC", ["09:00-18:00"] * 7)
    opened = opened_at(nine_to_six, NOW)
    assert opened == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert alert_due(NOW - quarter, opened, NOW, quarter)
    assert not alert_due(NOW - quarter + timedelta(seconds=1), opened, NOW, quarter)
    # Written at night: the wait counts from the opening, so not at 09:05 but at 09:15.
    night = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    assert not alert_due(night, opened, opened + timedelta(minutes=5), quarter)
    assert alert_due(night, opened, opened + quarter, quarter)
    closed = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    assert opened_at(nine_to_six, closed) is None
    assert not alert_due(night, None, closed, quarter)
