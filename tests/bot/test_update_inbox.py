"""The update inbox on its own (both backends): order, one handler at a time across processes, retries,
giving up on a poison update, leases and pruning. The dispatcher is a plain aiogram one whose handler records
what it sees; no Telegram call is made."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from typing import Any

from aiogram import Dispatcher
from aiogram.types import Message
from sqlalchemy import select

from tests.waiting import until
from tuberry.bot.inbox import RetryPolicy, UpdateInbox
from tuberry.storage.db import Database
from tuberry.storage.models import ClientBot, TelegramUpdate, UpdateState
from tuberry.storage.repos import LeaseRepo, UpdateInboxRepo, WorkspaceRepo
from tuberry.storage.types import utcnow
from tuberry.telegram.bot_factory import BotFactory

QUICK = RetryPolicy(attempts=3, first_delay=0.05, max_delay=0.1)


def _update(update_id: int, text: str) -> tuple[int, dict[str, Any]]:
    chat = {"id": 42, "type": "private", "first_name": "Анна"}
    message = {"message_id": update_id, "date": 1754382000, "chat": chat, "from": chat | {"is_bot": False}}
    return update_id, {"update_id": update_id, "message": message | {"text": text}}


async def _bot_row(db: Database) -> int:
    async with db.session() as session:
        membership = await WorkspaceRepo(session).ensure_owner(1001, "Ольга")
        row = ClientBot(
            workspace_id=membership.workspace.id,
            telegram_bot_id=123456,
            token="123456:" + "A" * 35,
            username="shop_bot",
            webhook_secret=secrets.token_urlsafe(16),
        )
        session.add(row)
        await session.commit()
        return row.id


class Recorder:
    """The handler: records each text, fails the ones it is told to, and notices overlapping calls."""

    def __init__(self, name: str, seen: list[tuple[str, str]], failing: dict[str, int] | None = None) -> None:
        self.name, self.seen, self.failing = name, seen, failing if failing is not None else {}
        self.busy = 0
        self.overlaps = 0

    async def handle(self, message: Message) -> None:
        text = message.text or ""
        if self.failing.get(text, 0) > 0:
            self.failing[text] -= 1
            raise RuntimeError(f"handler failed on {text}")
        self.busy += 1
        self.overlaps += self.busy > 1
        await asyncio.sleep(0.005)  # room for another worker to interleave, if anything let it
        self.seen.append((self.name, text))
        self.busy -= 1


def _inbox(db: Database, recorder: Recorder, bots: BotFactory, **kwargs: Any) -> UpdateInbox:
    dp = Dispatcher()
    dp.message.register(recorder.handle)
    return UpdateInbox(db, bots, dp, **kwargs)


async def _states(db: Database) -> dict[int, tuple[str, int]]:
    async with db.session() as session:
        rows = await session.execute(
            select(TelegramUpdate.update_id, TelegramUpdate.state, TelegramUpdate.attempts)
        )
        return {update_id: (state, attempts) for update_id, state, attempts in rows}


async def test_two_processes_handle_a_bots_updates_once_in_order_one_at_a_time(database: Database) -> None:
    bot_id = await _bot_row(database)
    bots = BotFactory("http://127.0.0.1:9")
    seen: list[tuple[str, str]] = []
    shared = Recorder("a", seen)
    first, second = _inbox(database, shared, bots), _inbox(database, shared, bots)
    try:
        for batch in range(4):
            updates = [_update(100 + batch * 10 + i, f"m{batch * 10 + i:02}") for i in range(10)]
            await (first if batch % 2 else second).store(bot_id, updates)
            await (first if batch % 2 else second).store(bot_id, updates[:3])  # a repeated delivery
            first.wake(bot_id)
            second.wake(bot_id)
        await until(lambda: len(seen) >= 40, "every update handled")
        await until(lambda: not first.working and not second.working, "both workers idle")
    finally:
        await first.close()
        await second.close()
        await bots.close()
    texts = [text for _, text in seen]
    assert texts == sorted(texts) and len(texts) == 40  # in update_id order, each once
    assert shared.overlaps == 0  # never two handlers of one bot at once
    assert set((await _states(database)).values()) == {(UpdateState.HANDLED, 0)}


async def test_a_failing_handler_is_retried_and_a_poison_update_is_given_up(database: Database) -> None:
    bot_id = await _bot_row(database)
    bots = BotFactory("http://127.0.0.1:9")
    seen: list[tuple[str, str]] = []
    recorder = Recorder("a", seen, failing={"once": 1, "poison": 99})
    inbox = _inbox(database, recorder, bots, retry=QUICK)
    try:
        await inbox.store(
            bot_id, [_update(1, "before"), _update(2, "once"), _update(3, "poison"), _update(4, "after")]
        )
        inbox.wake(bot_id)
        await until(
            lambda: [text for _, text in seen] == ["before", "once", "after"], "the updates around it"
        )
    finally:
        await inbox.close()
        await bots.close()
    states = await _states(database)
    assert states[2] == (UpdateState.HANDLED, 1)  # one failed attempt recorded, then handled
    assert states[3] == (UpdateState.FAILED, QUICK.attempts)
    async with database.session() as session:
        poison = await session.get(TelegramUpdate, (bot_id, 3))
    assert poison is not None and "handler failed on poison" in (poison.last_error or "")


async def test_pending_updates_are_resumed_by_a_new_process(database: Database) -> None:
    bot_id = await _bot_row(database)
    bots = BotFactory("http://127.0.0.1:9")
    seen: list[tuple[str, str]] = []
    stored_only = _inbox(database, Recorder("old", seen), bots)
    await stored_only.store(bot_id, [_update(7, "left behind")])  # the process dies before handling it
    fresh = _inbox(database, Recorder("new", seen), bots)
    try:
        await fresh.resume()
        await until(lambda: seen == [("new", "left behind")], "the stored update handled")
    finally:
        await fresh.close()
        await bots.close()


async def test_a_bot_whose_lease_another_process_holds_waits_for_it(database: Database) -> None:
    """The inbox takes the bot's row in the `leases` table the jobs use: while another process holds it, this
    one handles nothing of that bot; once it is released, everything is handled."""
    bot_id = await _bot_row(database)
    bots = BotFactory("http://127.0.0.1:9")
    seen: list[tuple[str, str]] = []
    leases = LeaseRepo(database)
    assert await leases.acquire(f"updates:{bot_id}", "other process", utcnow(), timedelta(seconds=60)) is None
    inbox = _inbox(database, Recorder("a", seen), bots)
    try:
        await inbox.store(bot_id, [_update(1, "held back")])
        inbox.wake(bot_id)
        await asyncio.sleep(1.5)  # room for a wrong take-over to show up
        assert seen == []
        await leases.release(f"updates:{bot_id}", "other process")
        inbox.wake(bot_id)
        await until(lambda: seen == [("a", "held back")], "the update handled once the lease is free")
    finally:
        await inbox.close()
        await bots.close()


async def test_old_finished_updates_are_pruned_and_pending_ones_kept(database: Database) -> None:
    bot_id = await _bot_row(database)
    now = utcnow()
    async with database.session() as session:
        repo = UpdateInboxRepo(session)
        await repo.store(bot_id, [_update(i, str(i)) for i in range(1, 6)], now - timedelta(days=20))
        await repo.mark_handled(bot_id, 1, now - timedelta(days=3))
        await repo.mark_handled(bot_id, 2, now - timedelta(hours=1))
        await repo.mark_failed_attempt(bot_id, 3, "boom", None, now - timedelta(days=3))
        await repo.mark_failed_attempt(bot_id, 4, "boom", None, now - timedelta(days=15))
        assert await repo.prune(now - timedelta(days=2), now - timedelta(days=14)) == 2
        await session.commit()
    assert sorted(await _states(database)) == [2, 3, 5]
