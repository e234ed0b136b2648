"""Telegram pacing in Redis: bursts allowed, then one message per interval; a 429 holds everyone back."""

from __future__ import annotations

from redis.asyncio import Redis

from tuberry.storage.pacing import Limit, Pacer, telegram_limits


async def test_a_group_gets_a_burst_then_one_message_per_interval(redis: Redis, redis_prefix: str) -> None:
    group, bot = telegram_limits(group_per_minute=20, bot_per_second=30)
    pacer = Pacer(redis, redis_prefix, group, bot)
    waits = [await pacer.acquire(chat_id=-100, bot_id=1) for _ in range(group.burst + 1)]
    assert waits == [0.0] * (group.burst + 1)
    wait = await pacer.acquire(chat_id=-100, bot_id=1)
    assert 2.0 < wait <= 3.0  # 20 a minute: one every 3 s
    assert await pacer.acquire(chat_id=-200, bot_id=1) == 0.0  # another group is not held back


async def test_a_refused_slot_reserves_nothing(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, Limit(1, 60.0, 0), Limit(0, 1.0, 0))
    assert await pacer.acquire(-100, 1) == 0.0
    first, second = await pacer.acquire(-100, 1), await pacer.acquire(-100, 1)
    assert abs(first - second) < 0.05  # asking again does not push the slot further away


async def test_a_429_holds_the_group_for_retry_after(redis: Redis, redis_prefix: str) -> None:
    group, bot = telegram_limits(group_per_minute=20, bot_per_second=30)
    pacer = Pacer(redis, redis_prefix, group, bot)
    await pacer.penalise(chat_id=-100, retry_after=35)
    assert 34.0 < await pacer.acquire(-100, 1) <= 35.0


async def test_rate_zero_switches_pacing_off(redis: Redis, redis_prefix: str) -> None:
    group, bot = telegram_limits(group_per_minute=0, bot_per_second=0)
    pacer = Pacer(redis, redis_prefix, group, bot)
    assert [await pacer.acquire(-100, 1) for _ in range(100)] == [0.0] * 100
