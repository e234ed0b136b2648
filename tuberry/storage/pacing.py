"""Telegram pacing, shared by every worker through Redis: the one home of flood-limit logic.

Each limit is a moving window (the `limits` library's: a Redis list of the last N send times per key), so any
window of `per` seconds holds at most `rate` sends, never a burst beyond it. The library stamps sends with the
worker's clock, so workers on several hosts need synchronised clocks (NTP). A 429 puts a hold on the chat (a
key that expires after retry_after, by Redis's clock) that every worker respects.

Group and bot slot together: the library takes one window at a time, so the pair is taken scarce-last. The
group window is checked first (nothing is taken while the group is full), then the bot slot is taken, then the
group slot; if another worker took the group's last slot in between, the only loss is one bot slot, which
frees itself within the bot window (a second). A group slot is never taken without a bot slot.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

# A refused slot is never reported as "no wait": 0 means a slot was taken.
MIN_WAIT = 0.01


@dataclass(frozen=True)
class Limit:
    """At most `rate` sends in any window of `per` whole seconds; rate 0 means unlimited."""

    rate: int
    per: int

    @classmethod
    def of(cls, rate: float, per: int) -> Limit:
        """`rate` sends per `per` seconds in whole numbers (the library's), rounded to the stricter side."""
        if rate <= 0:
            return cls(0, per)
        if rate >= 1:
            return cls(math.floor(rate), per)  # 20.5 a minute: 20 a minute, never above the setting
        return cls(1, math.ceil(per / rate))  # 0.5 a minute: one in any 120 seconds


class Pacer:
    """Takes send slots for a bot into a group (SPEC §2: TELEGRAM_GROUP_RATE, TELEGRAM_BOT_RATE)."""

    def __init__(self, redis: Redis, prefix: str, group: Limit, bot: Limit) -> None:
        self._redis = redis
        self._prefix = prefix
        # The library's storage shares this process's Redis connection pool; its keys live under our prefix.
        storage = RedisStorage(
            "async+redis://",
            implementation="redispy",
            key_prefix=f"{prefix}:pace",
            connection_pool=redis.connection_pool,
        )
        self._limiter = MovingWindowRateLimiter(storage)
        self._group = RateLimitItemPerSecond(group.rate, group.per) if group.rate > 0 else None
        self._bot = RateLimitItemPerSecond(bot.rate, bot.per) if bot.rate > 0 else None

    def _hold_key(self, chat_id: int) -> str:
        return f"{self._prefix}:pace:hold:{chat_id}"

    async def acquire(self, chat_id: int, bot_id: int) -> float:
        """Take one send slot; returns 0 when taken, else the seconds to wait before asking again."""
        hold_ms = await self._redis.pttl(self._hold_key(chat_id))
        if hold_ms > 0:
            return max(hold_ms / 1000, MIN_WAIT)
        group = ("chat", str(chat_id))
        if self._group is not None and not await self._limiter.test(self._group, *group):
            return await self._wait(self._group, group)
        bot = ("bot", str(bot_id))
        if self._bot is not None and not await self._limiter.hit(self._bot, *bot):
            return await self._wait(self._bot, bot)
        if self._group is not None and not await self._limiter.hit(self._group, *group):
            return await self._wait(self._group, group)
        return 0.0

    async def room(self, chat_id: int) -> int | None:
        """How many sends the chat takes right now without waiting (none under a 429 hold); None when the
        group is not paced. Only asks, takes nothing: a delivery uses it to tell a spent budget."""
        if await self._redis.pttl(self._hold_key(chat_id)) > 0:
            return 0
        if self._group is None:
            return None
        stats = await self._limiter.get_window_stats(self._group, "chat", str(chat_id))
        return max(stats.remaining, 0)

    async def _wait(self, item: RateLimitItemPerSecond, identifiers: tuple[str, str]) -> float:
        """Seconds until the oldest send in the full window leaves it."""
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(stats.reset_time - time.time(), MIN_WAIT)

    async def penalise(self, chat_id: int, retry_after: float) -> None:
        """Telegram answered 429 for this chat: nobody sends there before `retry_after` seconds pass (with
        pacing off as well: the hold is Telegram's word, not our setting)."""
        key, ms = self._hold_key(chat_id), max(1, math.ceil(retry_after * 1000))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 1, px=ms, nx=True)  # a new hold ...
            pipe.pexpire(key, ms, gt=True)  # ... or a longer one; a shorter 429 never shortens a hold
            await pipe.execute()


def telegram_limits(group_per_minute: float, bot_per_second: float) -> tuple[Limit, Limit]:
    # Telegram's published limits (API-NOTES §9.2): 20 a minute into one group, ~30 a second from one bot.
    return Limit.of(group_per_minute, 60), Limit.of(bot_per_second, 1)
