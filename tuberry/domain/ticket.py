"""A dialog seen as a ticket: is the buyer waiting for us, have we answered, is it closed.

One rule serves the topic's status icon, the waiting alerts and the stats screen's "waiting" figures:
a dialog is *waiting* from the first buyer message nobody answered (a manager in the topic or the seller
in the Avito app; an auto-reply is not an answer, and Avito's own notices are nobody's turn) until someone
answers. `waiting_since` is kept on the dialog as that moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from tuberry.domain.inbound import Turns


class TopicStatus(StrEnum):
    WAITING = "waiting"  # the buyer wrote last
    ANSWERED = "answered"  # we wrote last (or nobody has written yet)
    CLOSED = "closed"  # a manager closed the topic; the buyer's next message reopens it


def waiting_after(previous: datetime | None, spoke: Turns) -> datetime | None:
    """The dialog's `waiting_since` once a batch of new Avito messages is read: the seller's answer in the
    batch settles what came before it; a buyer who was already waiting keeps the older moment."""
    if spoke.seller_at is not None:
        return spoke.unanswered_from
    return previous or spoke.unanswered_from


def status(closed: bool, waiting_since: datetime | None) -> TopicStatus:
    if closed:
        return TopicStatus.CLOSED
    return TopicStatus.WAITING if waiting_since is not None else TopicStatus.ANSWERED


def alert_due(
    waiting_since: datetime, opened_at: datetime | None, now: datetime, threshold: timedelta
) -> bool:
    """A waiting alert is due once the buyer has waited `threshold` within the current working period:
    a wait that began off-hours counts from the opening (`opened_at`; None: closed now, nothing is due)."""
    if opened_at is None:
        return False
    return max(waiting_since, opened_at) + threshold <= now
