"""The cabinet running for real: the master dispatcher on long polling against the fake Telegram server,
FSM and dialog state in the real Redis, a migrated SQLite database, the fake Avito, and the client bots'
dispatcher started by the receivers when a bot is connected.

Tests act as Telegram users: they send texts, press inline buttons by their callback data and read the
messages as the fake server stores them (edits applied).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update
from redis.asyncio import Redis

from tests.conftest import REDIS_URL
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeBot, FakeTelegram
from tests.waiting import until
from tuberry.app.services import Config, Services
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_master, open_services
from tuberry.bot.receivers import PollingReceivers
from tuberry.storage import queue
from tuberry.storage.db import Database

WAIT = 10.0


class RecordingQueue(queue.JobQueue):
    """The real queue, remembering what the cabinet asked for (arq's job ids are not per test)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.polls: list[int] = []

    async def poll_account(self, account_id: int) -> None:
        self.polls.append(account_id)
        await super().poll_account(account_id)


@dataclass
class RecordingReceivers:
    """The real polling receivers for client bots, with a log of the cabinet's start/stop calls."""

    inner: PollingReceivers
    log: list[tuple[str, int]] = field(default_factory=list)

    async def start(self, bot_id: int) -> None:
        self.log.append(("start", bot_id))
        await self.inner.start(bot_id)

    async def stop(self, bot_id: int) -> None:
        self.log.append(("stop", bot_id))
        await self.inner.stop(bot_id)

    @property
    def running(self) -> set[int]:
        return self.inner.running


class CountingDispatcher(Dispatcher):
    """Counts Telegram updates it has finished with, error handlers included."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.done = 0

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        try:
            return await super().feed_update(bot, update, **kwargs)
        finally:
            self.done += 1


@dataclass
class Cabinet:
    tg: FakeTelegram
    avito: FakeAvito
    db: Database
    services: Services
    master: FakeBot
    queue: RecordingQueue
    receivers: RecordingReceivers
    counter: CountingDispatcher
    expected: int = 0

    # -- waiting ----------------------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until the master dispatcher has handled every update the test caused."""
        deadline = asyncio.get_running_loop().time() + WAIT
        while self.counter.done < self.expected:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"master handled {self.counter.done} of {self.expected} updates")
            await asyncio.sleep(0.01)

    async def until(self, condition: Any, what: str, within: float = WAIT) -> Any:
        return await until(condition, what, within, every=0.02)

    # -- people -----------------------------------------------------------------------------------

    def user(self, name: str, language_code: str | None = "ru") -> Person:
        return Person(self, self.tg.add_user(name, language_code=language_code))


@dataclass
class Person:
    """A Telegram user talking to the master bot in their private chat."""

    cab: Cabinet
    user: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.user["id"])

    def says(self, ru: str, en: str) -> str:
        """The label in this person's language (by their Telegram language_code)."""
        return en if str(self.user.get("language_code") or "").startswith("en") else ru

    async def send(self, text: str) -> dict[str, Any]:
        sent = self.cab.tg.user_sends(self.cab.master, self.id, self.user, text)
        self.cab.expected += 1
        await self.cab.settle()
        return sent

    def bot_messages(self) -> list[dict[str, Any]]:
        return [
            m
            for m in self.cab.tg.messages(self.id, bot=self.cab.master)
            if m.get("from", {}).get("id") == self.cab.master.id
        ]

    def screen(self) -> dict[str, Any]:
        """The latest message of the master bot in this chat (the dialog's current window)."""
        messages = self.bot_messages()
        assert messages, "the master bot has not written yet"
        return messages[-1]

    def text(self) -> str:
        return str(self.screen().get("text", ""))

    def buttons(self, message: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        message = message or self.screen()
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    def button(self, label: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        found = [b for b in self.buttons(message) if label in b["text"]]
        assert found, f"no button {label!r} in {[b['text'] for b in self.buttons(message)]}"
        return found[0]

    async def press(self, label: str) -> None:
        button = self.button(label)
        await self.press_data(self.screen()["message_id"], button["callback_data"])

    async def press_data(self, message_id: int, data: str) -> None:
        self.cab.tg.user_presses(self.cab.master, self.id, self.user, message_id, data)
        self.cab.expected += 1
        await self.cab.settle()

    async def menu(self, item_ru: str, item_en: str) -> None:
        """/start, then a main menu item."""
        await self.send("/start")
        await self.press(self.says(item_ru, item_en))

    async def connect_bot(self, bot: FakeBot) -> dict[str, Any]:
        """Bots → Connect a bot → the token; returns the message that carried the token."""
        await self.menu("Боты", "Bots")
        await self.press(self.says("Подключить бота", "Connect a bot"))
        return await self.send(bot.token)

    def alerts(self) -> list[str]:
        """Texts of callback answers the master bot gave this user."""
        return [a.get("text") or "" for a in self.cab.tg.answered_callbacks if a.get("text")]


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def fake_avito() -> AsyncIterator[FakeAvito]:
    fake = FakeAvito()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def public_url() -> str:
    return ""


@pytest.fixture
async def cabinet(
    sqlite_database: Database,
    redis: Redis,
    redis_prefix: str,
    tg: FakeTelegram,
    fake_avito: FakeAvito,
    public_url: str,
) -> AsyncIterator[Cabinet]:
    master = tg.add_bot(username="tuberry_test_bot", first_name="Tuberry")
    async with open_services(
        sqlite_database,
        REDIS_URL,
        Config(redis_prefix=redis_prefix, public_url=public_url),
        telegram_api_base=tg.base_url,
        avito_api_base=fake_avito.base_url,
        master_token=master.token,
        queue_type=RecordingQueue,
    ) as services:
        services.master_username = master.username
        # Polling even with PUBLIC_URL: the cabinet's start/stop calls are what these tests watch.
        receivers = RecordingReceivers(
            PollingReceivers(
                sqlite_database, services.bots, build_client_dispatcher(services), poll_timeout=1
            )
        )
        services.receivers = receivers
        # The production dispatcher (Redis locks, as when several `tuberry bot` processes serve the same
        # users), counting the updates it has finished with.
        master_bot, dp = build_master(services, dispatcher_type=CountingDispatcher)
        assert isinstance(dp, CountingDispatcher) and isinstance(services.queue, RecordingQueue)
        polling = asyncio.create_task(
            dp.start_polling(master_bot, handle_signals=False, close_bot_session=False, polling_timeout=1)
        )
        cab = Cabinet(tg, fake_avito, sqlite_database, services, master, services.queue, receivers, dp)
        try:
            yield cab
        finally:
            with contextlib.suppress(RuntimeError):
                await dp.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(polling, 5)
            await receivers.inner.close()
