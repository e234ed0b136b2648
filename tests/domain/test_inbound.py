"""The rules a poll reads Avito chats by: what changed, whose message, when, who spoke last."""

from datetime import UTC, datetime, timedelta

import pytest

from tuberry.domain.inbound import (
    BACKFILL,
    Speaker,
    Turns,
    changed,
    cut,
    is_own,
    quiet,
    speaker,
    times,
    turns,
    when,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BUYER, SELLER = Speaker.BUYER, Speaker.SELLER
SELF = 42


def stamp(moment: datetime) -> int:
    return int(moment.timestamp())


@pytest.mark.parametrize(
    ("last", "cursors", "expected"),
    [
        (None, {}, False),  # a chat without messages has nothing to read
        (None, {"c": "m1"}, False),
        ("m1", {}, True),  # a chat never read
        ("m1", {"c": None}, True),  # a dialog without a cursor (created, nothing stored yet)
        ("m1", {"c": "m1"}, False),  # the stored cursor: idle
        ("m2", {"c": "m1"}, True),
        ("m1", {"other": "m1"}, True),
    ],
)
def test_a_chat_changed_when_its_last_message_is_not_the_cursor(
    last: str | None, cursors: dict[str, str | None], expected: bool
) -> None:
    assert changed("c", last, cursors) is expected


@pytest.mark.parametrize(
    ("direction", "author", "expected"),
    [
        ("out", None, True),
        ("out", 7, True),  # Avito's direction wins over the author
        ("in", SELF, False),
        (None, SELF, True),  # no direction: the author decides
        ("", SELF, True),
        (None, 7, False),
        (None, None, False),
    ],
)
def test_own_messages_by_direction_else_author(
    direction: str | None, author: int | None, expected: bool
) -> None:
    assert is_own(direction, author, SELF) is expected


def test_when_reads_unix_time_and_drops_what_is_not() -> None:
    assert when(stamp(NOW)) == NOW
    assert when(None) is None
    assert when(10**20) is None  # out of range: an odd record, not a crash


def test_only_a_chat_quiet_longer_than_the_backfill_is_skipped() -> None:
    assert quiet(stamp(NOW - BACKFILL - timedelta(minutes=1)), NOW)
    assert not quiet(stamp(NOW - BACKFILL + timedelta(minutes=1)), NOW)
    assert not quiet(None, NOW)  # no time: replayed rather than lost
    assert not quiet(10**20, NOW)


def test_a_message_without_a_time_keeps_its_place() -> None:
    t1, t2 = NOW - timedelta(minutes=5), NOW - timedelta(minutes=1)
    assert times([None, stamp(t1), None, stamp(t2)], NOW) == [t1, t1, t1, t2]
    assert times([stamp(t1), 10**20], NOW) == [t1, t1]
    assert times([None, None], NOW) == [NOW, NOW]
    assert times([], NOW) == []


def test_who_spoke_last_in_our_clock_keeps_the_order_of_the_batch() -> None:
    spoke = turns([BUYER, SELLER, BUYER], NOW)
    assert spoke == Turns(
        buyer_at=NOW + timedelta(microseconds=2),
        seller_at=NOW + timedelta(microseconds=1),
        unanswered_from=NOW + timedelta(microseconds=2),
    )
    assert turns([BUYER, BUYER], NOW) == Turns(buyer_at=NOW + timedelta(microseconds=1), unanswered_from=NOW)
    assert turns([SELLER], NOW) == Turns(seller_at=NOW)
    assert turns([], NOW) == Turns()


def test_avitos_own_notices_are_nobodys_turn() -> None:
    assert speaker("system", "in", 0, 7) is Speaker.AVITO
    assert speaker("text", "in", 5, 7) is BUYER
    assert speaker("text", None, 7, 7) is SELLER
    assert turns([SELLER, Speaker.AVITO], NOW) == Turns(seller_at=NOW)


def test_cut_fits_a_field_into_its_column() -> None:
    assert cut("x" * 300, 256) == "x" * 256
    assert cut("short", 256) == "short"
    assert cut(None, 8) is None
    assert cut("", 8) == ""
