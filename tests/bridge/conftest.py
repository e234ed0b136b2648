"""A running bridge: fake Telegram and Avito, a migrated database, the real client dispatcher on long polling,
and a real arq worker on the real Redis. Workspaces, bots and accounts are seeded through the repositories,
as the cabinet would leave them.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from arq.worker import Worker

from tests.conftest import REDIS_URL
from tests.fakes.avito import FakeAccount, FakeAvito
from tests.fakes.telegram import FakeTelegram
from tests.waiting import until
from tuberry.app.services import Config, Services
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_receivers, open_services, worker_factory
from tuberry.bot.receivers import PollingReceivers
from tuberry.bot.webhooks import WebhookReceivers
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, ClientBot, Dialog, Workspace
from tuberry.storage.repos import WorkspaceRepo

WAIT = 15.0


@dataclass
class Bridge:
    tg: FakeTelegram
    avito: FakeAvito
    db: Database
    services: Services
    new_worker: Callable[[], Worker]
    owner: dict[str, Any]
    manager: dict[str, Any]
    bot: Any
    group_id: int
    account: FakeAccount
    master: Any = None
    bot_row_id: int = 0
    account_row_id: int = 0
    workspace_id: int = 0
    worker: Worker | None = None
    worker_task: asyncio.Task[Any] | None = None
    receivers: PollingReceivers | WebhookReceivers | None = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)

    # -- processes ------------------------------------------------------------------------------

    async def start_worker(self) -> None:
        self.worker = self.new_worker()
        self.worker_task = asyncio.create_task(self.worker.main())

    async def stop_worker(self) -> None:
        """Like a killed worker: the task is cancelled wherever it is."""
        if self.worker_task is not None:
            self.worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.worker_task
            self.worker_task = None

    # -- Avito side ---------------------------------------------------------------------------

    def new_chat(self, buyer: str = "Анна", item: str = "Велосипед", **kwargs: Any) -> str:
        return self.avito.add_chat(self.account, buyer_name=buyer, item_title=item, **kwargs)

    # -- Telegram side ------------------------------------------------------------------------

    async def dialog(self, chat_id: str) -> Dialog:
        async with self.db.session() as session:
            from sqlalchemy import select

            dialog = await session.scalar(select(Dialog).where(Dialog.avito_chat_id == chat_id))
            assert dialog is not None, f"no dialog for {chat_id}"
            return dialog

    async def topic_of(self, chat_id: str) -> int:
        async def has_topic() -> bool:
            with contextlib.suppress(AssertionError):
                return (await self.dialog(chat_id)).topic_id is not None
            return False

        await self.until(has_topic, f"a topic for {chat_id}")
        topic = (await self.dialog(chat_id)).topic_id
        assert topic is not None
        return topic

    def topic_messages(self, topic_id: int) -> list[dict[str, Any]]:
        return self.tg.sent(self.group_id, topic_id)

    def texts(self, topic_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.topic_messages(topic_id)]

    async def until(self, condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
        return await until(condition, what, timeout)

    async def settle(self, seconds: float = 1.5) -> None:
        """Let several poll intervals pass, so that a duplicate would have had its chance to appear."""
        await asyncio.sleep(seconds)


async def seed(bridge: Bridge, token: str) -> None:
    async with bridge.db.session() as session:
        membership = await WorkspaceRepo(session).ensure_owner(bridge.owner["id"], bridge.owner["first_name"])
        workspace: Workspace = membership.workspace
        bot_row = ClientBot(
            workspace_id=workspace.id,
            telegram_bot_id=bridge.bot.id,
            token=token,
            username=bridge.bot.username,
            group_chat_id=bridge.group_id,
            group_title="Продажи",
            webhook_secret=secrets.token_urlsafe(16),
        )
        session.add(bot_row)
        await session.flush()
        account = AvitoAccount(
            workspace_id=workspace.id,
            bot_id=bot_row.id,
            client_id=bridge.account.client_id,
            client_secret=bridge.account.client_secret,
            avito_user_id=bridge.account.user_id,
            name=bridge.account.name,
            webhook_secret=secrets.token_urlsafe(16),
        )
        session.add(account)
        await session.commit()
        bridge.workspace_id, bridge.bot_row_id, bridge.account_row_id = workspace.id, bot_row.id, account.id


@contextlib.asynccontextmanager
async def open_bridge(database: Database, config: Config) -> AsyncIterator[Bridge]:
    """Fake servers, an owner's workspace with a bot bound to a forum group and an Avito account, and the
    services around them; no receivers and no worker yet (the fixtures choose)."""
    tg, avito = FakeTelegram(), FakeAvito()
    await tg.start()
    await avito.start()
    owner = tg.add_user("Ольга", language_code="ru")
    manager = tg.add_user("Максим", language_code="ru")
    fake_bot = tg.add_bot(username="shop_helper_bot")
    group_id = tg.create_group("Продажи", is_forum=True, owner=owner)
    tg.add_member(group_id, manager)
    tg.add_bot_to_group(fake_bot, group_id, by_user=owner, admin=True)
    account = avito.add_account(name="Магазин Ольги")
    master = tg.add_bot(username="tuberry_master_bot")
    tg.user_sends(master, owner["id"], owner, "/start")  # the owner has a chat with the master bot
    async with open_services(
        database,
        REDIS_URL,
        config,
        telegram_api_base=tg.base_url,
        avito_api_base=avito.base_url,
        master_token=master.token,
    ) as services:
        bridge = Bridge(
            tg=tg,
            avito=avito,
            db=database,
            services=services,
            new_worker=worker_factory(services, REDIS_URL, group_rate=0, bot_rate=0),
            owner=owner,
            manager=manager,
            bot=fake_bot,
            group_id=group_id,
            account=account,
            master=master,
        )
        await seed(bridge, fake_bot.token)
        try:
            yield bridge
        finally:
            await bridge.stop_worker()
            if bridge.receivers is not None:
                await bridge.receivers.close()
            await tg.stop()
            await avito.stop()


@pytest.fixture
async def bridge(database: Database, redis_prefix: str, redis: Any) -> AsyncIterator[Bridge]:
    """The bridge in polling mode, on SQLite and on PostgreSQL."""
    config = Config(avito_poll_interval=0.3, auto_reply_delay=0.5, redis_prefix=redis_prefix)
    async with open_bridge(database, config) as bridge:
        services = bridge.services
        bridge.receivers = build_receivers(services, build_client_dispatcher(services), poll_timeout=1)
        await bridge.receivers.sync()
        await bridge.start_worker()
        yield bridge
