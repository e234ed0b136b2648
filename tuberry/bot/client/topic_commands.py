"""Commands in a dialog's topic (`/block`, `/note`, `/q`, `/help`) and quick replies in inline mode.

Who may: `app.topic_commands.topic_seat` (managers, the owner). Anyone else gets no answer at all. The
commands themselves never reach the buyer: the topics router skips every "/" text. Answers speak the owner's
language. Every message in a forum topic is noted (`remember_topic`) so that inline results, which Telegram
sends without the chat, are filled for the topic the person is writing in.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    TelegramObject,
)

from tuberry.app import quick_replies
from tuberry.app.i18n import Translator, translator
from tuberry.app.owner_language import owner_language
from tuberry.app.services import Services
from tuberry.app.topic_commands import Block, TopicSeat, block_buyer, topic_seat

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 120  # characters of the filled text shown under an inline result's title


def topic_commands_router() -> Router:
    """A new router (aiogram attaches a router to one parent); it must come before the topics router."""
    router = Router(name="client-topic-commands")
    router.message.filter(F.message_thread_id, F.chat.type == "supergroup")
    router.message.outer_middleware(_remember_topic)
    router.message.register(on_block, Command("block"))
    router.message.register(on_note, Command("note"))
    router.message.register(on_quick, Command("q"))
    router.message.register(on_help, Command("help"))
    router.message.register(on_chosen_result, F.via_bot)
    router.inline_query.register(on_inline)
    return router


async def _remember_topic(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    if (
        isinstance(event, Message)
        and event.message_thread_id
        and event.chat.type == "supergroup"
        and event.from_user is not None
        and not event.from_user.is_bot
    ):
        await quick_replies.remember_topic(
            data["services"],
            data["client_bot_id"],
            event.from_user.id,
            event.chat.id,
            event.message_thread_id,
        )
    return await handler(event, data)


async def _seat(
    message: Message, services: Services, client_bot_id: int
) -> tuple[TopicSeat, Translator] | None:
    """The seat of a dialog topic for someone who may act there; None (and no answer) otherwise."""
    user = message.from_user
    if user is None or user.is_bot:
        return None
    seat = await topic_seat(
        services, client_bot_id, message.chat.id, message.message_thread_id or 0, user.id, user.language_code
    )
    return (seat, translator(seat.language)) if seat is not None else None


async def _reply(message: Message, text: str, **kwargs: Any) -> Message | None:
    try:
        return await message.reply(text, **kwargs)
    except TelegramAPIError as exc:  # e.g. the topic was closed meanwhile: nothing more to do
        log.info("cannot answer in chat %s: %s", message.chat.id, exc)
        return None


async def on_block(message: Message, command: CommandObject, services: Services, client_bot_id: int) -> None:
    checked = await _seat(message, services, client_bot_id)
    if checked is None or message.from_user is None:
        return
    seat, t = checked
    result = await block_buyer(services, seat, message.from_user.id, command.args or "")
    reason = t(f"tc-reason-{result.reason.name.lower()}")
    if result.status is Block.BLOCKED:
        text = t("tc-blocked", name=html.escape(result.buyer_name or "—"), reason=reason)
    elif result.status is Block.NO_BUYER:
        text = t("tc-block-no-buyer")
    else:
        text = t("tc-block-refused", error=html.escape(result.error))
    await _reply(message, text)


async def on_note(message: Message, command: CommandObject, services: Services, client_bot_id: int) -> None:
    checked = await _seat(message, services, client_bot_id)
    if checked is None or message.from_user is None:
        return
    _, t = checked
    body = (command.args or "").strip()
    if not body:
        await _reply(message, t("tc-note-usage"))
        return
    note = await _reply(
        message, t("tc-note", name=html.escape(message.from_user.full_name), text=html.escape(body))
    )
    if note is None:
        return
    try:
        await note.pin(disable_notification=True)
    except TelegramAPIError as exc:  # no right to pin: the note stays in the topic all the same
        log.info("cannot pin a note in chat %s: %s", message.chat.id, exc)
        await _reply(note, t("tc-note-not-pinned"))


async def on_quick(message: Message, command: CommandObject, services: Services, client_bot_id: int) -> None:
    checked = await _seat(message, services, client_bot_id)
    if checked is None or message.from_user is None:
        return
    seat, t = checked
    title = (command.args or "").strip()
    titles = await quick_replies.topic_titles(services, seat)
    listing = "\n".join(f"• <code>{html.escape(name)}</code>" for name in titles)
    if not title:
        await _reply(message, t("tc-q-list", list=listing) if titles else t("tc-q-none"))
        return
    result = await quick_replies.send_quick_reply(
        services,
        seat,
        message.chat.id,
        message.message_thread_id or 0,
        message.message_id,
        message.from_user.id,
        title,
    )
    if result.status is quick_replies.Quick.UNKNOWN:
        text = t("tc-q-unknown", title=html.escape(title), list=listing) if titles else t("tc-q-none")
        await _reply(message, text)
    elif result.status is quick_replies.Quick.NOT_RELAYED:
        await _reply(message, t("tc-q-not-relayed"))
    else:
        # The topic shows exactly what the buyer gets (plain text: a template is not HTML).
        await _reply(message, result.text, parse_mode=None)


async def on_help(message: Message, services: Services, client_bot_id: int) -> None:
    checked = await _seat(message, services, client_bot_id)
    if checked is None:
        return
    _, t = checked
    me = await message.bot.me() if message.bot else None
    await _reply(message, t("tc-help", bot=me.username if me and me.username else "bot"))


async def on_chosen_result(message: Message, services: Services, client_bot_id: int) -> None:
    """A quick reply chosen inline, posted "via @bot". Relayed like any reply (the topics router), unless it
    was filled for another topic's buyer: Telegram does not say where an inline query is typed."""
    user, via = message.from_user, message.via_bot
    if user is None or via is None or message.bot is None or via.id != message.bot.id:
        raise SkipHandler
    other = await quick_replies.chosen_elsewhere(
        services, client_bot_id, message.chat.id, message.message_thread_id or 0, user.id
    )
    if other is None:
        raise SkipHandler
    t = translator(await owner_language(services, client_bot_id, user.id, user.language_code))
    await _reply(message, t("tc-inline-other-dialog", name=html.escape(other)))


async def on_inline(query: InlineQuery, services: Services, client_bot_id: int) -> None:
    user = query.from_user
    offer = await quick_replies.inline_offer(services, client_bot_id, user.id, query.chat_type, query.query)
    t = translator(await owner_language(services, client_bot_id, user.id, user.language_code))
    results = [
        InlineQueryResultArticle(
            id=str(reply.id),
            title=reply.title,
            description=_description(t, offer, reply.text),
            input_message_content=InputTextMessageContent(message_text=reply.text, parse_mode=None),
        )
        for reply in offer.results
    ]
    # Personal and never cached: the results depend on who asks and on the topic they last wrote in.
    try:
        await query.answer(results, cache_time=0, is_personal=True)
    except TelegramAPIError as exc:  # the query expired (Telegram waits about 10 s): nothing to do
        log.info("inline answer refused: %s", exc)


def _description(t: Translator, offer: quick_replies.InlineOffer, text: str) -> str:
    preview = " ".join(text.split())
    if len(preview) > DESCRIPTION_LIMIT:
        preview = preview[: DESCRIPTION_LIMIT - 1] + "…"
    if not offer.buyer_name:
        return preview
    return t("tc-inline-for", name=offer.buyer_name, text=preview)
