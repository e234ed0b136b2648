"""Receiving client bots' updates by webhook (PUBLIC_URL set): Telegram POSTs each one to `/tg/{bot_id}`.

The URL names the bot by its row id, never by its token (ARCHITECTURE example 9), and a request counts only
with the bot's `secret_token` in `X-Telegram-Bot-Api-Secret-Token`. Each update is stored in the inbox
(`bot/inbox.py`, keyed by bot and `update_id`, so a repeated delivery is stored once: Telegram repeats a
delivery it believes failed, API-NOTES §8.2) and answered 200 once committed; the inbox handles it in order,
in whichever process holds the bot's lease. Only a failed insert gets a non-2xx answer, so that Telegram
delivers the update again. Like PollingReceivers, the set of bots follows the database (`sync`): every bot
that should receive has its webhook set, a stopped one has it deleted.

A handler of our own rather than aiogram's request handlers: we need the row id → bot lookup from memory and
the answer only once the update is stored.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from aiogram import Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from tuberry.bot.common.ids import parse_id
from tuberry.bot.inbox import DEFAULT_RETRY, RetryPolicy, UpdateInbox
from tuberry.bot.receivers import SYNC_EVERY, TOUCH_EVERY, disable_bot, safe_reason, touch_bot
from tuberry.bot.sync_loop import run_sync_loop
from tuberry.bot.web import Route
from tuberry.storage.db import Database
from tuberry.storage.models import BotStatus, Workspace
from tuberry.storage.repos import BotRepo
from tuberry.storage.types import utcnow
from tuberry.telegram.bot_factory import BotFactory

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STARTS_AT_ONCE = 8  # setWebhook calls in flight during one sync (a starting process sets every bot's webhook)


@dataclass(frozen=True)
class _Credentials:
    token: str
    secret: str


class WebhookReceivers:
    def __init__(
        self,
        db: Database,
        bots: BotFactory,
        dispatcher: Dispatcher,
        *,
        public_url: str,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self._db = db
        self._bots = bots
        self._public_url = public_url.rstrip("/")
        self._allowed = dispatcher.resolve_used_update_types()
        self.inbox = UpdateInbox(db, bots, dispatcher, retry=retry)
        self._known: dict[int, _Credentials] = {}  # bots whose updates are accepted: no DB query per update
        self._started: set[int] = set()  # bots whose webhook this process has set
        self._undeleted: dict[int, str] = {}  # bot id → token whose deleteWebhook failed; retried by sync
        self._touched: dict[int, datetime] = {}

    @property
    def running(self) -> set[int]:
        return set(self._started)

    def url(self, bot_id: int) -> str:
        return f"{self._public_url}/tg/{bot_id}"

    def routes(self) -> list[Route]:
        return [("POST", "/tg/{bot_id}", self.handle)]

    # ------------------------------------------------------------------ start, stop, sync

    async def start(self, bot_id: int) -> None:
        credentials = await self._load(bot_id)
        if credentials is not None:
            await self._set(bot_id, credentials)

    async def stop(self, bot_id: int) -> None:
        credentials = self._known.pop(bot_id, None)
        self._started.discard(bot_id)
        token = credentials.token if credentials else None
        if token is None:  # started by another process, or its setWebhook failed: the token is in the row
            async with self._db.session() as session:
                row = await BotRepo(session).by_id(bot_id)
                token = row.token if row is not None else None
        if token is not None:
            await self._delete(bot_id, token)
        await self.inbox.stop(bot_id)

    async def sync(self) -> None:
        """Set the webhook of every bot that should receive; delete it for those that should not."""
        async with self._db.session() as session:
            wanted = {
                row.id: _Credentials(row.token, row.webhook_secret)
                for row in await BotRepo(session).receiving()
            }
        for bot_id in (self._started | set(self._known)) - set(wanted):
            if bot_id in self._started:
                await self.stop(bot_id)
            else:
                self._known.pop(bot_id, None)
        for bot_id, token in list(self._undeleted.items()):
            if bot_id not in wanted:
                await self._delete(bot_id, token)
        # A bot whose token changed (connected again in another process) gets its webhook set again.
        due = [
            (bot_id, credentials)
            for bot_id, credentials in wanted.items()
            if bot_id not in self._started or self._known.get(bot_id) != credentials
        ]
        gate = asyncio.Semaphore(STARTS_AT_ONCE)

        async def start(bot_id: int, credentials: _Credentials) -> None:
            async with gate:
                await self._set(bot_id, credentials)

        await asyncio.gather(*(start(bot_id, credentials) for bot_id, credentials in due))
        await self.inbox.resume()

    async def run_sync_loop(self, interval: float = SYNC_EVERY) -> None:
        await run_sync_loop(self.sync, interval, "client bot webhooks", safe_reason)

    async def close(self) -> None:
        """Webhooks stay set: while the process restarts, Telegram keeps updates and delivers them later."""
        self._started.clear()
        self._known.clear()
        await self.inbox.close()

    async def _load(self, bot_id: int) -> _Credentials | None:
        """The bot's token and secret if it should receive now (as BotRepo.receiving decides)."""
        async with self._db.session() as session:
            row = await BotRepo(session).by_id(bot_id)
            if row is None or row.status != BotStatus.ACTIVE:
                return None
            workspace = await session.get(Workspace, row.workspace_id)
            if workspace is None or workspace.blocked:
                return None
            return _Credentials(row.token, row.webhook_secret)

    async def _set(self, bot_id: int, credentials: _Credentials) -> None:
        # Updates are accepted even when setWebhook fails: a webhook set earlier may still be delivering.
        self._known[bot_id] = credentials
        bot = self._bots.get(credentials.token)
        try:
            await bot.set_webhook(
                url=self.url(bot_id), secret_token=credentials.secret, allowed_updates=self._allowed
            )
        except TelegramUnauthorizedError:
            self._known.pop(bot_id, None)
            await disable_bot(self._db, bot_id, "unauthorized")
            return
        except Exception as exc:
            log.warning("bot %s: setWebhook failed (%s), retrying at the next sync", bot_id, safe_reason(exc))
            return
        self._started.add(bot_id)
        self._undeleted.pop(bot_id, None)
        log.info("bot %s receives by webhook", bot_id)

    async def _delete(self, bot_id: int, token: str) -> None:
        try:
            await self._bots.get(token).delete_webhook()
        except TelegramUnauthorizedError:
            pass  # the token is revoked: Telegram delivers nothing more for it anyway
        except Exception as exc:
            log.warning(
                "bot %s: deleteWebhook failed (%s), retrying at the next sync", bot_id, safe_reason(exc)
            )
            self._undeleted[bot_id] = token
            return
        self._undeleted.pop(bot_id, None)
        log.info("bot %s: webhook deleted", bot_id)

    # ------------------------------------------------------------------ the endpoint

    async def handle(self, request: web.Request) -> web.Response:
        bot_id = parse_id(request.match_info["bot_id"])
        credentials = None
        if bot_id is not None:
            credentials = self._known.get(bot_id)
            if credentials is None:  # e.g. the first update after a restart, before the first sync
                try:
                    credentials = await self._load(bot_id)
                except Exception as exc:
                    log.warning(
                        "bot %s: reading the bot failed (%s); Telegram will retry", bot_id, safe_reason(exc)
                    )
                    return web.Response(status=503)
                if credentials is not None:
                    self._known[bot_id] = credentials
        given = request.headers.get(SECRET_HEADER, "").encode()
        if credentials is None or not hmac.compare_digest(given, credentials.secret.encode()):
            reason = "unknown or stopped bot" if credentials is None else "wrong secret token"
            log.warning("telegram webhook for bot %s refused: %s", bot_id, reason)
            return web.Response(status=401)
        assert bot_id is not None
        try:
            data = json.loads(await request.read())
            update = Update.model_validate(data)
        except (ValueError, ValidationError):
            # A non-2xx answer would make Telegram repeat it and hold back the bot's later updates.
            log.warning("bot %s: an update aiogram cannot read was dropped", bot_id)
            return web.Response()
        try:
            await self.inbox.store(bot_id, [(update.update_id, data)])
        except Exception as exc:
            log.warning(
                "bot %s: storing update %s failed (%s); Telegram will retry",
                bot_id,
                update.update_id,
                safe_reason(exc),
            )
            return web.Response(status=503)
        self.inbox.wake(bot_id)
        await self._touch(bot_id)
        return web.Response()

    async def _touch(self, bot_id: int) -> None:
        now = utcnow()
        last = self._touched.get(bot_id)
        if last is not None and now - last < TOUCH_EVERY:
            return
        self._touched[bot_id] = now
        try:
            await touch_bot(self._db, bot_id)
        except Exception as exc:
            log.warning("bot %s: recording the last update failed (%s)", bot_id, safe_reason(exc))
