"""Binding a client bot to its forum group: shared by the cabinet (re-check, unbind) and the client bots.

A group is bound when it is a forum supergroup and the bot is an administrator there with *Manage topics*.
Pinning and deleting messages are wanted too; their absence is stored as "missing rights" but does not
prevent the binding. The UI renders a `BindResult` with `bot.common.binding_texts.render_bind_result`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import ChatAdministratorRights

from tuberry.app.services import Services
from tuberry.storage.models import BotStatus, ClientBot
from tuberry.storage.repos import AuditRepo, BotRepo, WorkspaceRepo

log = logging.getLogger(__name__)

MANAGE_TOPICS = "manage_topics"
PIN_MESSAGES = "pin_messages"
DELETE_MESSAGES = "delete_messages"
WANTED_RIGHTS = (MANAGE_TOPICS, PIN_MESSAGES, DELETE_MESSAGES)
# Stored among the missing rights of a bound group whose topics were switched off.
FORUM_OFF = "forum"


class BindStatus(StrEnum):
    BOUND = "bound"
    NOT_GROUP = "not_group"  # a channel or a private chat
    NOT_FORUM = "not_forum"  # topics are off (a basic group has none)
    NOT_ADMIN = "not_admin"
    NO_MANAGE_TOPICS = "no_manage_topics"
    NOT_OWNER = "not_owner"
    NO_ACCESS = "no_access"  # the bot is not in the chat, or the chat does not exist
    TAKEN = "taken"  # another bot already serves this group
    TOKEN_REVOKED = "token_revoked"
    BOT_GONE = "bot_gone"  # disconnected from Tuberry
    TELEGRAM_DOWN = "telegram_down"


@dataclass(frozen=True)
class BindResult:
    status: BindStatus
    chat_id: int | None = None
    title: str = ""
    missing: tuple[str, ...] = ()
    changed: bool = False  # the stored binding changed (new group, other rights, new title)
    bot_username: str = ""

    @property
    def ok(self) -> bool:
        return self.status is BindStatus.BOUND


@dataclass(frozen=True)
class _Inspection:
    status: BindStatus
    chat_id: int
    title: str = ""
    missing: tuple[str, ...] = field(default=())


def administrator_rights() -> ChatAdministratorRights:
    """Exactly the rights the client bot needs: topics, pins and deletes; nothing else."""
    return ChatAdministratorRights(
        is_anonymous=False,
        can_manage_chat=False,
        can_delete_messages=True,
        can_manage_video_chats=False,
        can_restrict_members=False,
        can_promote_members=False,
        can_change_info=False,
        can_invite_users=False,
        can_post_stories=False,
        can_edit_stories=False,
        can_delete_stories=False,
        can_send_welcome_messages=False,
        can_pin_messages=True,
        can_manage_topics=True,
    )


async def inspect_chat(bot: Bot, chat_id: int) -> _Inspection:
    """What Telegram says about this chat and the bot's rights in it."""
    try:
        try:
            chat = await bot.get_chat(chat_id)
        except TelegramMigrateToChat as exc:
            # A basic group became a supergroup (topics were switched on): the old id is dead.
            chat_id = exc.migrate_to_chat_id
            chat = await bot.get_chat(chat_id)
        if chat.type not in ("group", "supergroup"):
            return _Inspection(BindStatus.NOT_GROUP, chat_id, chat.title or "")
        title = chat.title or ""
        if chat.type != "supergroup" or not chat.is_forum:
            return _Inspection(BindStatus.NOT_FORUM, chat_id, title, (FORUM_OFF,))
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramUnauthorizedError:
        return _Inspection(BindStatus.TOKEN_REVOKED, chat_id)
    except (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound):
        return _Inspection(BindStatus.NO_ACCESS, chat_id)
    except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter, TelegramMigrateToChat):
        return _Inspection(BindStatus.TELEGRAM_DOWN, chat_id)
    if member.status != "administrator":
        return _Inspection(BindStatus.NOT_ADMIN, chat_id, title, WANTED_RIGHTS)
    missing = tuple(right for right in WANTED_RIGHTS if not getattr(member, f"can_{right}", False))
    if MANAGE_TOPICS in missing:
        return _Inspection(BindStatus.NO_MANAGE_TOPICS, chat_id, title, missing)
    return _Inspection(BindStatus.BOUND, chat_id, title, missing)


async def bind_group(services: Services, bot_id: int, chat_id: int, actor_id: int | None) -> BindResult:
    """Bind `chat_id` to the client bot `bot_id` on behalf of the Telegram user `actor_id`.

    Only the workspace owner binds; anybody's action may refresh the stored rights of the group the bot
    is already bound to (Telegram facts, not a decision).
    """
    async with services.db.session() as session:
        row = await BotRepo(session).by_id(bot_id)
        if row is None or row.status != BotStatus.ACTIVE:
            return BindResult(BindStatus.BOT_GONE, chat_id)
        workspace = await WorkspaceRepo(session).get(row.workspace_id)
        owner_id = workspace.owner_telegram_id if workspace else None
        token, username, bound_chat = row.token, row.username, row.group_chat_id
    if actor_id != owner_id and chat_id != bound_chat:
        return BindResult(BindStatus.NOT_OWNER, chat_id, bot_username=username)
    found = await inspect_chat(services.bots.get(token), chat_id)
    if found.chat_id != chat_id:
        await migrate_group(services, chat_id, found.chat_id)
    return await _store(services, bot_id, found, actor_id, chat_id)


async def recheck(services: Services, workspace_id: int, bot_id: int, actor_id: int) -> BindResult | None:
    """Re-read the bound group of a bot of this workspace; None when the bot has no group (or is not ours)."""
    async with services.db.session() as session:
        row = await BotRepo(session).get(workspace_id, bot_id)
        if row is None or row.group_chat_id is None:
            return None
        chat_id = row.group_chat_id
    return await bind_group(services, bot_id, chat_id, actor_id)


async def _store(
    services: Services, bot_id: int, found: _Inspection, actor_id: int | None, asked_chat: int
) -> BindResult:
    async with services.db.session() as session:
        bots = BotRepo(session)
        row = await bots.by_id(bot_id)
        if row is None or row.status != BotStatus.ACTIVE:
            return BindResult(BindStatus.BOT_GONE, found.chat_id)
        audit = AuditRepo(session)
        is_bound_group = row.group_chat_id in (found.chat_id, asked_chat)
        status = found.status
        if status is BindStatus.BOUND:
            others = [bot for bot in await bots.by_group(found.chat_id) if bot.id != row.id]
            if others:
                return BindResult(BindStatus.TAKEN, found.chat_id, found.title, bot_username=row.username)
        changed = False
        if status in (
            BindStatus.BOUND,
            BindStatus.NOT_FORUM,
            BindStatus.NOT_ADMIN,
            BindStatus.NO_MANAGE_TOPICS,
        ):
            if status is BindStatus.BOUND or is_bound_group:
                changed = _apply(row, found)
                if changed and not is_bound_group:
                    audit.record(
                        row.workspace_id, actor_id, "group.bind", bot_id=row.id, chat_id=found.chat_id
                    )
        elif status is BindStatus.NO_ACCESS and is_bound_group:
            # Telegram says the bot is no longer there: a binding that cannot work is dropped.
            _clear(row)
            changed = True
            audit.record(row.workspace_id, actor_id, "group.lost", bot_id=row.id, chat_id=found.chat_id)
        if changed:
            await session.commit()
        return BindResult(
            status, found.chat_id, found.title, found.missing, changed=changed, bot_username=row.username
        )


def _apply(row: ClientBot, found: _Inspection) -> bool:
    before = (row.group_chat_id, row.group_title, list(row.missing_rights or []))
    row.group_chat_id = found.chat_id
    if found.title:
        row.group_title = found.title
    row.missing_rights = list(found.missing)
    return before != (row.group_chat_id, row.group_title, list(row.missing_rights))


def _clear(row: ClientBot) -> None:
    row.group_chat_id = None
    row.group_title = None
    row.missing_rights = []


async def unbind(services: Services, workspace_id: int, bot_id: int, actor_id: int) -> bool:
    """The owner lets the bot's group go (the bot stays in it); False when there was nothing to unbind."""
    async with services.db.session() as session:
        row = await BotRepo(session).get(workspace_id, bot_id)
        if row is None or row.group_chat_id is None:
            return False
        AuditRepo(session).record(
            workspace_id, actor_id, "group.unbind", bot_id=bot_id, chat_id=row.group_chat_id
        )
        _clear(row)
        await session.commit()
    return True


async def group_left(services: Services, bot_id: int, chat_id: int, actor_id: int | None) -> bool:
    """The bot was removed from a chat: if it was the bound group, the binding goes."""
    async with services.db.session() as session:
        row = await BotRepo(session).by_id(bot_id)
        if row is None or row.group_chat_id != chat_id:
            return False
        AuditRepo(session).record(row.workspace_id, actor_id, "group.lost", bot_id=bot_id, chat_id=chat_id)
        _clear(row)
        await session.commit()
    return True


async def migrate_group(services: Services, old_chat_id: int, new_chat_id: int) -> int:
    """A basic group became a supergroup: bots bound to the old id follow it. Returns how many moved."""
    async with services.db.session() as session:
        rows = await BotRepo(session).by_group(old_chat_id)
        for row in rows:
            row.group_chat_id = new_chat_id
            AuditRepo(session).record(
                row.workspace_id, None, "group.migrate", bot_id=row.id, old=old_chat_id, new=new_chat_id
            )
        if rows:
            await session.commit()
    return len(rows)
