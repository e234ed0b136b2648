"""The fault suite (issue 8): the same traffic under one fault each; nothing lost, nothing twice on Avito,
every topic in order. Each case prints its figures (duplicates into Telegram, time taken); `pytest` shows
them in a "fault suite" section at the end, and FAULTS_SUMMARY=<file> appends them as JSON lines."""

from __future__ import annotations

import asyncio

from tests.fakes.chaos import Chaos
from tests.faults.conftest import Stack
from tests.faults.workload import BUYER_MESSAGES, Traffic, check, run_case

OUTAGE = 10.0  # seconds PostgreSQL stays unreachable in case (e)


async def test_a_worker_killed_twice(stack: Stack) -> None:
    """Killed twice right after it sent something (a post into a topic or a reply to Avito): the moments
    where a send has happened and is not yet recorded."""

    def sends() -> int:
        return len(stack.tg.calls("sendMessage", bot=stack.shop_bot)) + stack.avito.count("/messages", "POST")

    async def kill_twice(traffic: Traffic) -> None:
        for point in (150, 380):
            await traffic.wait_for(lambda p=point: traffic.produced >= p, f"{point} messages written")  # type: ignore[misc]
            before = sends()
            await traffic.wait_for(lambda b=before: sends() > b, "a send in flight")  # type: ignore[misc]
            await stack.kill_worker()
            traffic.played("worker killed")
            await stack.spawn_worker()

    check(await run_case(stack, "a) worker SIGKILLed twice", kill_twice), stack, faults=2)


async def test_b_redis_flushed_and_restarted(stack: Stack) -> None:
    async def flush(traffic: Traffic) -> None:
        await traffic.wait_for(lambda: traffic.delivered() >= BUYER_MESSAGES // 2, "half the messages shown")
        await stack.redis.flush_and_restart()
        traffic.played("Redis flushed and restarted")

    check(await run_case(stack, "b) Redis flushed and restarted", flush), stack, faults=1)


async def test_c_telegram_fails_30_percent_of_calls(stack: Stack) -> None:
    stack.tg.inject_faults(Chaos(0.3, ("429", "500", "502", "drop", "drop_after"), seed=3), [stack.shop_bot])
    check(await run_case(stack, "c) Telegram 429/5xx/dropped on 30%"), stack)


async def test_d_avito_fails_30_percent_and_the_token_expires(stack: Stack) -> None:
    # "hold": no answer for 2 s, then the connection closes (a gateway timing out), the work done or not.
    stack.avito.chaos = Chaos(0.3, ("500", "hold", "hold_after"), seed=4, hold=2.0)

    async def expire(traffic: Traffic) -> None:
        await traffic.wait_for(
            lambda: traffic.delivered() >= BUYER_MESSAGES // 3, "a third of the messages shown"
        )
        stack.avito.expire_tokens()
        traffic.played("tokens expired")

    check(await run_case(stack, "d) Avito 500/timeouts on 30%, token expired", expire), stack, faults=1)


async def test_e_postgresql_unreachable_for_10_seconds(stack: Stack) -> None:
    async def outage(traffic: Traffic) -> None:
        await traffic.wait_for(lambda: traffic.delivered() >= 150, "150 messages shown")
        await stack.pg_proxy.cut()
        traffic.played("PostgreSQL cut")
        await asyncio.sleep(OUTAGE)  # the fault's length, not an assertion
        await stack.pg_proxy.restore()
        traffic.played("PostgreSQL back")

    check(await run_case(stack, "e) PostgreSQL unreachable for 10 s", outage), stack, faults=2)


async def test_f_the_update_handler_raises_once_for_10_percent(stack: Stack) -> None:
    failed = stack.fail_updates_once(0.1, seed=6)
    outcome = await run_case(stack, "f) update handler raises once on 10%")
    assert failed, "the fault was never played"
    check(outcome, stack)
