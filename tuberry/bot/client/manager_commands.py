"""Who may answer buyers, chosen in the group itself (bots cannot look people up by @username).

The owner replies to a member's message with `/manager` (or `/manager add`) to list them, `/manager remove`
to take them off; `/managers` shows the list. While the list is empty every member's reply in a dialog topic
goes to Avito; otherwise only the listed members' (the topics router enforces it). Answers speak the
owner's language. Commands are never relayed: the topics router skips every "/" text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message, User

from tuberry.app import managers
from tuberry.app.i18n import Translator, translator
from tuberry.app.owner_language import owner_language
from tuberry.app.services import Services
from tuberry.bot.common import manager_texts
from tuberry.storage.models import BotStatus
from tuberry.storage.repos import BotRepo, WorkspaceRepo

log = logging.getLogger(__name__)

GROUPS = {"group", "supergroup"}
ADD = {"", "add", "+"}
REMOVE = {"remove", "rm", "del", "delete", "-"}


def managers_router() -> Router:
    """`/manager` and `/managers` in groups, on a new router (aiogram attaches a router to one parent)."""
    router = Router(name="client-managers")
    router.message.filter(F.chat.type.in_(GROUPS))
    router.message.register(on_manager, Command("manager"))
    router.message.register(on_managers, Command("managers"))
    return router


@dataclass(frozen=True)
class _Seat:
    """The bot as seen from this group: whose it is and whether this is its group."""

    workspace_id: int
    owner_id: int | None
    bound_here: bool
    listed: list[managers.Manager]


async def _seat(services: Services, client_bot_id: int, chat_id: int) -> _Seat | None:
    async with services.db.session() as session:
        row = await BotRepo(session).by_id(client_bot_id)
        if row is None or row.status != BotStatus.ACTIVE:
            return None
        workspace = await WorkspaceRepo(session).get(row.workspace_id)
        return _Seat(
            workspace_id=row.workspace_id,
            owner_id=workspace.owner_telegram_id if workspace else None,
            bound_here=row.group_chat_id == chat_id,
            listed=managers.managers_of(row),
        )


async def _answer(message: Message, text: str) -> None:
    try:
        await message.reply(text)
    except TelegramAPIError as exc:  # e.g. no right to write here; the cabinet shows the list anyway
        log.info("cannot answer in chat %s: %s", message.chat.id, exc)


async def _checked(
    message: Message, services: Services, client_bot_id: int
) -> tuple[_Seat, Translator] | None:
    """The owner in the bound group may go on; anyone else gets a short answer (or nothing)."""
    actor = message.from_user
    seat = await _seat(services, client_bot_id, message.chat.id)
    if seat is None:
        return None
    t = translator(
        await owner_language(
            services, client_bot_id, actor.id if actor else None, actor.language_code if actor else None
        )
    )
    if actor is None or actor.id != seat.owner_id:
        await _answer(message, t("managers-only-owner"))
        return None
    if not seat.bound_here:
        await _answer(message, t("managers-not-bound"))
        return None
    return seat, t


def _target(message: Message) -> User | None:
    """Whose message the command answers. In a topic every message "replies" to the topic's creation
    (an implicit reply): that is not a choice of a person."""
    reply = message.reply_to_message
    if reply is None or reply.forum_topic_created is not None:
        return None
    return reply.from_user


def _name(user: User) -> str:
    return managers.display_name(user.full_name, user.username)


async def on_manager(
    message: Message, command: CommandObject, services: Services, client_bot_id: int
) -> None:
    checked = await _checked(message, services, client_bot_id)
    if checked is None:
        return
    seat, t = checked
    verb = (command.args or "").strip().lower()
    target = _target(message)
    if verb not in ADD | REMOVE or target is None:
        await _answer(message, t("managers-usage"))
        return
    if target.is_bot:
        await _answer(message, t("managers-not-a-person"))
        return
    owner_id = seat.owner_id or 0
    name = _name(target)
    if verb in ADD:
        outcome = await managers.add_manager(
            services, seat.workspace_id, client_bot_id, owner_id, target.id, name
        )
        if outcome is None:
            return
        who = manager_texts.who(outcome.name, target.id)
        if outcome.change is managers.Change.ALREADY:
            text = t("managers-already", name=who)
        else:
            text = t("managers-added", name=who)
            if outcome.left == 1:  # the first one: from now on the others' replies stay in the group
                text += "\n\n" + t("managers-added-first")
                if target.id != owner_id:
                    text += "\n\n" + t("managers-owner-not-listed")
    else:
        outcome = await managers.remove_manager(
            services, seat.workspace_id, client_bot_id, owner_id, target.id, name
        )
        if outcome is None:
            return
        who = manager_texts.who(outcome.name, target.id)
        if outcome.change is managers.Change.NOT_LISTED:
            text = t("managers-not-listed", name=who)
        else:
            text = t("managers-removed", name=who)
            if outcome.left == 0:
                text += "\n\n" + t("managers-removed-last")
    await _answer(message, text)


async def on_managers(message: Message, services: Services, client_bot_id: int) -> None:
    checked = await _checked(message, services, client_bot_id)
    if checked is None:
        return
    seat, t = checked
    if not seat.listed:
        await _answer(message, t("managers-list-everyone"))
        return
    text = t("managers-list-only", count=len(seat.listed), list=manager_texts.render_list(t, seat.listed))
    await _answer(message, text)
