"""`/close` in a dialog topic: the conversation is done. The topic is closed in Telegram and shows the
"closed" icon; the buyer's next message reopens it (jobs/deliver).

Who may close is who may use topic commands (app.topic_commands.may_act); anyone else, and any other chat
or topic, gets no answer at all. The confirmation goes into the topic before it is closed, in the owner's
language. A topic closed or reopened by hand in Telegram is followed as well.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import Message

from tuberry.app import topic_status
from tuberry.app.i18n import translator
from tuberry.app.services import Services
from tuberry.telegram.forum import TopicError, close_topic

log = logging.getLogger(__name__)


def close_router() -> Router:
    """`/close` in forum topics of supergroups (a new router per dispatcher)."""
    router = Router(name="client-close")
    router.message.filter(F.chat.type == "supergroup", F.message_thread_id, F.from_user.is_bot.is_(False))
    router.message.register(on_close, Command("close"))
    router.message.register(on_closed_by_hand, F.forum_topic_closed)
    router.message.register(on_closed_by_hand, F.forum_topic_reopened)
    return router


async def on_close(message: Message, services: Services, client_bot_id: int) -> None:
    thread_id = message.message_thread_id
    if thread_id is None:
        return
    actor = message.from_user
    closing = await topic_status.close_topic(
        services, client_bot_id, message.chat.id, thread_id, actor.id if actor else None
    )
    if closing is None:
        return
    try:
        await message.reply(translator(closing.language)("topic-closed"))
    except TelegramAPIError as exc:  # e.g. closed already by hand: closing it is what matters
        log.info("cannot confirm /close in topic %s of chat %s: %s", thread_id, message.chat.id, exc)
    if message.bot is None:
        return
    try:
        await close_topic(message.bot, message.chat.id, thread_id)
    except TopicError as exc:
        log.warning("cannot close topic %s of chat %s: %s", thread_id, message.chat.id, exc)


async def on_closed_by_hand(message: Message, services: Services, client_bot_id: int) -> None:
    """A person closed or reopened the topic in Telegram (the bot's own closing and reopening come from the
    bot and are not seen here): the dialog and its icon follow."""
    if message.message_thread_id is None:
        return
    actor = message.from_user
    await topic_status.closed_by_hand(
        services,
        client_bot_id,
        message.chat.id,
        message.message_thread_id,
        actor.id if actor else None,
        closed=message.forum_topic_closed is not None,
    )
