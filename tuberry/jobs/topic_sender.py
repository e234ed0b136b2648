"""Posting into a forum topic at the pace Telegram allows: every send of a job into a topic goes through here.

A message Telegram creates takes one send slot of the chat and the bot (storage/pacing). A call Telegram
refused created no message, so its slot passes to the call that stands in for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial

from arq import Retry

from tuberry.domain.render import TEXT_LIMIT as TELEGRAM_TEXT_LIMIT
from tuberry.domain.textsplit import split_text
from tuberry.storage.pacing import Pacer
from tuberry.telegram.forum import Thread, create_topic, pin_message, reopen_topic, set_topic_icon

# Waits shorter than this are slept inside the job; longer ones give the worker slot back (arq Retry).
MAX_INLINE_WAIT = 5.0


class TopicSender:
    """Sends into one topic of a bot's group; Telegram's errors come as telegram.forum's TopicErrors."""

    def __init__(self, pacer: Pacer, bot_id: int, thread: Thread) -> None:
        self._pacer = pacer
        self._bot_id = bot_id
        self.thread = thread
        self._slot = False  # a slot taken and not yet used by a message Telegram created

    async def create_topic(self, title: str, icon: str | None = None) -> int:
        return await self._paced(lambda: create_topic(self.thread.bot, self.thread.chat_id, title, icon))

    async def set_icon(self, icon: str) -> None:
        """The topic's status icon: Telegram posts a service message about the edit, so it takes a slot."""
        topic_id = self.thread.topic_id
        assert topic_id is not None

        async def edit() -> int:
            await set_topic_icon(self.thread.bot, self.thread.chat_id, topic_id, icon)
            return topic_id

        await self._paced(edit)

    async def reopen(self) -> None:
        assert self.thread.topic_id is not None
        await reopen_topic(self.thread.bot, self.thread.chat_id, self.thread.topic_id)

    async def pin(self, message_id: int) -> None:
        await pin_message(self.thread.bot, self.thread.chat_id, message_id)

    async def message(self, text: str) -> int:
        """One text message as it is, for a text known to fit (the card)."""
        return await self._paced(partial(self.thread.text, text))

    async def text(self, text: str) -> int:
        """A text in as many messages as Telegram's limit needs, each with a slot of its own; returns the
        first message's id."""
        first: int | None = None
        for part in split_text(text, TELEGRAM_TEXT_LIMIT, html=True):
            sent = await self._paced(partial(self.thread.text, part))
            first = first or sent
        assert first is not None
        return first

    async def photo(self, photo: str | bytes, caption: str) -> int:
        return await self._paced(lambda: self.thread.photo(photo, caption))

    async def voice(self, ogg_opus: bytes, caption: str) -> int:
        return await self._paced(lambda: self.thread.voice(ogg_opus, caption))

    async def audio(self, data: bytes, name: str, caption: str) -> int:
        return await self._paced(lambda: self.thread.audio(data, name, caption))

    async def document(self, data: bytes, name: str, caption: str) -> int:
        return await self._paced(lambda: self.thread.document(data, name, caption))

    async def _paced(self, send: Callable[[], Awaitable[int]]) -> int:
        if not self._slot:
            await self._wait_for_slot()
            self._slot = True
        sent = await send()  # refused (Rejected): no message was created and the slot stays taken
        self._slot = False
        return sent

    async def _wait_for_slot(self) -> None:
        """Wait for a send slot into this chat; hand the job back to the queue when the wait is long."""
        while True:
            wait = await self._pacer.acquire(self.thread.chat_id, self._bot_id)
            if wait <= 0:
                return
            if wait > MAX_INLINE_WAIT:
                raise Retry(defer=wait)
            await asyncio.sleep(wait)
