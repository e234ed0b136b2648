"""One worker at a time on a dialog: a second delivery job (Redis flushed, the sweep re-queued it) waits for
the lease instead of posting the same messages again; a dead worker's lease lapses by itself."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from arq import Retry
from arq.connections import RedisSettings

from tests.bridge.conftest import Bridge
from tests.conftest import REDIS_URL
from tests.jobs.conftest import backlog, job_ctx
from tuberry.jobs.worker import build_worker
from tuberry.storage import queue
from tuberry.storage.db import Database
from tuberry.storage.repos import LeaseRepo
from tuberry.storage.types import utcnow


def _job(name: str) -> Any:
    """The job as the worker runs it (with whatever wraps it there)."""
    from tuberry.jobs.worker import functions

    return next(f for f in functions() if f.name == name).coroutine


async def test_two_delivery_jobs_for_one_dialog_post_each_message_once(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("первое" in t for t in bridge.texts(topic)), "the first message")
    texts = [f"очередь {n}" for n in range(8)]
    dialog_id = await backlog(bridge, chat, texts)

    deliver = _job(queue.DELIVER_DIALOG)
    results = await asyncio.gather(
        deliver(job_ctx(bridge), dialog_id), deliver(job_ctx(bridge), dialog_id), return_exceptions=True
    )

    posted = [t for t in bridge.texts(topic) if "очередь" in t]
    assert posted == texts
    # The one that found the lease taken defers itself (arq runs it again later; it then finds nothing).
    assert sum(isinstance(r, Retry) for r in results) == 1
    assert await deliver(job_ctx(bridge), dialog_id) == "done"


async def test_a_dead_workers_lease_only_delays_the_dialog_until_it_lapses(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("первое" in t for t in bridge.texts(topic)), "the first message")
    dialog_id = await backlog(bridge, chat, ["после сбоя"])
    # A worker killed with -9 while delivering: its lease stays behind, for a few seconds more.
    await LeaseRepo(bridge.db).acquire(f"deliver:{dialog_id}", "dead", utcnow(), timedelta(seconds=2))

    deliver = _job(queue.DELIVER_DIALOG)
    try:
        await deliver(job_ctx(bridge), dialog_id)
        raise AssertionError("the job worked beside a held lease")
    except Retry as deferred:
        assert deferred.defer_score is not None and deferred.defer_score <= 2000
    assert not any("после сбоя" in t for t in bridge.texts(topic))

    async def delivered() -> bool:
        try:
            return await deliver(job_ctx(bridge), dialog_id) == "done"
        except Retry:
            return False

    await bridge.until(delivered, "the delivery after the lease lapsed", timeout=10)
    assert sum("после сбоя" in t for t in bridge.texts(topic)) == 1


async def test_a_lease_is_held_by_one_holder_until_released_or_lapsed(database: Database) -> None:
    leases, now, ttl = LeaseRepo(database), utcnow(), timedelta(seconds=30)
    assert await leases.acquire("deliver:1", "a", now, ttl) is None
    assert await leases.acquire("deliver:1", "b", now, ttl) == now + ttl
    assert await leases.acquire("deliver:2", "b", now, ttl) is None  # another dialog is free
    assert await leases.renew("deliver:1", "a", now + timedelta(seconds=20), ttl)
    assert not await leases.renew("deliver:1", "b", now, ttl)
    # Lapsed: the next worker takes it and the old holder can no longer renew it.
    later = now + timedelta(seconds=51)
    assert await leases.acquire("deliver:1", "b", later, ttl) is None
    assert not await leases.renew("deliver:1", "a", later, ttl)
    await leases.release("deliver:1", "a")  # not its lease any more: nothing happens
    assert await leases.acquire("deliver:1", "c", later, ttl) == later + ttl
    await leases.release("deliver:1", "b")
    assert await leases.acquire("deliver:1", "c", later, ttl) is None


async def test_a_killed_workers_jobs_are_claimed_for_well_under_a_minute(bridge: Bridge) -> None:
    """arq keeps a job claimed (its in-progress key) for the longest timeout of any of its functions, the cron
    `tick` included, + 10 s after its worker dies (`kill -9`): with every timeout short, another worker takes
    the dialog's or account's work over within 40 s (the database lease lapses sooner, after 30 s)."""
    worker = build_worker(bridge.services, RedisSettings.from_dsn(REDIS_URL), group_rate=0, bot_rate=0)
    assert worker.in_progress_timeout_s <= 40
