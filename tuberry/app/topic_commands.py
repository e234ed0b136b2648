"""Commands managers type in a dialog's topic: who may, and `/block` (the buyer onto Avito's blacklist).

The same people may use them as may answer buyers (`app.relay`): the listed managers, or every member while
the list is empty; the owner always may. Anyone else is not answered at all, and nothing is done.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum

from tuberry.app.avito_access import account_session
from tuberry.app.owner_language import owner_language
from tuberry.app.services import Services
from tuberry.avito import AvitoError
from tuberry.domain.blacklist import BlockReason, block_reason
from tuberry.storage.models import AvitoAccount, BotStatus, ClientBot, Dialog
from tuberry.storage.repos import AuditRepo, DialogRepo, WorkspaceRepo

log = logging.getLogger(__name__)

# Waits before the 2nd and 3rd attempt of a retryable Avito failure (rate limit, 5xx, network). The manager
# is waiting for an answer in the topic, so this stays short; then the topic is told what Avito said.
BLOCK_RETRY_DELAYS = (0.5, 1.5)


@dataclass(frozen=True)
class TopicSeat:
    """A dialog topic of a bot's bound group, and someone who may use topic commands there."""

    bot_id: int
    workspace_id: int
    dialog_id: int
    language: str  # the owner's: what the bot answers in


def may_act(bot: ClientBot, owner_id: int | None, actor_id: int) -> bool:
    """The owner always; otherwise the listed managers, or everyone while nobody is listed."""
    return actor_id == owner_id or not bot.manager_ids or actor_id in bot.manager_ids


async def topic_seat(
    services: Services,
    bot_id: int,
    chat_id: int,
    thread_id: int,
    actor_id: int,
    actor_language_code: str | None,
) -> TopicSeat | None:
    """The seat, or None: not the bound group, not a dialog's topic, or an actor who may not act."""
    async with services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is None or bot.status != BotStatus.ACTIVE or bot.group_chat_id != chat_id:
            return None
        workspace = await WorkspaceRepo(session).get(bot.workspace_id)
        owner_id = workspace.owner_telegram_id if workspace else None
        if not may_act(bot, owner_id, actor_id):
            return None
        dialog = await DialogRepo(session).by_topic(bot.id, chat_id, thread_id)
        if dialog is None:
            return None
        workspace_id, dialog_id = bot.workspace_id, dialog.id
    language = await owner_language(services, bot_id, actor_id, actor_language_code)
    return TopicSeat(bot_id, workspace_id, dialog_id, language)


class Block(StrEnum):
    BLOCKED = "blocked"
    NO_BUYER = "no_buyer"  # the chat has no buyer to block (a system chat, or the account is gone)
    REFUSED = "refused"  # Avito refused, or kept failing: `error` says what it answered


@dataclass(frozen=True)
class BlockResult:
    status: Block
    reason: BlockReason
    buyer_name: str = ""
    error: str = ""


async def block_buyer(services: Services, seat: TopicSeat, actor_id: int, words: str) -> BlockResult:
    """Put the dialog's buyer on the Avito account's blacklist, for the reason `words` name; audited."""
    reason = block_reason(words)
    async with services.db.session() as session:
        dialog = await session.get(Dialog, seat.dialog_id)
        account = await session.get(AvitoAccount, dialog.account_id) if dialog else None
        if dialog is None or account is None or dialog.buyer_avito_id is None:
            return BlockResult(Block.NO_BUYER, reason)
        buyer_id, item_id, name = dialog.buyer_avito_id, dialog.item_id, dialog.buyer_name or ""
        avito_user_id = account.avito_user_id
        session.expunge(account)
    avito = account_session(services.avito, services.db, account)
    error: AvitoError | None = None
    for delay in (0.0, *BLOCK_RETRY_DELAYS):
        await asyncio.sleep(delay)
        try:
            await avito.blacklist(avito_user_id, buyer_id, int(reason), item_id)
        except AvitoError as exc:
            error = exc
            if exc.retryable:
                continue
        else:
            error = None
        break
    details = {
        "dialog_id": seat.dialog_id,
        "buyer_id": buyer_id,
        "reason_id": int(reason),
        "words": words[:200],
    }
    async with services.db.session() as session:
        if error is None:
            AuditRepo(session).record(seat.workspace_id, actor_id, "dialog.block", **details)
        else:
            AuditRepo(session).record(
                seat.workspace_id, actor_id, "dialog.block.refused", **details, error=str(error)[:300]
            )
        await session.commit()
    if error is not None:
        log.info("blacklisting buyer %s of dialog %s refused: %s", buyer_id, seat.dialog_id, error)
        return BlockResult(Block.REFUSED, reason, name, str(error))
    return BlockResult(Block.BLOCKED, reason, name)
