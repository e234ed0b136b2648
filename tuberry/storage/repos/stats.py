"""Queries of the Stats screen: counts aggregated in SQL, a period's events for the percentile maths.

Rules shared by every query (the maths on top lives in `domain.stats`):

* A message's moment is Avito's timestamp for what was read from Avito (the buyer's messages and the
  seller's own from the Avito app: a backfill is dated when it was written, not when we read it), and
  our own `created_at` for what Tuberry wrote (a manager's reply is dated when the manager sent it in
  the topic, however long Avito took to accept it; an auto-reply when it was decided).
* Counted: every buyer message, and outgoing messages that have not failed or been cancelled (the
  buyer never saw those). Avito's `system` notices are neither the buyer's nor an answer.
* A *human reply* is an outgoing message that is not an auto-reply: a manager through Tuberry or the
  seller in the Avito app.
* Everything is scoped to one workspace's accounts that are not removed.

A period's messages are found through the index on `created_at`: a message's moment is never later than
when we stored it, give or take the difference between Avito's clock and ours (`CLOCK_SKEW`), so whatever
was stored before the period began cannot fall in it. Questions about a dialog's whole history (its first
message, whether it was waiting when the period began) are asked only of the dialogs the period touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.domain.stats import Event
from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    AvitoState,
    Dialog,
    Direction,
    Message,
    Origin,
)

CLOCK_SKEW = timedelta(hours=1)  # how far Avito's timestamps may run ahead of our clock, generously


@dataclass(frozen=True, slots=True)
class Counts:
    """One account's figures for a period."""

    new_dialogs: int = 0  # dialogs whose first message falls in the period
    messages_in: int = 0
    messages_out: int = 0  # human replies
    auto_replies: int = 0


def moment() -> ColumnElement[datetime]:
    """When a message was written (see the module's rules)."""
    return case(
        (Message.origin == Origin.AVITO, func.coalesce(Message.avito_created_at, Message.created_at)),
        else_=Message.created_at,
    )


def _counted() -> ColumnElement[bool]:
    return and_(
        Message.kind != "system",
        or_(
            Message.direction == Direction.IN,
            Message.avito_state.not_in([AvitoState.FAILED, AvitoState.CANCELLED]),
        ),
    )


def _in_period(since: datetime, until: datetime) -> ColumnElement[bool]:
    """The message's moment is in `[since, until)`; the first condition lets the database use its index."""
    at = moment()
    return and_(Message.created_at >= since - CLOCK_SKEW, at >= since, at < until)


def _touched(since: datetime, until: datetime) -> Select[Any]:
    """Ids of the dialogs with a message in `[since, until)` (any workspace's: the callers scope)."""
    return select(Message.dialog_id).where(_in_period(since, until)).distinct()


def _human_reply() -> ColumnElement[bool]:
    return and_(Message.direction == Direction.OUT, Message.is_auto_reply.is_(False))


class StatsRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @staticmethod
    def _scoped(stmt: Select[Any], workspace_id: int) -> Select[Any]:
        """Counted messages of the workspace's accounts, with the dialog's account id at hand."""
        return (
            stmt.select_from(Message)
            .join(Dialog, Dialog.id == Message.dialog_id)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
            .where(
                AvitoAccount.workspace_id == workspace_id,
                AvitoAccount.status != AccountStatus.REMOVED,
                _counted(),
            )
        )

    async def counts(self, workspace_id: int, since: datetime, until: datetime) -> dict[int, Counts]:
        """Figures of `[since, until)` per account id (accounts without activity are left out)."""
        at = moment()
        rows = await self.session.execute(
            self._scoped(
                select(Dialog.account_id, Message.direction, Message.is_auto_reply, func.count()),
                workspace_id,
            )
            .where(_in_period(since, until))
            .group_by(Dialog.account_id, Message.direction, Message.is_auto_reply)
        )
        tallies: dict[int, list[int]] = {}
        for account_id, direction, is_auto, count in rows:
            slot = 1 if direction == Direction.IN else 3 if is_auto else 2
            tallies.setdefault(account_id, [0, 0, 0, 0])[slot] += int(count)

        first = (
            self._scoped(select(Dialog.account_id.label("account_id")), workspace_id)
            .where(Message.dialog_id.in_(_touched(since, until)))
            .group_by(Message.dialog_id, Dialog.account_id)
            .having(and_(func.min(at) >= since, func.min(at) < until))
            .subquery()
        )
        rows = await self.session.execute(
            select(first.c.account_id, func.count()).group_by(first.c.account_id)
        )
        for account_id, count in rows:
            tallies.setdefault(account_id, [0, 0, 0, 0])[0] = int(count)
        return {account_id: Counts(*values) for account_id, values in tallies.items()}

    async def events(self, workspace_id: int, since: datetime, until: datetime) -> dict[int, list[Event]]:
        """Per account id: the events of `[since, until)` in time order, preceded by one buyer event
        (dated before `since`) for every dialog that was already waiting at `since`, so that
        `first_response_times(..., since=since)` neither starts a new episode at a later buyer message
        nor counts the one that began earlier."""
        at = moment()
        result: dict[int, list[Event]] = {}
        # Only a dialog with events in the period has an episode the earlier buyer event could change.
        waiting = await self._waiting(workspace_id, before=since, touched=(since, until))
        for account_id, dialog_id, waiting_since in waiting:
            result.setdefault(account_id, []).append(Event(dialog_id, waiting_since, "in"))
        rows = await self.session.execute(
            self._scoped(
                select(Dialog.account_id, Message.dialog_id, at, Message.direction, Message.is_auto_reply),
                workspace_id,
            )
            .where(_in_period(since, until))
            .order_by(at, Message.id)
        )
        for account_id, dialog_id, moment_, direction, is_auto in rows:
            result.setdefault(account_id, []).append(
                Event(dialog_id, moment_, "in" if direction == Direction.IN else "out", bool(is_auto))
            )
        return result

    async def _waiting(
        self, workspace_id: int, before: datetime, touched: tuple[datetime, datetime] | None = None
    ) -> list[tuple[int, int, datetime]]:
        """(account id, dialog id, last buyer message) of dialogs waiting for a human reply at `before`, among
        those with a message in the period `touched` when given; from the messages (a period's start is
        history: `waiting_since` is only now's, see repos.waiting). A reply at the very moment of the buyer's
        message counts as an answer."""
        at = moment()
        last_in = func.max(case((Message.direction == Direction.IN, at)))
        last_reply = func.max(case((_human_reply(), at)))
        stmt = self._scoped(select(Dialog.account_id, Message.dialog_id, last_in), workspace_id)
        stmt = stmt.where(at < before)
        if touched is not None:
            stmt = stmt.where(Message.dialog_id.in_(_touched(*touched)))
        rows = await self.session.execute(
            stmt.group_by(Dialog.account_id, Message.dialog_id).having(
                and_(last_in.is_not(None), or_(last_reply.is_(None), last_reply < last_in))
            )
        )
        return [(account_id, dialog_id, since) for account_id, dialog_id, since in rows]
