"""The Stats queries on SQLite and PostgreSQL, against figures worked out by hand.

The period is [SINCE, NOW). Times below are minutes after SINCE unless said otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tuberry.domain.stats import first_response_times, percentile
from tuberry.storage.db import Database
from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    AvitoState,
    Dialog,
    Direction,
    Message,
    Origin,
    TgState,
    Workspace,
)
from tuberry.storage.repos import StatsRepo
from tuberry.storage.repos.stats import Counts

SINCE = datetime(2025, 3, 14, 0, 0, tzinfo=UTC)
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return SINCE + timedelta(minutes=minutes)


class Seed:
    """Rows with chosen times; `created_at` is set explicitly so the wall clock plays no part."""

    def __init__(self) -> None:
        self.rows: list[object] = []
        self.next_id = 0

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def workspace(self) -> int:
        workspace_id = self._id()
        self.rows.append(Workspace(id=workspace_id, owner_telegram_id=1000 + workspace_id))
        return workspace_id

    def account(self, workspace_id: int, status: str = AccountStatus.ACTIVE) -> int:
        account_id = self._id()
        self.rows.append(
            AvitoAccount(
                id=account_id,
                workspace_id=workspace_id,
                client_id="cid",
                client_secret="secret",
                avito_user_id=5000 + account_id,
                webhook_secret="s",
                status=status,
            )
        )
        return account_id

    def dialog(self, account_id: int) -> int:
        dialog_id = self._id()
        self.rows.append(Dialog(id=dialog_id, account_id=account_id, avito_chat_id=f"u2i-{dialog_id}"))
        return dialog_id

    def buyer(self, dialog_id: int, when: datetime, *, read_at: datetime | None = None, kind: str = "text"):  # type: ignore[no-untyped-def]
        """A buyer's message read from Avito (possibly long after it was written)."""
        self._message(
            dialog_id, Direction.IN, Origin.AVITO, avito_at=when, created=read_at or when, kind=kind
        )

    def seller_app(self, dialog_id: int, when: datetime) -> None:
        """The seller answering from the Avito app, read by the poller a while later."""
        self._message(
            dialog_id, Direction.OUT, Origin.AVITO, avito_at=when, created=when + timedelta(hours=1)
        )

    def manager(self, dialog_id: int, when: datetime, *, state: str = AvitoState.SENT) -> None:
        """A manager's reply in the topic, accepted by Avito later (Avito's time must not be used)."""
        self._message(
            dialog_id,
            Direction.OUT,
            Origin.MANAGER,
            avito_at=when + timedelta(hours=2),
            created=when,
            state=state,
        )

    def auto(self, dialog_id: int, when: datetime) -> None:
        self._message(dialog_id, Direction.OUT, Origin.AUTO, avito_at=when, created=when, auto=True)

    def _message(  # type: ignore[no-untyped-def]
        self,
        dialog_id,
        direction,
        origin,
        *,
        avito_at,
        created,
        state=AvitoState.SENT,
        auto=False,
        kind="text",
    ) -> None:
        self.rows.append(
            Message(
                dialog_id=dialog_id,
                direction=direction,
                origin=origin,
                kind=kind,
                avito_created_at=avito_at,
                created_at=created,
                tg_state=TgState.DELIVERED,
                avito_state=AvitoState.RECEIVED if direction == Direction.IN else state,
                is_auto_reply=auto,
            )
        )

    async def save(self, db: Database) -> None:
        async with db.session() as session:
            for row in self.rows:  # parents first: ids are given, so flush in order
                session.add(row)
                await session.flush()
            await session.commit()


async def _scenario(db: Database) -> dict[str, int]:
    s = Seed()
    shop, other = s.workspace(), s.workspace()
    a, b = s.account(shop), s.account(shop)
    removed = s.account(shop, AccountStatus.REMOVED)
    stranger = s.account(other)

    d1 = s.dialog(a)  # waiting since before the period; answered inside it
    s.buyer(d1, at(-120))
    s.buyer(d1, at(60))
    s.manager(d1, at(90))

    d2 = s.dialog(a)  # new; an auto-reply does not stop the clock, the seller's app reply does
    s.buyer(d2, at(120), read_at=at(300))
    s.auto(d2, at(121))
    s.buyer(d2, at(125))
    s.seller_app(d2, at(130))  # first response: 10 min

    d3 = s.dialog(a)  # new; a failed reply is no answer
    s.buyer(d3, at(180))
    s.manager(d3, at(185), state=AvitoState.FAILED)
    s.manager(d3, at(200))  # first response: 20 min

    d4 = s.dialog(a)  # new; only an auto-reply: still waiting
    s.buyer(d4, at(600))
    s.auto(d4, at(601))

    d5 = s.dialog(a)  # an Avito system notice only: neither new nor waiting
    s.buyer(d5, at(240), kind="system")

    d6 = s.dialog(b)  # new (its first message is the seller's)
    s.seller_app(d6, at(300))
    s.buyer(d6, at(360))
    s.manager(d6, at(420))  # first response: 60 min

    d7 = s.dialog(b)  # history only, answered: nothing in the period, not waiting
    s.buyer(d7, at(-840))
    s.manager(d7, at(-810))

    s.buyer(s.dialog(removed), at(480))  # a removed account's dialog counts nowhere
    s.buyer(s.dialog(stranger), at(480))  # another workspace
    await s.save(db)
    return {"shop": shop, "other": other, "a": a, "b": b, "stranger": stranger}


async def test_counts_per_account(database: Database) -> None:
    ids = await _scenario(database)
    async with database.session() as session:
        repo = StatsRepo(session)
        counts = await repo.counts(ids["shop"], SINCE, NOW)
        other = await repo.counts(ids["other"], SINCE, NOW)
        before = await repo.counts(ids["shop"], SINCE - timedelta(days=1), SINCE)

    assert counts == {
        ids["a"]: Counts(new_dialogs=3, messages_in=5, messages_out=3, auto_replies=2),
        ids["b"]: Counts(new_dialogs=1, messages_in=1, messages_out=2, auto_replies=0),
    }
    assert other == {ids["stranger"]: Counts(new_dialogs=1, messages_in=1)}
    # The day before: d1 and d7 begin (d1's buyer at -120, d7's exchange at -840/-810).
    assert before == {
        ids["a"]: Counts(new_dialogs=1, messages_in=1),
        ids["b"]: Counts(new_dialogs=1, messages_in=1, messages_out=1),
    }


async def test_first_response_times_from_the_period_events(database: Database) -> None:
    ids = await _scenario(database)
    async with database.session() as session:
        events = await StatsRepo(session).events(ids["shop"], SINCE, NOW)

    assert set(events) == {ids["a"], ids["b"]}
    times_a = first_response_times(events[ids["a"]], since=SINCE, until=NOW)
    times_b = first_response_times(events[ids["b"]], since=SINCE, until=NOW)
    assert times_a == [600.0, 1200.0]  # d1's episode began before the period: not counted
    assert times_b == [3600.0]
    every = times_a + times_b
    assert percentile(every, 50) == 1200.0
    assert percentile(every, 90) == 1200.0 + 0.8 * 2400.0
    # Only d1 was waiting at the start, marked by one buyer event dated before it.
    early = [e for e in events[ids["a"]] if e.at < SINCE]
    assert [(e.dialog_id, e.direction) for e in early] == [(early[0].dialog_id, "in")]
    assert all(e.at.tzinfo is not None for e in events[ids["a"]])


async def test_empty_workspace(database: Database) -> None:
    s = Seed()
    workspace = s.workspace()
    s.account(workspace)
    await s.save(database)
    async with database.session() as session:
        repo = StatsRepo(session)
        assert await repo.counts(workspace, SINCE, NOW) == {}
        assert await repo.events(workspace, SINCE, NOW) == {}


async def test_a_message_avito_dates_ahead_of_our_clock_counts_in_its_period(database: Database) -> None:
    """The period's messages are looked up by when we stored them: Avito's clock running half an hour ahead
    of ours must not drop a message stored just before the period that Avito dates inside it."""
    s = Seed()
    workspace = s.workspace()
    account = s.account(workspace)
    s.buyer(s.dialog(account), at(10), read_at=at(-20))
    await s.save(database)
    async with database.session() as session:
        repo = StatsRepo(session)
        counts = await repo.counts(workspace, SINCE, NOW)
        events = await repo.events(workspace, SINCE, NOW)

    assert counts == {account: Counts(new_dialogs=1, messages_in=1)}
    assert [(e.at, e.direction) for e in events[account]] == [(at(10), "in")]
