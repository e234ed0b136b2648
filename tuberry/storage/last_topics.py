"""The forum topic each person last wrote in, per client bot: Telegram's inline queries do not say where
they are typed (an InlineQuery carries `chat_type`, never the chat or the topic), so quick replies offered
inline are filled for this topic. Kept in Redis for a day: losing it only makes the fill generic.

Also the dialog the person's last inline results were filled for, so that a result chosen in another topic
(filled with another buyer's name) is caught before it reaches the buyer.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

REMEMBERED_FOR = 24 * 3600  # seconds
OFFER_KEPT_FOR = 3600  # seconds: the dialog the last inline results were filled for, until one is chosen


class LastTopics:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, bot_id: int, user_id: int) -> str:
        return f"{self._prefix}:last_topic:{bot_id}:{user_id}"

    async def remember(self, bot_id: int, user_id: int, chat_id: int, thread_id: int) -> None:
        """Never fails: every topic message passes here, and a manager's reply must not wait on this."""
        try:
            await self._redis.set(self._key(bot_id, user_id), f"{chat_id}:{thread_id}", ex=REMEMBERED_FOR)
        except RedisError as exc:
            log.warning("cannot remember the topic of user %s (bot %s): %s", user_id, bot_id, exc)

    async def recall(self, bot_id: int, user_id: int) -> tuple[int, int] | None:
        """(chat id, thread id), or None when unknown, unreadable or Redis does not answer."""
        try:
            raw = await self._redis.get(self._key(bot_id, user_id))
        except RedisError as exc:
            log.warning("cannot recall the topic of user %s (bot %s): %s", user_id, bot_id, exc)
            return None
        if raw is None:
            return None
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        chat, _, thread = text.partition(":")
        try:
            return int(chat), int(thread)
        except ValueError:
            return None

    def _offer_key(self, bot_id: int, user_id: int) -> str:
        return f"{self._prefix}:inline_offer:{bot_id}:{user_id}"

    async def remember_offer(self, bot_id: int, user_id: int, dialog_id: int | None) -> None:
        """The dialog the results just offered were filled for (None: filled for no dialog)."""
        try:
            await self._redis.set(self._offer_key(bot_id, user_id), str(dialog_id or 0), ex=OFFER_KEPT_FOR)
        except RedisError as exc:
            log.warning("cannot remember the inline offer of user %s (bot %s): %s", user_id, bot_id, exc)

    async def offered_dialog(self, bot_id: int, user_id: int) -> int | None:
        """The dialog of the last results offered, or None (none known, or filled for no dialog)."""
        try:
            raw = await self._redis.get(self._offer_key(bot_id, user_id))
        except RedisError as exc:
            log.warning("cannot recall the inline offer of user %s (bot %s): %s", user_id, bot_id, exc)
            return None
        text = raw.decode() if isinstance(raw, bytes) else str(raw or "")
        return int(text) if text.isdigit() and int(text) > 0 else None
