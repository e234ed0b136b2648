"""The transactional inbox of client bots' Telegram updates, shared by long polling and webhooks.

A receiver stores each raw update (`store`, one commit) before it tells Telegram it arrived: it advances the
getUpdates offset, or answers the webhook 200, only afterwards. A repeated delivery is stored once (the key is
bot and `update_id`). Handling is separate: one worker task per bot takes the bot's pending updates in
`update_id` order, feeds each to the client Dispatcher and marks it handled once the handler has returned.

- A handler that raises is retried with back-off; the update stays pending and blocks the bot's later
  updates (order), with its attempts and last error recorded. After `RetryPolicy.attempts` failures
  (8, about a minute) it is marked failed and logged at ERROR, so that one poison update cannot stop a bot.
- A database outage records nothing and counts no attempt: the worker waits and tries again.
- Only the holder of the bot's lease (a row in the database, renewed while it works) handles its updates,
  so several `tuberry bot` processes behind one proxy never handle one bot's updates at once or out of order.
  A process that dies stops renewing; its lease lapses after `LEASE`.
- `resume` (called by the receivers' sync loop) wakes the bots with pending updates, so that what a restart
  or a crash left behind is handled, and prunes finished rows (Telegram repeats an update for 24 hours at
  most, so a handled row older than two days can meet no duplicate).

Handlers must tolerate a replay: a crash between a handler's commit and the "handled" mark replays it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Update

from tuberry.storage.db import Database
from tuberry.storage.models import BotStatus
from tuberry.storage.repos import BotRepo, LeaseRepo, UpdateInboxRepo
from tuberry.storage.repos.updates import PendingUpdate
from tuberry.storage.types import utcnow
from tuberry.telegram.bot_factory import BotFactory

log = logging.getLogger(__name__)

T = TypeVar("T")

LEASE = timedelta(seconds=15)  # a dead process holds a bot's updates this long at most
RENEW_EVERY = 5.0  # seconds between renewals of a held lease
CONTENDED = 1.0  # seconds before asking again for a lease another process holds
HANDLER_TIMEOUT = 120.0  # a handler that hangs longer counts as a failed attempt
BATCH = 50  # pending updates read at once
DB_RETRY = 2.0  # seconds before a worker tries again after a database error
KEEP_HANDLED = timedelta(days=2)
KEEP_FAILED = timedelta(days=14)  # kept longer: what a failed update was, for whoever reads the ERROR
PRUNE_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing handler is retried.

    8 attempts at 0.5, 1, 2 … 30 seconds apart take about a minute: enough for a database failover or a Redis
    restart to pass, while a poison update holds its bot's later updates back for about a minute only.
    """

    attempts: int = 8
    first_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, failures: int) -> float:
        """Seconds before the next attempt after `failures` failed ones."""
        return min(self.max_delay, self.first_delay * 2 ** (failures - 1))


DEFAULT_RETRY = RetryPolicy()


def update_payload(update: Update) -> dict[str, Any]:
    """An update aiogram has parsed (long polling), as the JSON Telegram sent (webhooks store that as is)."""
    return update.model_dump(mode="json", exclude_unset=True, by_alias=True)


class UpdateInbox:
    def __init__(
        self,
        db: Database,
        bots: BotFactory,
        dispatcher: Dispatcher,
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        lease: timedelta = LEASE,
    ) -> None:
        self._db = db
        self._bots = bots
        self.dispatcher = dispatcher
        self._retry = retry
        self._lease = lease
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()  # bots woken while their worker was running: look again before ending
        self._pruned_at: datetime | None = None

    # ------------------------------------------------------------------ for the receivers

    async def store(self, bot_id: int, updates: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Store raw updates durably (committed when this returns); raises when the database fails."""
        async with self._db.session() as session:
            await UpdateInboxRepo(session).store(bot_id, updates, utcnow())
            await session.commit()

    def wake(self, bot_id: int) -> None:
        """New updates for the bot are stored: make sure a worker of this process looks at them."""
        worker = self._workers.get(bot_id)
        if worker is not None and not worker.done():
            self._again.add(bot_id)
            return
        self._workers[bot_id] = asyncio.create_task(self._work(bot_id), name=f"updates-{bot_id}")

    async def resume(self) -> None:
        """Wake every bot with pending updates (left by a restart, a crash or another process); prune."""
        now = utcnow()
        async with self._db.session() as session:
            repo = UpdateInboxRepo(session)
            bots = await repo.bots_with_pending()
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
                pruned = await repo.prune(now - KEEP_HANDLED, now - KEEP_FAILED)
                await session.commit()
                self._pruned_at = now
                if pruned:
                    log.info("pruned %s finished Telegram updates", pruned)
        for bot_id in bots:
            self.wake(bot_id)

    @property
    def working(self) -> set[int]:
        return {bot_id for bot_id, task in self._workers.items() if not task.done()}

    async def stop(self, bot_id: int) -> None:
        """Stop handling the bot's updates in this process (they stay stored)."""
        worker = self._workers.pop(bot_id, None)
        if worker is not None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        await self._release(bot_id)

    async def close(self) -> None:
        for bot_id in list(self._workers):
            await self.stop(bot_id)

    # ------------------------------------------------------------------ the worker

    async def _work(self, bot_id: int) -> None:
        try:
            bot = None
            while True:
                self._again.discard(bot_id)
                try:
                    if bot is None:
                        bot = await self._bot(bot_id)
                        if bot is None:
                            return  # disconnected or stopped: its updates wait for it
                    more = await self._step(bot_id, bot)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("bot %s: handling stored updates failed (%s), retrying", bot_id, _reason(exc))
                    await asyncio.sleep(DB_RETRY)
                    continue
                # No await between this check and the end of the task: a wake() after it starts a new worker.
                if not more and bot_id not in self._again:
                    return
        finally:
            if self._workers.get(bot_id) is asyncio.current_task():
                del self._workers[bot_id]

    async def _step(self, bot_id: int, bot: Bot) -> bool:
        """Handle what is due of the bot's pending updates; False when there is nothing left to do."""
        if not await self._claim(bot_id):
            # Another process holds the lease and handles these updates too; it may also be letting go.
            async with self._db.session() as session:
                left = await UpdateInboxRepo(session).pending(bot_id, 1)
            if left:
                await asyncio.sleep(CONTENDED)
            return bool(left)
        async with self._db.session() as session:
            batch = await UpdateInboxRepo(session).pending(bot_id, BATCH)
        if not batch:
            await self._release(bot_id)
            return False
        for pending in batch:
            if pending.retry_at is not None:
                wait = (pending.retry_at - utcnow()).total_seconds()
                if wait > 0:
                    await self._holding(bot_id, asyncio.sleep(wait))
            if not await self._handle(bot_id, bot, pending):
                break  # it failed: nothing after it goes before it
        return True

    async def _handle(self, bot_id: int, bot: Bot, pending: PendingUpdate) -> bool:
        """Feed one update to the dispatcher and record the outcome; False if the handler failed."""
        try:
            update = Update.model_validate(pending.payload, context={"bot": bot})
            handling = self.dispatcher.feed_update(bot, update, client_bot_id=bot_id)
            await self._holding(bot_id, asyncio.wait_for(handling, HANDLER_TIMEOUT))
        except (asyncio.CancelledError, LeaseLost):
            raise
        except Exception as exc:
            await self._failed(bot_id, pending, exc)
            return False
        async with self._db.session() as session:
            await UpdateInboxRepo(session).mark_handled(bot_id, pending.update_id, utcnow())
            await session.commit()
        return True

    async def _failed(self, bot_id: int, pending: PendingUpdate, exc: Exception) -> None:
        failures = pending.attempts + 1
        now = utcnow()
        if failures >= self._retry.attempts:
            retry_at = None
            log.error(
                "bot %s: update %s failed %s times, given up",
                bot_id,
                pending.update_id,
                failures,
                exc_info=exc,
            )
        else:
            delay = self._retry.delay(failures)
            retry_at = now + timedelta(seconds=delay)
            log.warning(
                "bot %s: update %s failed (%s), retry %s in %.1f s",
                bot_id,
                pending.update_id,
                _reason(exc),
                failures,
                delay,
                exc_info=exc,
            )
        async with self._db.session() as session:
            await UpdateInboxRepo(session).mark_failed_attempt(
                bot_id, pending.update_id, _reason(exc)[:1000], retry_at, now
            )
            await session.commit()

    async def _holding(self, bot_id: int, work: Awaitable[T]) -> T:
        """Await `work` while renewing the bot's lease; a lost lease stops the worker (someone else took over,
        which only happens after this process could not renew for a whole lease period)."""
        task = asyncio.ensure_future(work)
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=RENEW_EVERY)
                if done:
                    return task.result()
                if not await self._claim(bot_id):
                    raise LeaseLost(bot_id)
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def _bot(self, bot_id: int) -> Bot | None:
        async with self._db.session() as session:
            row = await BotRepo(session).by_id(bot_id)
            if row is None or row.status != BotStatus.ACTIVE:
                return None
            return self._bots.get(row.token)

    async def _claim(self, bot_id: int) -> bool:
        """Take or renew the bot's lease (the `leases` table the jobs use too)."""
        leases = LeaseRepo(self._db)
        return await leases.acquire(_lease_name(bot_id), self.holder, utcnow(), self._lease) is None

    async def _release(self, bot_id: int) -> None:
        try:
            await LeaseRepo(self._db).release(_lease_name(bot_id), self.holder)
        except Exception as exc:  # the lease lapses by itself
            log.warning("bot %s: releasing the update lease failed (%s)", bot_id, _reason(exc))


def _lease_name(bot_id: int) -> str:
    return f"updates:{bot_id}"


class LeaseLost(Exception):
    def __init__(self, bot_id: int) -> None:
        super().__init__(f"bot {bot_id}: another process took over its updates")


def _reason(exc: BaseException) -> str:
    """What went wrong, without a request URL (Telegram's hold the token)."""
    if isinstance(exc, TelegramAPIError):
        return f"{type(exc).__name__}: {exc.message}"
    if isinstance(exc, asyncio.TimeoutError):
        return "handler timed out"
    return f"{type(exc).__name__}: {exc}"
