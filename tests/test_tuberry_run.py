"""`tuberry run` as an operator starts it: one process, an empty directory, only the required variables.

The owner onboards through the master bot, a buyer writes on Avito, a manager answers in the topic, and the
process stops cleanly on SIGTERM: the whole product through its public interface.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from tests.conftest import REDIS_URL
from tests.fakes.avito import FakeAccount, FakeAvito
from tests.fakes.telegram import FakeBot, FakeTelegram
from tests.waiting import until

WAIT = 30.0  # a whole process on a busy CI machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Owner:
    def __init__(self, tg: FakeTelegram, master: FakeBot, user: dict[str, Any]) -> None:
        self.tg, self.master, self.user = tg, master, user

    def screen(self) -> dict[str, Any]:
        mine = [
            m for m in self.tg.messages(self.user["id"], bot=self.master) if m["from"]["id"] == self.master.id
        ]
        return mine[-1] if mine else {}

    def text(self) -> str:
        """The current screen: its text and its buttons' labels."""
        screen = self.screen()
        rows = (screen.get("reply_markup") or {}).get("inline_keyboard") or []
        return "\n".join([str(screen.get("text", "")), *(b["text"] for row in rows for b in row)])

    async def send(self, text: str, expect: str) -> None:
        self.tg.user_sends(self.master, self.user["id"], self.user, text)
        await until(lambda: expect in self.text(), f"{expect!r} after {text!r}", WAIT)

    async def press(self, label: str, expect: str) -> None:
        screen = self.screen()
        buttons = [b for row in screen["reply_markup"]["inline_keyboard"] for b in row if label in b["text"]]
        assert buttons, f"no {label!r} button on {screen.get('text')!r}"
        self.tg.user_presses(
            self.master, self.user["id"], self.user, screen["message_id"], buttons[0]["callback_data"]
        )
        await until(lambda: expect in self.text(), f"{expect!r} after pressing {label!r}", WAIT)


@dataclass
class Installation:
    """The fake services and the environment an operator would give Tuberry's processes."""

    tg: FakeTelegram
    avito: FakeAvito
    master: FakeBot
    env: dict[str, str]
    dir: Path
    port: int
    procs: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def spawn(self, command: str, **env: str) -> asyncio.subprocess.Process:
        log = (self.dir / f"{command}-{len(self.procs)}.log").open("wb")
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tuberry.bot.cli",
            command,
            cwd=self.dir,
            env={**self.env, **env},
            stdout=log,
            stderr=log,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in self.dir.glob("*.log"))

    async def stop(self) -> list[int]:
        """SIGTERM to every process; their exit codes."""
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        return [await asyncio.wait_for(proc.wait(), 20) for proc in self.procs]

    async def healthy(self) -> bool:
        try:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200
        except httpx.HTTPError:
            return False


@pytest.fixture
async def installation(tmp_path: Path) -> AsyncIterator[Installation]:
    tg, avito = FakeTelegram(), FakeAvito()
    await tg.start()
    await avito.start()
    master = tg.add_bot(username="tuberry_master_bot")
    prefix = f"tuberry-test-{uuid.uuid4().hex[:10]}"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "MASTER_BOT_TOKEN": master.token,
        "SECRET_KEY": Fernet.generate_key().decode(),
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": prefix,
        "TELEGRAM_API_BASE": tg.base_url,
        "AVITO_API_BASE": avito.base_url,
        "HTTP_HOST": "127.0.0.1",
        "AVITO_POLL_INTERVAL": "1",
        "AUTO_REPLY_DELAY": "1",
        "TELEGRAM_GROUP_RATE": "0",
        "TELEGRAM_BOT_RATE": "0",
    }
    site = Installation(tg, avito, master, env, tmp_path, port)
    try:
        yield site
    finally:
        for proc in site.procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        redis = Redis.from_url(REDIS_URL)
        keys = [key async for key in redis.scan_iter(match=f"*{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        await avito.stop()
        await tg.stop()


async def onboard_and_relay(site: Installation) -> tuple[FakeBot, FakeAccount]:
    """An owner connects a bot, binds a group and adds an Avito account; a buyer writes, a manager answers.
    Returns the shop's bot and the Avito account, whose secrets must never reach a log."""
    tg, avito = site.tg, site.avito
    owner_user = tg.add_user("Ольга", language_code="ru")
    owner = Owner(tg, site.master, owner_user)
    await owner.send("/start", "Боты")
    await owner.press("Боты", "Подключить бота")
    await owner.press("Подключить бота", "токен")
    shop_bot = tg.add_bot(username="olga_shop_bot")
    await owner.send(shop_bot.token, "olga_shop_bot")

    group = tg.create_group("Продажи Ольги", is_forum=True, owner=owner_user)
    manager = tg.add_user("Максим")
    tg.add_member(group, manager)
    tg.add_bot_to_group(shop_bot, group, by_user=owner_user, admin=True)
    await until(lambda: tg.sent(group, bot=shop_bot), "the bot's answer in the group", WAIT)

    account = avito.add_account(name="Магазин Ольги")
    await owner.send("/start", "Аккаунты Авито")
    await owner.press("Аккаунты Авито", "Добавить аккаунт")
    await owner.press("Добавить аккаунт", "client_id")
    await owner.send(account.client_id, "client_secret")
    await owner.send(account.client_secret, "Магазин Ольги")

    chat = avito.add_chat(account, buyer_name="Анна", item_title="Велосипед")
    avito.buyer_sends(chat, "Здравствуйте! Велосипед ещё продаётся?")
    topic_message = await until(
        lambda: next(
            (m for m in tg.sent(group, bot=shop_bot) if "ещё продаётся" in (m.get("text") or "")), None
        ),
        "the buyer's message in a topic",
        WAIT,
    )
    tg.user_sends(shop_bot, group, manager, "Да, продаётся!", thread_id=topic_message["message_thread_id"])
    await until(
        lambda: [m["content"]["text"] for m in avito.sent_via_api(chat)] == ["Да, продаётся!"],
        "the reply on Avito",
        WAIT,
    )
    return shop_bot, account


async def test_from_start_to_a_reply_on_avito_in_one_process(installation: Installation) -> None:
    site = installation
    await site.spawn("run", HTTP_PORT=str(site.port))
    await until(site.healthy, "/healthz", timeout=60)
    assert (site.dir / "tuberry.db").exists()  # SQLite created by migrations in the working directory

    shop_bot, account = await onboard_and_relay(site)

    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"http://127.0.0.1:{site.port}/metrics")).text
    assert 'tuberry_messages_total{outcome="delivered",way="to_telegram"}' in metrics
    assert 'tuberry_messages_total{outcome="sent",way="to_avito"} 1.0' in metrics
    # The workers' heartbeat and the poll lag an operator alerts on (deploy/prometheus/alerts.yml).
    series = dict(line.rsplit(" ", 1) for line in metrics.splitlines() if line and not line.startswith("#"))
    assert time.time() - float(series["tuberry_worker_tick_timestamp_seconds"]) < 30
    assert 0 <= float(series["tuberry_oldest_poll_age_seconds"]) < 60  # the account was polled just now

    assert await site.stop() == [0]
    logs = site.logs()
    assert shop_bot.token not in logs and account.client_secret not in logs


async def test_bot_and_two_workers_on_postgresql(installation: Installation, pg_url: str) -> None:
    """The scaled-out shape: one `tuberry bot`, two `tuberry worker`s, one PostgreSQL, one Redis."""
    site = installation
    site.env["DATABASE_URL"] = pg_url
    migrate = await site.spawn("migrate")
    assert await asyncio.wait_for(migrate.wait(), 60) == 0
    site.procs.remove(migrate)
    await site.spawn("bot", HTTP_PORT=str(site.port))
    await site.spawn("worker")
    await site.spawn("worker")
    await until(site.healthy, "/healthz", timeout=60)

    shop_bot, account = await onboard_and_relay(site)

    assert await site.stop() == [0, 0, 0]
    logs = site.logs()
    assert shop_bot.token not in logs and account.client_secret not in logs


async def test_tuberry_run_without_redis_uses_an_embedded_store(installation: Installation) -> None:
    """A fresh machine: REDIS_URL unset and no Redis at its default address (CI has one there, so the
    default address is moved to a closed port through the private test variable)."""
    site = installation
    del site.env["REDIS_URL"]
    site.env["_TUBERRY_DEFAULT_REDIS_URL"] = "redis://127.0.0.1:1/0"
    await site.spawn("run", HTTP_PORT=str(site.port))
    await until(site.healthy, "/healthz", timeout=60)

    await onboard_and_relay(site)

    assert await site.stop() == [0]
    logs = site.logs()
    assert logs.count("using an embedded Redis-compatible store") == 1
