"""A manager's message in a dialog topic becomes an outbound message to Avito.

Only text and photos (with caption) go: Avito's API accepts nothing else. Commands, the General topic and
chats other than the bound group are never relayed.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import Message as TgMessage
from sqlalchemy.exc import IntegrityError

from tuberry.app.owner_language import owner_translator
from tuberry.app.services import Services
from tuberry.domain.textsplit import split_text
from tuberry.storage.models import AvitoState, ClientBot, Direction, Message, Origin, TgState
from tuberry.storage.repos import DialogRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)


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
    async with services.db.session() as session:
        bot = await session.get(ClientBot, client_bot_id)
        if bot is None or bot.group_chat_id != message.chat.id:
            return
        if bot.manager_ids and message.from_user and message.from_user.id not in bot.manager_ids:
            return
        dialog = await DialogRepo(session).by_topic(bot.id, message.chat.id, message.message_thread_id or 0)
        if dialog is None:
            return
        parts = _parts(message)
        if not parts:
            if _is_service(message):
                return
            t = await owner_translator(session, bot.workspace_id)
            await message.reply(t("bridge-only-text-and-images"))
            return
        now = utcnow()
        for index, (kind, text, content) in enumerate(parts):
            session.add(
                Message(
                    dialog_id=dialog.id,
                    direction=Direction.OUT,
                    origin=Origin.MANAGER,
                    kind=kind,
                    text=text,
                    content=content,
                    source_tg_message_id=message.message_id,
                    part=index,
                    tg_message_id=message.message_id,
                    tg_state=TgState.SOURCE,
                    avito_state=AvitoState.PENDING,
                    author_telegram_id=message.from_user.id if message.from_user else None,
                )
            )
        dialog.last_manager_reply_at = now
        dialog_id = dialog.id
        try:
            await session.commit()
        except IntegrityError:
            # Stored by an earlier attempt at this update (the inbox replays an update whose handling was cut
            # short): queue the send all the same, the attempt may have failed before it; a queued or
            # finished send makes this a no-op.
            await session.rollback()
    await services.queue.send(dialog_id)


def _parts(message: TgMessage) -> list[tuple[str, str | None, dict[str, object]]]:
    """The Avito messages this Telegram message becomes: image first, then its caption as text."""
    parts: list[tuple[str, str | None, dict[str, object]]] = []
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        parts.append(("image", None, {"file_id": largest.file_id}))
        text = message.caption
    elif message.text:
        text = message.text
    else:
        return []
    if text and text.strip():
        # split_text cuts at Avito's limit of 1000 characters a message, at word boundaries.
        parts += [("text", chunk, {}) for chunk in split_text(text)]
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
