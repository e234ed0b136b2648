"""Long polling with the update inbox: a manager's reply survives a handler that fails, a handler cut short
after its commit, a crash after Telegram was told the update arrived, and a database outage.

Faults are injected by an outer middleware that the test installs on the real client dispatcher; everything
else is the running bridge (fake Telegram and Avito, the real worker, the real database).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
from aiogram import BaseMiddleware, Dispatcher
from aiogram.types import TelegramObject, Update
from arq import ArqRedis
from sqlalchemy.exc import OperationalError

from tests.bridge.conftest import Bridge
from tests.conftest import PG_ADMIN_DSN
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.receivers import PollingReceivers
from tuberry.storage.queue import JobQueue

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class FailsOnce(BaseMiddleware):
    """The first update carrying `text` fails: before its handler runs, or (`after_commit`) with the handler
    run against a Redis nobody listens on, so its commit is done and queueing the send fails."""

    def __init__(self, text: str, *, after_commit: bool = False) -> None:
        self.text = text
        self.after_commit = after_commit
        self.failed = 0

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if self.failed or event.message is None or event.message.text != self.text:
            return await handler(event, data)
        self.failed += 1
        if not self.after_commit:
            raise OperationalError("INSERT INTO messages …", None, Exception("database is locked"))
        services = data["services"]
        nobody = ArqRedis.from_url("redis://127.0.0.1:9/0")  # port 9: nothing listens
        try:
            dead = dataclasses.replace(services, queue=JobQueue(nobody, services.config.redis_prefix))
            return await handler(event, data | {"services": dead})
        finally:
            await nobody.aclose()


class Blocks(BaseMiddleware):
    """The update carrying `text` never finishes its handling in this process (it is killed meanwhile)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entered = asyncio.Event()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if event.message is not None and event.message.text == self.text:
            self.entered.set()
            await asyncio.Event().wait()
        return await handler(event, data)


async def _receive_with(bridge: Bridge, dp: Dispatcher) -> None:
    """Restart receiving (like a new `tuberry bot` process) with this dispatcher."""
    assert bridge.receivers is not None
    await bridge.receivers.close()
    bridge.receivers = PollingReceivers(bridge.db, bridge.services.bots, dp, poll_timeout=1)
    bridge.services.receivers = bridge.receivers
    await bridge.receivers.sync()


def _dispatcher(bridge: Bridge, middleware: BaseMiddleware | None = None) -> Dispatcher:
    dp = build_client_dispatcher(bridge.services)
    if middleware is not None:
        dp.update.outer_middleware(middleware)
    return dp


async def _dialog_topic(bridge: Bridge) -> tuple[str, int]:
    chat = bridge.new_chat(buyer="Анна")
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    return chat, topic


def _sent(bridge: Bridge, chat: str) -> list[str]:
    return [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)]


async def test_a_reply_whose_handling_fails_once_reaches_avito_once(bridge: Bridge) -> None:
    fault = FailsOnce("Да, в наличии")
    await _receive_with(bridge, _dispatcher(bridge, fault))
    chat, topic = await _dialog_topic(bridge)

    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Да, в наличии", thread_id=topic)
    await bridge.until(lambda: _sent(bridge, chat), "the reply on Avito")
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Забирайте сегодня", thread_id=topic)
    await bridge.until(lambda: len(_sent(bridge, chat)) == 2, "the next reply on Avito")
    await bridge.settle()
    assert fault.failed == 1
    assert _sent(bridge, chat) == ["Да, в наличии", "Забирайте сегодня"]


async def test_a_reply_whose_handling_stops_after_its_commit_reaches_avito_once(bridge: Bridge) -> None:
    fault = FailsOnce("Да, в наличии", after_commit=True)
    await _receive_with(bridge, _dispatcher(bridge, fault))
    chat, topic = await _dialog_topic(bridge)

    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Да, в наличии", thread_id=topic)
    # Quicker than the sweep that re-queues forgotten sends (20 s of grace at least): the replay queued it.
    await bridge.until(lambda: _sent(bridge, chat), "the reply on Avito", timeout=12)
    await bridge.settle()
    assert fault.failed == 1
    assert _sent(bridge, chat) == ["Да, в наличии"]


async def test_an_update_acknowledged_before_a_crash_is_handled_after_the_restart(bridge: Bridge) -> None:
    stuck = Blocks("Да, в наличии")
    await _receive_with(bridge, _dispatcher(bridge, stuck))
    chat, topic = await _dialog_topic(bridge)

    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Да, в наличии", thread_id=topic)
    await asyncio.wait_for(stuck.entered.wait(), 15)
    # Telegram forgets an update once a getUpdates offset has passed it: from now on only we have it.
    await bridge.until(lambda: not bridge.tg.pending_updates(bridge.bot), "Telegram confirming the update")
    await _receive_with(bridge, _dispatcher(bridge))  # the process dies; a new one starts

    await bridge.until(lambda: _sent(bridge, chat), "the reply on Avito")
    await bridge.settle()
    assert _sent(bridge, chat) == ["Да, в наличии"]


@contextlib.asynccontextmanager
async def unreachable(database_url: str) -> Any:
    """The test's PostgreSQL database refuses every connection (and drops the open ones) until the block
    ends."""
    name = urlsplit(database_url).path.lstrip("/")
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        await admin.close()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_database_outage_does_not_end_a_bots_polling(bridge: Bridge, db_url: str) -> None:
    chat, topic = await _dialog_topic(bridge)
    calls = lambda: len(bridge.tg.calls("getUpdates", bot=bridge.bot))  # noqa: E731
    # A fresh start: the first update it receives is also the first "last update" written for the bot card.
    await _receive_with(bridge, _dispatcher(bridge))

    async with unreachable(db_url):
        bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Да, в наличии", thread_id=topic)
        await bridge.until(lambda: bridge.tg.pending_updates(bridge.bot), "the reply queued at Telegram")
        before = calls()
        # The bot keeps asking Telegram (and gets the reply again each time, as nothing could store it).
        await bridge.until(lambda: calls() >= before + 3, "getUpdates going on during the outage")
        assert bridge.tg.pending_updates(bridge.bot)

    await bridge.until(lambda: _sent(bridge, chat), "the reply on Avito")
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Забирайте сегодня", thread_id=topic)
    await bridge.until(lambda: len(_sent(bridge, chat)) == 2, "the next reply on Avito")
    await bridge.settle()
    assert _sent(bridge, chat) == ["Да, в наличии", "Забирайте сегодня"]
