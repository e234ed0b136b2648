"""Avito webhooks (PUBLIC_URL set): the receiver at `/avito/{account_id}/{secret}` and the subscriptions that
point Avito at it.

A delivery only triggers `poll_account`. The poll is the one import path: it deduplicates by Avito message id,
tells Tuberry's own sends (which Avito echoes) from the seller's app messages, keeps the order and marks chats
read. So a webhook that comes twice, late or never costs nothing but time, and the slower reconciliation poll
(`Config.poll_interval`) picks up what webhooks miss. Avito signs nothing we could verify (API-NOTES §4.5):
the secret in the path is the authentication.

Subscriptions follow the accounts: an active account linked to a bot, in a workspace that is not blocked (the
accounts `due_for_poll` polls), has its URL subscribed; any other has it unsubscribed. Other integrations'
URLs on the same account are never touched (API-NOTES §4.1).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Coroutine
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import ValidationError

from tuberry.app.avito_access import account_session
from tuberry.app.services import Services
from tuberry.avito import (
    AccessToken,
    AvitoError,
    AvitoForbidden,
    AvitoInvalidCredentials,
    AvitoPaymentRequired,
    AvitoSession,
    AvitoUnauthorized,
    parse_webhook,
)
from tuberry.bot.common.ids import parse_id
from tuberry.bot.sync_loop import run_sync_loop
from tuberry.bot.web import Route
from tuberry.storage.models import AccountStatus, AvitoAccount
from tuberry.storage.repos import AccountRepo

log = logging.getLogger(__name__)

SYNC_EVERY = 60.0  # seconds between subscription rounds
RECHECK = 600.0  # seconds before an account already in order is checked against Avito again
AT_ONCE = 8  # accounts reconciled concurrently in one round
FOLLOW_UP_STEP = 0.25  # seconds between tries to queue the poll that follows a running one
FOLLOW_UP_FOR = 150.0  # give up after the poll job's timeout (120 s) and a margin: reconciliation follows
# The owner must act (new keys, a tariff with Messenger): retrying every round would only add noise.
PERMANENT = (AvitoInvalidCredentials, AvitoUnauthorized, AvitoForbidden, AvitoPaymentRequired)


def _wanted(account: AvitoAccount, blocked: bool) -> bool:
    return account.status == AccountStatus.ACTIVE and account.bot_id is not None and not blocked


class AvitoWebhooks:
    """The endpoint and the subscription sync; implements `AvitoSubscriptions` for the cabinet."""

    def __init__(self, services: Services, *, recheck: float = RECHECK) -> None:
        self._services = services
        self._public_url = services.config.public_url.rstrip("/")
        self._recheck = recheck
        self._secrets: dict[int, str] = {}  # account id → webhook secret: no DB query per delivery
        # account id → (our URL as last confirmed on Avito, None when unsubscribed; loop time of the check)
        self._confirmed: dict[int, tuple[str | None, float]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._follow_ups: dict[int, asyncio.Task[None]] = {}
        # removed accounts (their API session and secret) whose unsubscribe is to be retried
        self._releasing: dict[int, tuple[AvitoSession, str]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def url(self, account_id: int, secret: str) -> str:
        return f"{self._public_url}/avito/{account_id}/{secret}"

    def routes(self) -> list[Route]:
        return [("POST", "/avito/{account_id}/{secret}", self.handle)]

    # ------------------------------------------------------------------ the endpoint

    async def handle(self, request: web.Request) -> web.Response:
        account_id = parse_id(request.match_info["account_id"])
        secret = await self._secret(account_id) if account_id is not None else None
        given = request.match_info["secret"].encode()
        if secret is None or not hmac.compare_digest(given, secret.encode()):
            # 404, not 401: to someone guessing URLs a wrong secret looks like a path that does not exist (it
            # does not confirm that the account id is real), and Avito calls only URLs we subscribed.
            reason = "unknown account" if secret is None else "wrong secret"
            log.warning("avito webhook for account %s refused: %s", account_id, reason)
            return web.Response(status=404)
        assert account_id is not None
        if _is_message(await request.read()):
            await self._trigger(account_id)
        # Anything else is Avito's reachability probe `{}`: answer 200 at once (API-NOTES §4.2).
        return web.Response(text="ok")

    async def _secret(self, account_id: int) -> str | None:
        secret = self._secrets.get(account_id)
        if secret is None:
            async with self._services.db.session() as session:
                row = await AccountRepo(session).by_id(account_id)
            if row is not None:
                secret = self._secrets[account_id] = row.webhook_secret
        return secret

    async def _trigger(self, account_id: int) -> None:
        """Queue a poll that starts after this delivery arrived; never wait for the poll itself."""
        queue = self._services.queue
        try:
            if await queue.poll_account(account_id):
                return
        except Exception:
            log.exception(
                "account %s: queueing a poll failed; the reconciliation poll will catch up", account_id
            )
            return
        # A poll is queued or running, and a running one may have listed the chats before this message came.
        # arq refuses a second job with the same id, so queue the next one as soon as the id is free.
        if account_id not in self._follow_ups:
            self._follow_ups[account_id] = self._spawn(self._poll_after_current(account_id))

    async def _poll_after_current(self, account_id: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FOLLOW_UP_FOR
        try:
            while loop.time() < deadline:
                await asyncio.sleep(FOLLOW_UP_STEP)
                if await self._services.queue.poll_account(account_id):
                    return
        except Exception:
            log.exception("account %s: queueing a follow-up poll failed", account_id)
        finally:
            self._follow_ups.pop(account_id, None)

    # ------------------------------------------------------------------ subscriptions

    async def sync(self) -> None:
        """One round: every account whose subscription may be out of line is checked against Avito."""
        async with self._services.db.session() as session:
            rows = await AccountRepo(session).with_workspace_blocked()
        now = asyncio.get_running_loop().time()
        due = []
        for account, blocked in rows:
            self._secrets[account.id] = account.webhook_secret
            want = self.url(account.id, account.webhook_secret) if _wanted(account, blocked) else None
            confirmed = self._confirmed.get(account.id)
            if confirmed is None or confirmed[0] != want or now - confirmed[1] >= self._recheck:
                due.append(account.id)
        for account_id, released in list(self._releasing.items()):
            await self._release(account_id, released)
        gate = asyncio.Semaphore(AT_ONCE)

        async def reconcile(account_id: int) -> None:
            async with gate:
                await self._reconcile(account_id)

        await asyncio.gather(*(reconcile(account_id) for account_id in due))

    async def run_sync_loop(self, interval: float = SYNC_EVERY) -> None:
        await run_sync_loop(self.sync, interval, "Avito webhook subscriptions")

    def refresh(self, account_id: int) -> None:
        self._spawn(self._reconcile(account_id))

    def release(self, account: AvitoAccount) -> None:
        # The credentials are copied now, before the removal wipes them. No `on_token`: a token fetched for
        # the unsubscribe must not be written back to the removed account.
        token = None
        if account.access_token and account.token_expires_at:
            token = AccessToken(account.access_token, account.token_expires_at)
        api = self._services.avito.session(account.client_id, account.client_secret, token=token)
        self._secrets.pop(account.id, None)
        self._confirmed.pop(account.id, None)
        released = self._releasing[account.id] = (api, account.webhook_secret)
        self._spawn(self._release(account.id, released))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _reconcile(self, account_id: int) -> None:
        """Bring one account's subscription in line with its current state (read again under the lock)."""
        async with self._locks.setdefault(account_id, asyncio.Lock()):
            async with self._services.db.session() as session:
                rows = await AccountRepo(session).with_workspace_blocked(account_id)
            if not rows:
                return
            account, blocked = rows[0]
            self._secrets[account.id] = account.webhook_secret
            want = self.url(account.id, account.webhook_secret) if _wanted(account, blocked) else None
            api = account_session(self._services.avito, self._services.db, account)
            try:
                await self._apply(api, account.id, account.webhook_secret, want)
            except Exception as exc:
                if not isinstance(exc, PERMANENT):
                    log.warning(
                        "account %s: webhook subscription failed (%s), retrying", account_id, _reason(exc)
                    )
                    return
                log.warning(
                    "account %s: webhook subscription refused (%s); checking again later",
                    account_id,
                    _reason(exc),
                )
            self._confirmed[account.id] = (want, asyncio.get_running_loop().time())

    async def _apply(self, api: AvitoSession, account_id: int, secret: str, want: str | None) -> None:
        subscribed = await api.subscriptions()
        for url in subscribed:
            if url != want and self._ours(url, account_id, secret):
                await api.unsubscribe_webhook(url)
                log.info("account %s: webhook unsubscribed", account_id)
        if want is not None and want not in subscribed:
            await api.subscribe_webhook(want)
            log.info("account %s: webhook subscribed", account_id)

    async def _release(self, account_id: int, released: tuple[AvitoSession, str]) -> None:
        async with self._locks.setdefault(account_id, asyncio.Lock()):
            if self._releasing.get(account_id) is not released:
                return  # done meanwhile
            api, secret = released
            try:
                await self._apply(api, account_id, secret, None)
            except Exception as exc:
                if not isinstance(exc, PERMANENT):
                    log.warning("account %s: unsubscribing failed (%s), retrying", account_id, _reason(exc))
                    return
            self._releasing.pop(account_id, None)

    def _ours(self, url: str, account_id: int, secret: str) -> bool:
        """Our URL for this account: under PUBLIC_URL (any secret), or with the account's secret under any
        host (PUBLIC_URL changed since it was subscribed). Nothing else is ours to unsubscribe."""
        if url.startswith(f"{self._public_url}/avito/{account_id}/"):
            return True
        return bool(secret) and urlsplit(url).path.rstrip("/").endswith(f"/avito/{account_id}/{secret}")

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def _is_message(body: bytes) -> bool:
    """A message event (even one we cannot read: the poll reads it through the list API); False for the
    probe `{}` and for anything else."""
    try:
        return parse_webhook(json.loads(body)) is not None
    except ValidationError:
        return True
    except ValueError:
        return False


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, AvitoError) else type(exc).__name__
