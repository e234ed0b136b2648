"""Sending into forum topics, with Telegram's errors mapped to what the caller must do about them."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile
from aiohttp import ClientError


class TopicError(Exception):
    """Base of what can go wrong when posting into a topic."""


class TopicGone(TopicError):
    """The topic was deleted (Telegram: "message thread not found" / TOPIC_DELETED): create a new one."""


class TopicClosed(TopicError):
    """The topic is closed (TOPIC_CLOSED): reopen it, then send again."""


class RateLimited(TopicError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class ChatMigrated(TopicError):
    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class GroupUnusable(TopicError):
    """The bot cannot post into the group at all (kicked, token revoked, not a forum, no rights)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Transient(TopicError):
    """Telegram is down or unreachable (5xx, timeout, dropped connection, garbled answer): retry later."""


class Rejected(TopicError):
    """Telegram refused this very message (bad media, too long): don't retry it as is."""


_GONE = re.compile(r"message thread not found|TOPIC_DELETED|TOPIC_ID_INVALID|invalid message thread", re.I)
_CLOSED = re.compile(r"TOPIC_CLOSED", re.I)
_UNUSABLE = {
    "not_forum": re.compile(r"chat is not a forum", re.I),
    "no_rights": re.compile(r"not enough rights", re.I),
    "chat_not_found": re.compile(r"chat not found", re.I),
}


def classify(error: Exception) -> TopicError:
    """Map an aiogram or network error to the action it calls for."""
    if isinstance(error, TelegramRetryAfter):
        return RateLimited(float(error.retry_after))
    if isinstance(error, TelegramMigrateToChat):
        return ChatMigrated(error.migrate_to_chat_id)
    if isinstance(error, TelegramBadRequest | TelegramNotFound):
        text = error.message
        if _GONE.search(text):
            return TopicGone(text)
        if _CLOSED.search(text):
            return TopicClosed(text)
        for reason, pattern in _UNUSABLE.items():
            if pattern.search(text):
                return GroupUnusable(reason, text)
        return Rejected(text)
    if isinstance(error, TelegramForbiddenError):
        return GroupUnusable("forbidden", error.message)
    if isinstance(error, TelegramUnauthorizedError):
        return GroupUnusable("unauthorized", error.message)
    if isinstance(error, TelegramEntityTooLarge):  # 413, though aiogram files it under network errors
        return Rejected(error.message)
    # aiogram wraps timeouts and aiohttp's connection errors in TelegramNetworkError, and an answer that is
    # not Bot API JSON (a proxy's error page) in ClientDecodeError: Telegram was not reached, so try again.
    network = TelegramNetworkError | ClientDecodeError | ClientError | TimeoutError | OSError
    if isinstance(error, TelegramServerError | network):
        return Transient(str(error))
    raise error


async def call(request: Awaitable[Any]) -> Any:
    """Await a Telegram call, turning its failure into a TopicError."""
    try:
        return await request
    except Exception as exc:
        raise classify(exc) from exc


async def create_topic(bot: Bot, chat_id: int, title: str, icon: str | None = None) -> int:
    """A new topic; `icon` is a custom emoji id of Telegram's topic icon set (None or "": the default)."""
    topic = await call(bot.create_forum_topic(chat_id=chat_id, name=title, icon_custom_emoji_id=icon or None))
    return int(topic.message_thread_id)


async def set_topic_icon(bot: Bot, chat_id: int, topic_id: int, icon: str) -> None:
    """Show `icon` (a custom emoji id) on the topic; an icon already shown is no error. (An empty id, which
    would remove a custom icon, never reaches Telegram: aiogram leaves empty fields out of the request.)"""
    await _unless_unchanged(
        bot.edit_forum_topic(chat_id=chat_id, message_thread_id=topic_id, icon_custom_emoji_id=icon)
    )


async def close_topic(bot: Bot, chat_id: int, topic_id: int) -> None:
    """Close the topic; a topic closed already is no error."""
    await _unless_unchanged(bot.close_forum_topic(chat_id=chat_id, message_thread_id=topic_id))


async def _unless_unchanged(request: Awaitable[Any]) -> None:
    try:
        await request
    except TelegramBadRequest as exc:
        if "TOPIC_NOT_MODIFIED" in exc.message:
            return
        raise classify(exc) from exc
    except Exception as exc:
        raise classify(exc) from exc


async def reopen_topic(bot: Bot, chat_id: int, topic_id: int) -> None:
    """Reopen the topic; a topic open already is no error."""
    await _unless_unchanged(bot.reopen_forum_topic(chat_id=chat_id, message_thread_id=topic_id))


async def pin_message(bot: Bot, chat_id: int, message_id: int) -> None:
    """Pin without notifying the group."""
    await call(bot.pin_chat_message(chat_id, message_id, disable_notification=True))


@dataclass(frozen=True)
class Thread:
    """A forum topic to post into; each send returns the id of the message Telegram created."""

    bot: Bot
    chat_id: int
    topic_id: int | None

    async def text(self, text: str) -> int:
        """One message of at most Telegram's text limit (HTML parse mode)."""
        return await self._sent(self.bot.send_message(self.chat_id, text, message_thread_id=self.topic_id))

    async def photo(self, photo: str | bytes, caption: str) -> int:
        """A photo by URL (Telegram fetches it) or as uploaded bytes."""
        file = BufferedInputFile(photo, "image.jpg") if isinstance(photo, bytes) else photo
        return await self._sent(
            self.bot.send_photo(self.chat_id, file, caption=caption, message_thread_id=self.topic_id)
        )

    async def voice(self, ogg_opus: bytes, caption: str) -> int:
        voice = BufferedInputFile(ogg_opus, "voice.ogg")
        return await self._sent(
            self.bot.send_voice(self.chat_id, voice, caption=caption, message_thread_id=self.topic_id)
        )

    async def audio(self, data: bytes, name: str, caption: str) -> int:
        audio = BufferedInputFile(data, name)
        return await self._sent(
            self.bot.send_audio(self.chat_id, audio, caption=caption, message_thread_id=self.topic_id)
        )

    async def document(self, data: bytes, name: str, caption: str) -> int:
        file = BufferedInputFile(data, name)
        return await self._sent(
            self.bot.send_document(self.chat_id, file, caption=caption, message_thread_id=self.topic_id)
        )

    @staticmethod
    async def _sent(request: Awaitable[Any]) -> int:
        return int((await call(request)).message_id)
