"""Telegram pacing in Redis: any window holds at most the limit, whoever asks; a 429 holds everyone back.

Short windows (a few per 2 s) stand in for Telegram's 20 a minute so the tests take seconds. A send's moment
is only known to lie between just before and just after its `acquire` call, so the window checks use both
ends: sends i and i+N must be at least one window apart even in the most favourable reading.
"""

from __future__ import annotations

import asyncio
import secrets
import time

from redis.asyncio import Redis

from tuberry.storage.pacing import Limit, Pacer, telegram_limits

UNLIMITED = Limit(0, 1)


async def _send_for(pacer: Pacer, seconds: float, chat_id: int, bot_id: int) -> list[tuple[float, float]]:
    """Acquire slots like a delivery job does, for `seconds`; each success as (asked at, answered at)."""
    taken: list[tuple[float, float]] = []
    deadline = time.monotonic() + seconds
    while (now := time.monotonic()) < deadline:
        wait = await pacer.acquire(chat_id, bot_id)
        if wait == 0:
            taken.append((now, time.monotonic()))
        else:
            await asyncio.sleep(min(wait, 0.05))
    return taken


def _assert_windows_hold(taken: list[tuple[float, float]], limit: Limit) -> None:
    taken = sorted(taken)
    for first, later in zip(taken, taken[limit.rate :], strict=False):
        # Even reading the first as late and the (N+1)th as early as possible, a window lies between them.
        assert later[1] - first[0] >= limit.per, f"{limit.rate + 1} sends within {later[1] - first[0]:.3f}s"


async def test_any_window_holds_at_most_the_limit_for_concurrent_acquirers(
    redis: Redis, redis_prefix: str
) -> None:
    group = Limit(5, 2)
    workers = [Pacer(redis, redis_prefix, group, Limit(1000, 1)) for _ in range(4)]  # four worker processes
    runs = await asyncio.gather(*(_send_for(pacer, 4.5, chat_id=-100, bot_id=1) for pacer in workers))
    taken = [send for run in runs for send in run]
    _assert_windows_hold(taken, group)
    # The windows are used, not starved: three windows started within 4.5 s.
    assert len(taken) >= 2 * group.rate


async def test_a_group_at_its_limit_waits_until_its_oldest_send_leaves_the_window(
    redis: Redis, redis_prefix: str
) -> None:
    group, bot = telegram_limits(group_per_minute=20, bot_per_second=30)
    pacer = Pacer(redis, redis_prefix, group, bot)
    first = time.monotonic()
    assert [await pacer.acquire(chat_id=-100, bot_id=1) for _ in range(20)] == [0.0] * 20
    wait = await pacer.acquire(chat_id=-100, bot_id=1)
    assert 60 - (time.monotonic() - first) - 0.1 <= wait <= 60.0  # not one more message in the minute
    assert await pacer.acquire(chat_id=-200, bot_id=1) == 0.0  # another group is not held back


async def test_a_full_bot_window_holds_the_bot_in_every_group(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, UNLIMITED, Limit(3, 60))
    assert [await pacer.acquire(chat_id=-100 - n, bot_id=1) for n in range(3)] == [0.0] * 3
    assert await pacer.acquire(chat_id=-200, bot_id=1) > 59
    assert await pacer.acquire(chat_id=-200, bot_id=2) == 0.0  # another bot is not held back


async def test_a_refused_group_slot_takes_no_bot_slot(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, Limit(1, 60), Limit(3, 60))
    assert await pacer.acquire(chat_id=-100, bot_id=1) == 0.0
    assert all([await pacer.acquire(chat_id=-100, bot_id=1) > 0 for _ in range(5)])
    # The bot's window still has its two other slots for other groups.
    assert [await pacer.acquire(chat_id=-200, bot_id=1), await pacer.acquire(chat_id=-300, bot_id=1)] == [
        0,
        0,
    ]


async def test_a_refused_bot_slot_takes_no_group_slot(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, Limit(2, 60), Limit(1, 60))
    assert await pacer.acquire(chat_id=-100, bot_id=1) == 0.0
    assert all([await pacer.acquire(chat_id=-100, bot_id=1) > 0 for _ in range(5)])
    # The group's second slot is still there for another bot of the group.
    assert await pacer.acquire(chat_id=-100, bot_id=2) == 0.0
    assert await pacer.acquire(chat_id=-100, bot_id=3) > 0


async def test_asking_again_does_not_push_the_slot_further_away(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, Limit(1, 60), UNLIMITED)
    assert await pacer.acquire(-100, 1) == 0.0
    first, second = await pacer.acquire(-100, 1), await pacer.acquire(-100, 1)
    assert 0 <= first - second < 0.5


async def test_a_429_holds_everyone_back_for_retry_after(redis: Redis, redis_prefix: str) -> None:
    group, bot = Limit(100, 2), Limit(100, 1)
    workers = [Pacer(redis, redis_prefix, group, bot) for _ in range(3)]
    asked = time.monotonic()
    await workers[0].penalise(chat_id=-100, retry_after=1.5)
    runs = await asyncio.gather(
        *(_send_for(pacer, 2.5, -100, bot_id) for bot_id, pacer in enumerate(workers))
    )
    taken = [send for run in runs for send in run]
    assert taken, "the hold never ended"
    assert min(answered for _, answered in taken) - asked >= 1.5
    assert await workers[1].acquire(chat_id=-200, bot_id=1) == 0.0  # another group is not held back


async def test_a_shorter_429_does_not_shorten_a_hold(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, Limit(20, 60), Limit(30, 1))
    await pacer.penalise(chat_id=-100, retry_after=35)
    await pacer.penalise(chat_id=-100, retry_after=2)
    assert 34.0 < await pacer.acquire(-100, 1) <= 35.0


async def test_workers_of_one_installation_share_the_windows_and_others_do_not(
    redis: Redis, redis_prefix: str
) -> None:
    group = Limit(2, 60)
    one, two = Pacer(redis, redis_prefix, group, UNLIMITED), Pacer(redis, redis_prefix, group, UNLIMITED)
    other = Pacer(redis, f"{redis_prefix}-other", group, UNLIMITED)
    chat_id = -1000000000000 - secrets.randbelow(10**9)  # its keys are found by this id below
    assert [await one.acquire(chat_id, 1), await two.acquire(chat_id, 1)] == [0.0, 0.0]
    assert await one.acquire(chat_id, 1) > 0 and await two.acquire(chat_id, 1) > 0
    assert await other.acquire(chat_id, 1) == 0.0
    keys = [key async for key in redis.scan_iter(match=f"*{chat_id}*")]
    assert keys and all(key.startswith(redis_prefix.encode()) for key in keys)


async def test_rate_zero_switches_pacing_off(redis: Redis, redis_prefix: str) -> None:
    group, bot = telegram_limits(group_per_minute=0, bot_per_second=0)
    pacer = Pacer(redis, redis_prefix, group, bot)
    assert [await pacer.acquire(-100, 1) for _ in range(100)] == [0.0] * 100


async def test_a_429_holds_the_chat_with_pacing_off_too(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, *telegram_limits(group_per_minute=0, bot_per_second=0))
    await pacer.penalise(chat_id=-100, retry_after=30)  # Telegram's own answer, whatever our settings
    assert 29.0 < await pacer.acquire(-100, 1) <= 30.0


async def test_room_tells_the_sends_a_group_takes_now_and_takes_none(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, Limit(3, 60), Limit(30, 1))
    assert await pacer.room(-100) == 3
    assert await pacer.room(-100) == 3  # asking takes nothing
    assert await pacer.acquire(-100, 1) == 0.0
    assert await pacer.room(-100) == 2
    assert [await pacer.acquire(-100, 1) for _ in range(2)] == [0.0, 0.0]
    assert await pacer.room(-100) == 0
    assert await pacer.room(-200) == 3  # another group's budget is its own
    await pacer.penalise(chat_id=-200, retry_after=30)
    assert await pacer.room(-200) == 0  # held by a 429


async def test_room_of_an_unpaced_group_is_unbounded_unless_held(redis: Redis, redis_prefix: str) -> None:
    pacer = Pacer(redis, redis_prefix, *telegram_limits(group_per_minute=0, bot_per_second=0))
    assert await pacer.room(-100) is None
    await pacer.penalise(chat_id=-100, retry_after=30)
    assert await pacer.room(-100) == 0


def test_fractional_rates_round_to_the_stricter_window() -> None:
    assert telegram_limits(20.7, 30) == (Limit(20, 60), Limit(30, 1))
    assert telegram_limits(0.5, 0.25) == (Limit(1, 120), Limit(1, 4))
