"""Receiving updates for every client bot in one process, started and stopped at run time.

Long polling: one task per bot calls getUpdates, stores the batch in the inbox (`bot/inbox.py`) and only then
moves the offset on, which is what tells Telegram the updates arrived; the inbox handles them in order. The
set of bots follows the database (`sync`), so a bot connected in the cabinet of another process, a
disconnected bot or a blocked workspace takes effect within one sync interval, and at once when the cabinet
calls start/stop. No failure (Telegram, the database) ends a bot's loop: it waits and tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramConflictError, TelegramUnauthorizedError

from tuberry.bot.inbox import DEFAULT_RETRY, RetryPolicy, UpdateInbox, update_payload
from tuberry.bot.sync_loop import run_sync_loop
from tuberry.storage.db import Database
from tuberry.storage.models import BotStatus, ClientBot
from tuberry.storage.repos import BotRepo
from tuberry.storage.types import utcnow
from tuberry.telegram.bot_factory import BotFactory

log = logging.getLogger(__name__)

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates request open
TOUCH_EVERY = timedelta(seconds=30)  # how often "last update" is written for the bot card
MAX_BACKOFF = 30.0  # seconds between tries while Telegram or the database keeps failing
SYNC_EVERY = 5.0  # seconds between syncs of the receiving bots with the database


class PollingReceivers:
    def __init__(
        self,
        db: Database,
        bots: BotFactory,
        dispatcher: Dispatcher,
        *,
        poll_timeout: int = POLL_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._db = db
        self._bots = bots
        self._timeout = poll_timeout
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._allowed = dispatcher.resolve_used_update_types()
        self.inbox = UpdateInbox(db, bots, dispatcher, retry=retry)

    @property
    def running(self) -> set[int]:
        return {bot_id for bot_id, task in self._tasks.items() if not task.done()}

    async def start(self, bot_id: int) -> None:
        if bot_id in self.running:
            return
        async with self._db.session() as session:
            row = await BotRepo(session).by_id(bot_id)
            if row is None or row.status != BotStatus.ACTIVE:
                return
            token = row.token
        self._tasks[bot_id] = asyncio.create_task(
            self._poll(bot_id, self._bots.get(token)), name=f"bot-{bot_id}"
        )

    async def stop(self, bot_id: int) -> None:
        task = self._tasks.pop(bot_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.inbox.stop(bot_id)

    async def sync(self) -> None:
        """Make the running set match the bots that should receive."""
        async with self._db.session() as session:
            wanted = {bot.id for bot in await BotRepo(session).receiving()}
        for bot_id in self.running - wanted:
            await self.stop(bot_id)
        for bot_id in wanted - self.running:
            await self.start(bot_id)
        await self.inbox.resume()

    async def run_sync_loop(self, interval: float = SYNC_EVERY) -> None:
        await run_sync_loop(self.sync, interval, "client bots", safe_reason)

    async def close(self) -> None:
        for bot_id in list(self._tasks):
            await self.stop(bot_id)
        await self.inbox.close()

    async def _poll(self, bot_id: int, bot: Bot) -> None:
        with contextlib.suppress(Exception):
            await bot.delete_webhook()  # a bot switched from webhooks to polling
        offset: int | None = None
        failures = 0
        touched = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=self._timeout,
                    allowed_updates=self._allowed,
                    request_timeout=self._timeout + 10,
                )
                if updates:
                    # Stored and committed before the offset moves on: the next getUpdates confirms them.
                    await self.inbox.store(bot_id, [(u.update_id, update_payload(u)) for u in updates])
                failures = 0
            except TelegramUnauthorizedError:
                if await _disabled(self._db, bot_id):
                    return
                failures = min(failures + 1, 10)  # 0.5 × 2**10 s is past MAX_BACKOFF already
                await asyncio.sleep(min(MAX_BACKOFF, 0.5 * 2**failures))
                continue
            except TelegramConflictError:
                log.warning("bot %s: another getUpdates or a webhook is active", bot_id)
                await asyncio.sleep(5)
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures = min(failures + 1, 10)
                log.warning("bot %s: receiving updates failed (%s), retrying", bot_id, safe_reason(exc))
                await asyncio.sleep(min(MAX_BACKOFF, 0.5 * 2**failures))
                continue
            if not updates:
                continue
            offset = updates[-1].update_id + 1
            self.inbox.wake(bot_id)
            if touched is None or utcnow() - touched > TOUCH_EVERY:
                touched = utcnow()
                try:
                    await touch_bot(self._db, bot_id)
                except Exception as exc:  # only the bot card's "last update" is late
                    log.warning("bot %s: recording the last update failed (%s)", bot_id, safe_reason(exc))


def safe_reason(exc: Exception) -> str:
    """What a Telegram call or a database write failed with, without the request URL (it holds the token)."""
    return exc.message if isinstance(exc, TelegramAPIError) else type(exc).__name__


async def _disabled(db: Database, bot_id: int) -> bool:
    """Disable a bot whose token Telegram rejects; False when the database failed (try again later)."""
    try:
        await disable_bot(db, bot_id, "unauthorized")
    except Exception as exc:
        log.warning("bot %s: disabling it failed (%s), retrying", bot_id, safe_reason(exc))
        return False
    return True


async def touch_bot(db: Database, bot_id: int) -> None:
    """Record that updates arrive (the bot card's "last update")."""
    async with db.session() as session:
        row = await session.get(ClientBot, bot_id)
        if row is not None:
            row.last_update_at = utcnow()
            await session.commit()


async def disable_bot(db: Database, bot_id: int, reason: str) -> None:
    log.warning("bot %s: token rejected by Telegram, disabling it", bot_id)
    async with db.session() as session:
        row = await session.get(ClientBot, bot_id)
        if row is not None:
            row.status, row.status_detail = BotStatus.DISABLED, reason
            await session.commit()
