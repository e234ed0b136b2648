"""Relay: a manager's message in a dialog topic becomes outbound messages to the buyer on Avito.

The Telegram handler extracts plain values (which bot, chat, topic, message, author, and the parts Avito
accepts); this stores one outbound row per part in one transaction and queues the send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from tuberry.app.owner_language import owner_language_of
from tuberry.app.services import Services
from tuberry.storage.models import AvitoState, ClientBot, Direction, Message, Origin, TgState
from tuberry.storage.repos import DialogRepo
from tuberry.storage.types import utcnow


@dataclass(frozen=True)
class Part:
    """One Avito message: `kind` "text" (with `text`) or "image" (with `content`: the Telegram file_id)."""

    kind: str
    text: str | None = None
    content: dict[str, object] = field(default_factory=dict)


class Relay(StrEnum):
    QUEUED = "queued"
    IGNORED = "ignored"  # not the bound group, not a listed manager, or not a dialog's topic
    UNSUPPORTED = "unsupported"  # a dialog's topic, but nothing Avito accepts (no text, no photo)


@dataclass(frozen=True)
class RelayResult:
    status: Relay
    dialog_id: int | None = None
    language: str = ""  # the owner's, to say what is unsupported (UNSUPPORTED only)


async def relay_message(
    services: Services,
    bot_id: int,
    chat_id: int,
    thread_id: int,
    tg_message_id: int,
    author_id: int | None,
    parts: list[Part],
) -> RelayResult:
    """Store the parts as the manager's outbound messages of the topic's dialog and queue their send."""
    async with services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is None or bot.group_chat_id != chat_id:
            return RelayResult(Relay.IGNORED)
        if bot.manager_ids and author_id is not None and author_id not in bot.manager_ids:
            return RelayResult(Relay.IGNORED)
        dialog = await DialogRepo(session).by_topic(bot.id, chat_id, thread_id)
        if dialog is None:
            return RelayResult(Relay.IGNORED)
        if not parts:
            language = await owner_language_of(session, bot.workspace_id)
            return RelayResult(Relay.UNSUPPORTED, dialog.id, language)
        for index, part in enumerate(parts):
            session.add(
                Message(
                    dialog_id=dialog.id,
                    direction=Direction.OUT,
                    origin=Origin.MANAGER,
                    kind=part.kind,
                    text=part.text,
                    content=part.content,
                    source_tg_message_id=tg_message_id,
                    part=index,
                    tg_message_id=tg_message_id,
                    tg_state=TgState.SOURCE,
                    avito_state=AvitoState.PENDING,
                    author_telegram_id=author_id,
                )
            )
        answered = dialog.waiting_since is not None  # the status changes: waiting → answered (domain.ticket)
        dialog.last_manager_reply_at = utcnow()
        dialog.waiting_since = None
        dialog_id = dialog.id
        try:
            await session.commit()
        except IntegrityError:
            # Stored by an earlier attempt at this update (the inbox replays an update whose handling was cut
            # short): queue the send and the icon all the same, the attempt may have failed before it; a
            # queued or finished job makes this a no-op.
            await session.rollback()
            answered = True
    await services.queue.send(dialog_id)
    if answered:
        await services.queue.topic_icon(dialog_id)  # the worker changes the topic's icon
    return RelayResult(Relay.QUEUED, dialog_id)
