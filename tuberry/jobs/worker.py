"""arq worker settings: the jobs, their retry policies, and the services they share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from arq.worker import Function, Worker, func
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tuberry.app.services import Services
from tuberry.jobs.autoreply import auto_reply
from tuberry.jobs.check import check_accounts
from tuberry.jobs.deliver import deliver_to_telegram
from tuberry.jobs.leases import JOB_TIMEOUT, leased
from tuberry.jobs.poll import DEFERRED_TRIES, poll_account
from tuberry.jobs.runtime import Runtime
from tuberry.jobs.send import send_to_avito
from tuberry.jobs.sweep import tick
from tuberry.jobs.topic_icon import TRIES as TOPIC_ICON_TRIES
from tuberry.jobs.topic_icon import set_topic_icon
from tuberry.jobs.waiting_alerts import waiting_alerts
from tuberry.storage import queue
from tuberry.storage.pacing import Pacer, telegram_limits

log = logging.getLogger(__name__)

REDIS_GONE = (RedisConnectionError, RedisTimeoutError, OSError)
SHUTDOWN_GRACE = 5.0  # seconds running jobs get to end when the process stops


def functions() -> list[Function]:
    # keep_result=0 frees a job's `_job_id` as soon as it ends, so the next one for the same dialog can queue.
    # Short timeouts: arq keeps a killed worker's job claimed for the longest timeout + 10 s (jobs/leases).
    # Tries count hand-overs (time budget, a held lease) too; give-up points of their own live in the jobs.
    jobs = [
        # (name, lease, job, tries)
        (queue.POLL_ACCOUNT, "poll", poll_account, DEFERRED_TRIES + 10),  # the tick polls again anyway
        (queue.DELIVER_DIALOG, "deliver", deliver_to_telegram, 10_000),
        (queue.SEND_TO_AVITO, "send", send_to_avito, 10_000),
        # The auto-reply goes to the same Avito chat as the managers' sends: one sender per dialog at a time.
        (queue.AUTO_REPLY, "send", auto_reply, 10_000),
        (queue.WAITING_ALERTS, "waiting", waiting_alerts, 20),  # the sweep queues it again while due
        (queue.SET_TOPIC_ICON, "icon", set_topic_icon, TOPIC_ICON_TRIES),
    ]
    # The idle check takes no lease: it only reads, and hands any account with news to poll_account.
    check = func(check_accounts, name=queue.CHECK_ACCOUNTS, keep_result=0, max_tries=1, timeout=JOB_TIMEOUT)
    return [
        check,
        *(
            func(leased(lease)(job), name=name, keep_result=0, max_tries=tries, timeout=JOB_TIMEOUT)
            for name, lease, job, tries in jobs
        ),
    ]


def build_worker(
    services: Services,
    redis_settings: RedisSettings,
    *,
    group_rate: float,
    bot_rate: float,
    max_jobs: int = 50,
) -> Worker:
    """A worker sharing this process's services (`tuberry run`, `tuberry worker` and the tests use it)."""
    group, bot = telegram_limits(group_rate, bot_rate)
    pacer = Pacer(services.queue.redis, services.config.redis_prefix, group, bot)
    ctx: dict[str, Any] = {"rt": Runtime(services=services, pacer=pacer)}
    return Worker(
        functions=functions(),  # type: ignore[arg-type]
        cron_jobs=[
            cron(
                tick,
                name=f"{services.config.redis_prefix}:tick",
                second=set(range(60)),
                run_at_startup=True,
                unique=True,
                keep_result=0,
            )
        ],
        queue_name=services.queue.name,
        redis_pool=services.queue.redis,
        redis_settings=redis_settings,
        ctx=ctx,
        max_jobs=max_jobs,
        handle_signals=False,
        poll_delay=0.2,
        job_completion_wait=5,
        keep_result=0,
        retry_jobs=True,
        # The default for the cron `tick` too: arq's in-progress key lives for the longest timeout of any
        # function, cron jobs included, + 10 s; a 300 s default here would hold a killed worker's jobs 310 s.
        job_timeout=JOB_TIMEOUT,
    )


async def run_worker(build: Callable[[], Worker]) -> None:
    """Run an arq worker for good. arq's main loop ends on the first Redis error (a restart, a failover, a
    flush under load); then the jobs it was running are given their timeout to end, and a new worker starts
    once Redis answers. Nothing is lost meanwhile: every job's work is in the database and the sweep
    re-queues whatever Redis forgot. Cancelled (shutdown), it gives running jobs a few seconds to end."""
    delay = 0.5
    while True:
        worker = build()
        started = asyncio.get_running_loop().time()
        try:
            await worker.main()
            return
        except REDIS_GONE as exc:
            log.warning("worker lost Redis (%s); starting again in %.1f s", exc, delay)
        except asyncio.CancelledError:
            await asyncio.shield(_drain(worker, SHUTDOWN_GRACE))
            raise
        except Exception:
            # Anything else arq lets out of its loop (a WatchError when Redis is flushed mid-transaction):
            # a worker that stays down loses everything after it, one that starts again loses nothing.
            log.exception("worker stopped on an error; starting again in %.1f s", delay)
        if asyncio.get_running_loop().time() - started > 60:
            delay = 0.5  # it ran well for a while: this is a new outage
        await _drain(worker, JOB_TIMEOUT)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


async def _drain(worker: Worker, grace: float) -> None:
    """Let the worker's running jobs end within `grace` seconds, cancel the rest, and collect them all, so no
    job is left running against a Redis connection that is about to close."""
    running = [task for task in worker.tasks.values() if not task.done()]
    if not running:
        return
    _, late = await asyncio.wait(running, timeout=grace)
    for task in late:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
