"""A manager's message in a dialog topic becomes an outbound message to Avito (the `app.relay` use case).

Only text and photos (with caption) go: Avito's API accepts nothing else. Commands, the General topic and
chats other than the bound group are never relayed.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message as TgMessage

from tuberry.app.i18n import translator
from tuberry.app.relay import Part, Relay, relay_message
from tuberry.app.services import Services
from tuberry.domain.textsplit import split_text


def replies_router() -> Router:
    """Messages in forum topics of groups; everything else passes by."""
    router = Router(name="client-topics")
    # The thread id is what matters: only a dialog's own topic id finds a dialog below. (is_topic_message is
    # not required: a reply chain in General has a thread id too, but never one of a dialog's topic ids.)
    router.message.filter(F.message_thread_id, F.chat.type == "supergroup")
    router.message.register(on_topic_message, F.from_user.is_bot.is_(False))
    return router


def _is_command(message: TgMessage) -> bool:
    return bool(message.text and message.text.startswith("/"))


async def on_topic_message(message: TgMessage, services: Services, client_bot_id: int) -> None:
    if _is_command(message) or message.forum_topic_created or message.pinned_message:
        return
    parts = _parts(message)
    if not parts and _is_service(message):
        return
    author = message.from_user
    result = await relay_message(
        services,
        client_bot_id,
        message.chat.id,
        message.message_thread_id or 0,
        message.message_id,
        author.id if author else None,
        parts,
    )
    if result.status is Relay.UNSUPPORTED:
        await message.reply(translator(result.language)("bridge-only-text-and-images"))


def _parts(message: TgMessage) -> list[Part]:
    """The Avito messages this Telegram message becomes: image first, then its caption as text."""
    parts: list[Part] = []
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        parts.append(Part("image", content={"file_id": largest.file_id}))
        text = message.caption
    elif message.text:
        text = message.text
    else:
        return []
    if text and text.strip():
        # split_text cuts at Avito's limit of 1000 characters a message, at word boundaries.
        parts += [Part("text", chunk) for chunk in split_text(text)]
    return parts


def _is_service(message: TgMessage) -> bool:
    """Service messages (topic edits, members joining) are not a manager's attempt to send something."""
    return not any(
        (
            message.sticker,
            message.animation,
            message.document,
            message.video,
            message.video_note,
            message.voice,
            message.audio,
            message.contact,
            message.location,
            message.venue,
            message.poll,
            message.dice,
        )
    )
