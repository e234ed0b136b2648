"""Client bots: binding the owner's forum group (my_chat_member, /bind, "choose forum group", migration).

Handlers get `client_bot_id` (the ClientBot.id receiving the update) and `services` in their data.
"""

from __future__ import annotations

import html
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    ChatMemberUpdated,
    KeyboardButton,
    KeyboardButtonRequestChat,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    User,
)

from tuberry.app.binding import (
    BindResult,
    BindStatus,
    administrator_rights,
    bind_group,
    group_left,
    migrate_group,
)
from tuberry.app.i18n import Translator, translator
from tuberry.app.owner_language import owner_language
from tuberry.app.services import Services
from tuberry.bot.common.binding_texts import render_bind_result
from tuberry.storage.repos import BotRepo, WorkspaceRepo

log = logging.getLogger(__name__)

GROUPS = {"group", "supergroup"}
# Identifies our "choose forum group" button in the chat_shared answer (any signed 32-bit number).
REQUEST_FORUM = 7301


def membership_router() -> Router:
    """The binding handlers on a new router (aiogram attaches a router to one dispatcher only)."""
    router = Router(name="client-membership")
    router.my_chat_member.register(on_my_chat_member, F.chat.type.in_(GROUPS))
    router.message.register(on_bind, Command("bind"), F.chat.type.in_(GROUPS))
    router.message.register(on_migrated_to, F.migrate_to_chat_id)
    router.message.register(on_migrated_from, F.migrate_from_chat_id, F.chat.type == "supergroup")
    router.message.register(on_private_start, CommandStart(), F.chat.type == "private")
    router.message.register(
        on_chat_shared, F.chat_shared.request_id == REQUEST_FORUM, F.chat.type == "private"
    )
    return router


async def _t(services: Services, client_bot_id: int, actor: User | None) -> Translator:
    """Answers about binding speak the owner's language, wherever they are posted."""
    return translator(
        await owner_language(
            services, client_bot_id, actor.id if actor else None, actor.language_code if actor else None
        )
    )


async def _say(bot: Bot, chat_id: int, text: str) -> None:
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError as exc:
        # E.g. no right to write in the group: the cabinet card still shows the state.
        log.info("cannot answer in chat %s: %s", chat_id, exc)


def _render(t: Translator, result: BindResult, services: Services) -> str:
    return render_bind_result(t, result, master_username=services.master_username)


async def on_my_chat_member(
    event: ChatMemberUpdated, bot: Bot, services: Services, client_bot_id: int
) -> None:
    status = event.new_chat_member.status
    if status in ("left", "kicked"):
        await group_left(services, client_bot_id, event.chat.id, event.from_user.id)
        return
    result = await bind_group(services, client_bot_id, event.chat.id, event.from_user.id)
    if result.status in (BindStatus.BOT_GONE, BindStatus.TELEGRAM_DOWN):
        return
    if result.ok and not result.changed:
        return  # e.g. a rights change that does not matter: nothing new to say
    t = await _t(services, client_bot_id, event.from_user)
    await _say(bot, event.chat.id, _render(t, result, services))


async def on_bind(message: Message, bot: Bot, services: Services, client_bot_id: int) -> None:
    actor = message.from_user
    result = await bind_group(services, client_bot_id, message.chat.id, actor.id if actor else None)
    t = await _t(services, client_bot_id, actor)
    await _say(bot, message.chat.id, _render(t, result, services))


async def on_migrated_to(message: Message, services: Services) -> None:
    """The old basic group's last word: its bound bots (if any) follow the new supergroup id."""
    if message.migrate_to_chat_id is not None:
        await migrate_group(services, message.chat.id, message.migrate_to_chat_id)


async def on_migrated_from(message: Message, bot: Bot, services: Services, client_bot_id: int) -> None:
    """Topics were switched on: the group is now a supergroup. If the owner did it, try binding it now."""
    actor = message.from_user
    if message.migrate_from_chat_id is not None:
        await migrate_group(services, message.migrate_from_chat_id, message.chat.id)
    result = await bind_group(services, client_bot_id, message.chat.id, actor.id if actor else None)
    if result.status in (BindStatus.NOT_OWNER, BindStatus.BOT_GONE, BindStatus.TELEGRAM_DOWN):
        return
    if result.ok and not result.changed:
        return
    t = await _t(services, client_bot_id, actor)
    await _say(bot, message.chat.id, _render(t, result, services))


async def _owner_and_group(services: Services, client_bot_id: int) -> tuple[int | None, str | None]:
    async with services.db.session() as session:
        row = await BotRepo(session).by_id(client_bot_id)
        if row is None:
            return None, None
        workspace = await WorkspaceRepo(session).get(row.workspace_id)
        return (workspace.owner_telegram_id if workspace else None), row.group_title


def choose_group_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    rights = administrator_rights()
    button = KeyboardButton(
        text=t("membership-choose-group"),
        request_chat=KeyboardButtonRequestChat(
            request_id=REQUEST_FORUM,
            chat_is_channel=False,
            chat_is_forum=True,
            user_administrator_rights=rights,
            bot_administrator_rights=rights,
            request_title=True,
        ),
    )
    return ReplyKeyboardMarkup(keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True)


async def on_private_start(message: Message, services: Services, client_bot_id: int) -> None:
    actor = message.from_user
    owner_id, group_title = await _owner_and_group(services, client_bot_id)
    t = await _t(services, client_bot_id, actor)
    if actor is None or actor.id != owner_id:
        await message.answer(t("membership-start-stranger"))
        return
    text = t("membership-start-owner", master=services.master_username)
    if group_title:
        text += "\n\n" + t("membership-start-bound", title=html.escape(group_title))
    await message.answer(text, reply_markup=choose_group_keyboard(t))


async def on_chat_shared(message: Message, services: Services, client_bot_id: int) -> None:
    actor = message.from_user
    shared = message.chat_shared
    if shared is None:
        return
    result = await bind_group(services, client_bot_id, shared.chat_id, actor.id if actor else None)
    t = await _t(services, client_bot_id, actor)
    markup = ReplyKeyboardRemove() if result.ok else None
    await message.answer(_render(t, result, services), reply_markup=markup)
