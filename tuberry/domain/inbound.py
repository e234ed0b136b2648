"""Rules for reading an Avito account's chats into dialogs (jobs/poll): which chats changed, whose message is
whose, the times of messages, and who spoke last."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

BACKFILL = timedelta(hours=24)  # on an account's first poll, chats quiet for longer are not replayed


def changed(chat_id: str, last_message_id: str | None, cursors: Mapping[str, str | None]) -> bool:
    """A listed chat has something to read: its last message is not the stored cursor (a chat without any
    message has nothing to read; one without a dialog yet has)."""
    if last_message_id is None:
        return False
    return chat_id not in cursors or cursors[chat_id] != last_message_id


def is_own(direction: str | None, author_id: int | None, own_user_id: int) -> bool:
    """Written by the account itself (from the Avito app or through the API). Avito's `direction` says so when
    given; without it, the author does."""
    if direction:
        return direction == "out"
    return author_id == own_user_id


def when(timestamp: int | None) -> datetime | None:
    """Avito's unix time; None when an odd record has none or one out of range."""
    if timestamp is None:
        return None
    try:
        return datetime.fromtimestamp(timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def quiet(updated: int | None, now: datetime) -> bool:
    """A chat last updated longer than BACKFILL ago (one without a readable time is not quiet)."""
    return now - (when(updated) or now) > BACKFILL


def times(created: Sequence[int | None], default: datetime) -> list[datetime]:
    """Avito's times of messages (oldest first). One sent without a readable time keeps its place in the
    order: it takes its predecessor's time, or its successor's when it is the first; `default` when none
    has one."""
    moments = [when(timestamp) for timestamp in created]
    known = [moment for moment in moments if moment is not None]
    previous = known[0] if known else default
    filled: list[datetime] = []
    for moment in moments:
        previous = moment or previous
        filled.append(previous)
    return filled


class Speaker(StrEnum):
    """Whose turn a message is: the buyer's, the seller's, or neither (Avito's own notices: its bot flows,
    deal and delivery messages are nobody's question and nobody's answer)."""

    BUYER = "buyer"
    SELLER = "seller"
    AVITO = "avito"


def speaker(kind: str | None, direction: str | None, author_id: int | None, own_user_id: int) -> Speaker:
    if kind == "system":
        return Speaker.AVITO
    return Speaker.SELLER if is_own(direction, author_id, own_user_id) else Speaker.BUYER


@dataclass(frozen=True, slots=True)
class Turns:
    """When the buyer and the seller last spoke in a batch of new messages; None: not in this batch.
    `unanswered_from`: the first buyer message after the seller's last one in the batch (None when the batch
    ends with the seller or holds no buyer message)."""

    buyer_at: datetime | None = None
    seller_at: datetime | None = None
    unanswered_from: datetime | None = None


def turns(speakers: Sequence[Speaker], observed: datetime) -> Turns:
    """Who spoke last, in our own clock: managers' replies in Telegram are stamped by it too, and Avito's
    clock may differ from ours by seconds, which would decide "who answered after whom" wrongly. The batch
    (oldest first, one speaker per message) was observed at one moment; each message is a microsecond after
    the one before, so their order survives. The seller answering from the Avito app is an answer: an
    auto-reply would talk over it."""
    buyer_at: datetime | None = None
    seller_at: datetime | None = None
    unanswered_from: datetime | None = None
    for index, who in enumerate(speakers):
        moment = observed + timedelta(microseconds=index)
        if who is Speaker.SELLER:
            seller_at = moment
            unanswered_from = None
        elif who is Speaker.BUYER:
            buyer_at = moment
            unanswered_from = unanswered_from or moment
    return Turns(buyer_at, seller_at, unanswered_from)


def cut(value: str | None, length: int) -> str | None:
    """Fit an odd, overlong field into its column rather than fail the chat over it."""
    return value[:length] if value else value
