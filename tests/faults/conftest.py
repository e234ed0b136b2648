"""A bridge under fault: fake Telegram and Avito, a PostgreSQL database reached through a cuttable proxy, a
Redis server of the case's own, real `tuberry worker` processes, and the real client dispatcher on long
polling in the test process (where a case can wrap it)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiogram import Dispatcher
from aiogram.types import Update

from tests.bridge.conftest import seed
from tests.conftest import PG_ADMIN_DSN, TEST_KEY
from tests.fakes.avito import FakeAccount, FakeAvito
from tests.fakes.telegram import FakeBot, FakeTelegram
from tests.faults import workload
from tests.faults.servers import RedisServer, TcpProxy
from tuberry.app.services import Config, Services
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_receivers, open_services
from tuberry.bot.receivers import PollingReceivers
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade

POLL_INTERVAL = 0.5  # seconds between Avito polls of the account: short, so that a case stays short


@dataclass
class Stack:
    tg: FakeTelegram
    avito: FakeAvito
    shop_bot: FakeBot
    group_id: int
    manager: dict[str, Any]
    account: FakeAccount
    db: Database  # the test's own view of the database, never cut
    services: Services  # the bot side in this process, through the proxy
    dispatcher: Dispatcher
    receivers: PollingReceivers
    redis: RedisServer
    pg_proxy: TcpProxy
    dir: Path
    env: dict[str, str]
    workers: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def spawn_worker(self) -> asyncio.subprocess.Process:
        log = (self.dir / f"worker-{len(self.workers)}.log").open("wb")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tuberry.bot.cli", "worker",
            cwd=self.dir, env=self.env, stdout=log, stderr=log,
        )  # fmt: skip
        log.close()
        self.workers.append(proc)
        return proc

    async def kill_worker(self) -> None:
        """SIGKILL every running worker (the case runs one): whatever it was doing stops mid-way."""
        for proc in self.workers:
            if proc.returncode is None:
                proc.send_signal(signal.SIGKILL)
                await proc.wait()

    def fail_updates_once(self, rate: float, seed: int) -> set[int]:
        """The update handler raises once for a seeded `rate` of updates; returns the ids it failed."""
        failed: set[int] = set()

        async def raise_once(handler: Any, update: Update, data: dict[str, Any]) -> Any:
            chosen = random.Random(f"{seed}:{update.update_id}").random() < rate
            if chosen and update.update_id not in failed:
                failed.add(update.update_id)
                raise RuntimeError(f"injected failure handling update {update.update_id}")
            return await handler(update, data)

        self.dispatcher.update.outer_middleware(raise_once)
        return failed

    def worker_logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.dir.glob("worker-*.log")))


def _through(url: str, port: int) -> str:
    parts = urlsplit(url)
    host = f"{parts.username}@" if parts.username else ""
    return parts._replace(netloc=f"{host}127.0.0.1:{port}").geturl()


@pytest.fixture
async def stack(pg_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    await asyncio.to_thread(upgrade, pg_url)
    admin = urlsplit(PG_ADMIN_DSN)
    pg_proxy = TcpProxy(admin.hostname or "127.0.0.1", admin.port or 5432)
    await pg_proxy.start()
    proxied_url = _through(pg_url, pg_proxy.port)
    redis = RedisServer(tmp_path)
    await redis.start()
    tg, avito = FakeTelegram(), FakeAvito()
    await tg.start()
    await avito.start()
    owner = tg.add_user("Ольга", language_code="ru")
    manager = tg.add_user("Максим", language_code="ru")
    shop_bot = tg.add_bot(username="shop_helper_bot")
    group_id = tg.create_group("Продажи", is_forum=True, owner=owner)
    tg.add_member(group_id, manager)
    tg.add_bot_to_group(shop_bot, group_id, by_user=owner, admin=True)
    account = avito.add_account(name="Магазин Ольги")
    master = tg.add_bot(username="tuberry_master_bot")
    db = Database(pg_url)
    seeded = SimpleNamespace(db=db, owner=owner, bot=shop_bot, group_id=group_id, account=account)
    await seed(seeded, shop_bot.token)  # type: ignore[arg-type]

    prefix = "tuberry-faults"
    proxied_db = Database(proxied_url)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "MASTER_BOT_TOKEN": master.token,
        "SECRET_KEY": TEST_KEY,
        "DATABASE_URL": proxied_url,
        "REDIS_URL": redis.url,
        "REDIS_PREFIX": prefix,
        "TELEGRAM_API_BASE": tg.base_url,
        "AVITO_API_BASE": avito.base_url,
        "AVITO_POLL_INTERVAL": str(POLL_INTERVAL),
        "TELEGRAM_GROUP_RATE": "0",
        "TELEGRAM_BOT_RATE": "0",
    }
    try:
        async with open_services(
            proxied_db,
            redis.url,
            Config(avito_poll_interval=POLL_INTERVAL, redis_prefix=prefix),
            telegram_api_base=tg.base_url,
            avito_api_base=avito.base_url,
            master_token=master.token,
        ) as services:
            dispatcher = build_client_dispatcher(services)
            receivers = build_receivers(services, dispatcher, poll_timeout=1)
            assert isinstance(receivers, PollingReceivers)
            site = Stack(
                tg, avito, shop_bot, group_id, manager, account, db, services, dispatcher, receivers, redis,
                pg_proxy, tmp_path, env,
            )  # fmt: skip
            try:
                yield site
            finally:
                await receivers.close()
                await site.kill_worker()
                await tg.stop()
                await avito.stop()
    finally:
        await proxied_db.dispose()
        await db.dispose()
        await pg_proxy.stop()
        await redis.stop()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The figures of every fault case that ran: duplicates into Telegram and how long each case took."""
    if workload.OUTCOMES:
        terminalreporter.section("fault suite")
        for outcome in workload.OUTCOMES:
            terminalreporter.write_line(outcome.line())
