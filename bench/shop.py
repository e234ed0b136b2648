"""A seller's shop as the cabinet would leave it, for the benchmarks: a forum group with the owner, a manager
and the client bot (admin) on the fake Telegram, an Avito account on the fake Avito, and the workspace, bot
and account rows in the database."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from tests.fakes.avito import FakeAccount, FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, ClientBot
from tuberry.storage.repos import WorkspaceRepo


@dataclass(frozen=True)
class Shop:
    bot: Any  # the fake client bot
    group: int
    manager: dict[str, Any]
    account: FakeAccount


async def open_shop(db: Database, tg: FakeTelegram, avito: FakeAvito, *, username: str, title: str) -> Shop:
    owner, manager = tg.add_user("Владелец"), tg.add_user("Менеджер")
    bot = tg.add_bot(username=username)
    group = tg.create_group(title, is_forum=True, owner=owner)
    tg.add_member(group, manager)
    tg.add_bot_to_group(bot, group, by_user=owner, admin=True)
    account = avito.add_account()
    async with db.session() as session:
        workspace = (await WorkspaceRepo(session).ensure_owner(owner["id"], "owner")).workspace
        row = ClientBot(
            workspace_id=workspace.id,
            telegram_bot_id=bot.id,
            token=bot.token,
            username=bot.username,
            group_chat_id=group,
            webhook_secret=secrets.token_urlsafe(8),
        )
        session.add(row)
        await session.flush()
        session.add(
            AvitoAccount(
                workspace_id=workspace.id,
                bot_id=row.id,
                client_id=account.client_id,
                client_secret=account.client_secret,
                avito_user_id=account.user_id,
                webhook_secret=secrets.token_urlsafe(8),
            )
        )
        await session.commit()
    return Shop(bot, group, manager, account)
