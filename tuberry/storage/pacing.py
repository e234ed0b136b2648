"""Telegram pacing, shared by every worker through Redis: the one home of flood-limit logic.

Each limit is a GCRA ("virtual scheduling") cell: a key holds the theoretical arrival time of the next
message. A send may go when it is not more than `burst` intervals ahead of now; otherwise the caller is told
how long to wait. One Lua script checks the group and the bot cell together and reserves both or neither.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local need = tat - burst * interval - now
  if need > wait then wait = need end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local next_tat = tats[i] + interval
  redis.call('SET', key, next_tat, 'PX', next_tat - now + 60000)
end
return 0
"""

_PENALISE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- ARGV[2] is the burst allowance: the cell must be that far beyond retry_after to hold senders back for it.
local until_ms = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if until_ms > tat then redis.call('SET', KEYS[1], until_ms, 'PX', until_ms - now + 60000) end
return 0
"""


@dataclass(frozen=True)
class Limit:
    """`rate` messages per `per` seconds with bursts of `burst` extra messages; rate 0 means unlimited."""

    rate: float
    per: float
    burst: int

    @property
    def interval_ms(self) -> int:
        return int(self.per * 1000 / self.rate) if self.rate > 0 else 0


class Pacer:
    """Reserves send slots for a bot into a group (SPEC §2: TELEGRAM_GROUP_RATE, TELEGRAM_BOT_RATE)."""

    def __init__(self, redis: Redis, prefix: str, group: Limit, bot: Limit) -> None:
        self._redis = redis
        self._prefix = prefix
        self._group = group
        self._bot = bot
        self._acquire = redis.register_script(_ACQUIRE)
        self._penalise = redis.register_script(_PENALISE)

    def _cells(self, chat_id: int, bot_id: int) -> list[tuple[str, Limit]]:
        cells = [
            (f"{self._prefix}:pace:chat:{chat_id}", self._group),
            (f"{self._prefix}:pace:bot:{bot_id}", self._bot),
        ]
        return [(key, limit) for key, limit in cells if limit.rate > 0]

    async def acquire(self, chat_id: int, bot_id: int) -> float:
        """Reserve one message; returns 0 when reserved, else the seconds to wait before asking again."""
        cells = self._cells(chat_id, bot_id)
        if not cells:
            return 0.0
        args: list[int] = []
        for _, limit in cells:
            args += [limit.interval_ms, limit.burst]
        wait_ms = await self._acquire(keys=[key for key, _ in cells], args=args)
        return int(wait_ms) / 1000

    async def penalise(self, chat_id: int, retry_after: float) -> None:
        """Telegram answered 429 for this chat: nobody sends there before `retry_after` seconds pass."""
        key = f"{self._prefix}:pace:chat:{chat_id}"
        allowance = self._group.burst * self._group.interval_ms
        await self._penalise(keys=[key], args=[int(retry_after * 1000), allowance])


def telegram_limits(group_per_minute: float, bot_per_second: float) -> tuple[Limit, Limit]:
    # Telegram's published limits (API-NOTES §9.2): ~20/min into one group, ~30/s from one bot.
    # A small burst keeps a new topic (topic, card, pin, first message) from waiting a minute.
    return Limit(group_per_minute, 60.0, 4), Limit(bot_per_second, 1.0, 5)
