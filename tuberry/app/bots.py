"""Client bots of a workspace: connecting one by its token, and disconnecting it.

Each use case checks the workspace, changes state in one transaction, audits it, then starts or stops
receiving updates for the bot.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from sqlalchemy.exc import IntegrityError

from tuberry.app.services import Services
from tuberry.storage.models import BotStatus, ClientBot
from tuberry.storage.repos import AccountRepo, AuditRepo, BotRepo

# Lenient on purpose (API-NOTES §9.4): getMe decides; this only catches what is clearly not a token
# (real secrets are 35 characters; local Bot API servers and test doubles issue other lengths).
TOKEN_RE = re.compile(r"^[1-9]\d{2,15}:[A-Za-z0-9_-]{16,80}$")


class Connect(StrEnum):
    CONNECTED = "connected"
    UPDATED = "updated"  # the same bot of this workspace: token refreshed or bot re-activated
    MALFORMED = "malformed"
    INVALID = "invalid"
    MASTER = "master"
    TAKEN = "taken"
    TELEGRAM_DOWN = "telegram_down"


@dataclass(frozen=True)
class ConnectResult:
    status: Connect
    bot_id: int | None = None
    username: str = ""


async def connect_bot(services: Services, workspace_id: int, actor_id: int, token: str) -> ConnectResult:
    token = token.strip()
    if not TOKEN_RE.match(token):
        return ConnectResult(Connect.MALFORMED)
    bot = services.bots.get(token)
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError:
        services.bots.forget(token)
        return ConnectResult(Connect.INVALID)
    except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter):
        services.bots.forget(token)
        return ConnectResult(Connect.TELEGRAM_DOWN)
    except TelegramAPIError:
        services.bots.forget(token)
        return ConnectResult(Connect.INVALID)
    username = me.username or ""
    if services.master_username and username.lower() == services.master_username.lower():
        services.bots.forget(token)
        return ConnectResult(Connect.MASTER)
    restart = False
    try:
        async with services.db.session() as session:
            bots = BotRepo(session)
            row = await bots.by_telegram_id(me.id)
            if row is None:
                row = ClientBot(
                    workspace_id=workspace_id,
                    telegram_bot_id=me.id,
                    token=token,
                    username=username,
                    webhook_secret=secrets.token_urlsafe(32),
                    status=BotStatus.ACTIVE,
                    missing_rights=[],
                    manager_ids=[],
                )
                bots.add(row)
                status = Connect.CONNECTED
            elif row.workspace_id == workspace_id:
                restart = row.status == BotStatus.ACTIVE and row.token != token
                status = Connect.UPDATED if row.status == BotStatus.ACTIVE else Connect.CONNECTED
            elif row.status == BotStatus.REMOVED:
                # Disconnected by its former workspace: whoever holds a working token may take it.
                row.workspace_id = workspace_id
                row.group_chat_id = None
                row.group_title = None
                row.missing_rights = []
                row.manager_ids = []
                row.manager_names = None
                row.last_update_at = None
                status = Connect.CONNECTED
            else:
                services.bots.forget(token)
                return ConnectResult(Connect.TAKEN)
            row.token = token
            row.username = username
            row.status = BotStatus.ACTIVE
            row.status_detail = None
            await session.flush()
            AuditRepo(session).record(workspace_id, actor_id, "bot.connect", bot_id=row.id, username=username)
            await session.commit()
            bot_id = row.id
    except IntegrityError:
        # Another owner connected the same bot a moment ago.
        return ConnectResult(Connect.TAKEN)
    if services.receivers is not None:
        if restart:
            await services.receivers.stop(bot_id)
        await services.receivers.start(bot_id)
    return ConnectResult(status, bot_id, username)


async def disconnect_bot(services: Services, workspace_id: int, actor_id: int, bot_id: int) -> bool:
    """The bot stops receiving at once; its Avito accounts wait for another bot. False if not ours."""
    async with services.db.session() as session:
        row = await BotRepo(session).get(workspace_id, bot_id)
        if row is None:
            return False
        row.status = BotStatus.REMOVED
        for account in await AccountRepo(session).of_bot(bot_id):
            account.bot_id = None
        AuditRepo(session).record(
            workspace_id, actor_id, "bot.disconnect", bot_id=bot_id, username=row.username
        )
        await session.commit()
    if services.receivers is not None:
        await services.receivers.stop(bot_id)
    return True
