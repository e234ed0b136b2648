"""Leases around jobs: one worker at a time on a dialog's deliveries, a dialog's sends, an account's polls.

arq's `_job_id` keeps one job per dialog in the queue, but its Redis keys are no proof of who works: after a
Redis flush the sweep can queue a second job while the first still runs, and after `kill -9` arq's in-progress
key outlives the worker. The database lease decides instead. It is short (TTL) and renewed while the job
works, so a dead worker's lease lapses within TTL; a job that finds the lease held defers itself.

Timing: every job has `JOB_TIMEOUT` = 30 s, so arq's in-progress key (set once when a job starts, for the
longest job timeout + 10 s) keeps a killed worker's job from running elsewhere for at most 40 s; its lease
lapses after at most 30 s. Delivery and send runs take no new message after `runtime.BUDGET` = 15 s and hand
over to a fresh run, which leaves one send plus an inline pacing wait (at most 5 s) inside the timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

from arq import Retry
from sqlalchemy.exc import DBAPIError

from tuberry.jobs.runtime import runtime
from tuberry.storage.repos import LeaseRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)

TTL = timedelta(seconds=30)
RENEW_EVERY = TTL.total_seconds() / 3
JOB_TIMEOUT = 30  # seconds; arq's in-progress key lives this + 10 s after a worker dies
MIN_DEFER = 1.0
RECHECK = 5.0  # seconds between looks at a held lease


class LeaseLost(Exception):
    """The lease lapsed (e.g. the database was unreachable longer than its TTL): stop before the next step."""


class Held:
    """A lease this job holds: `check()` it before each external step."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lost = False

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(self.name)


@contextlib.asynccontextmanager
async def hold(repo: LeaseRepo, name: str) -> AsyncIterator[Held]:
    """Hold the lease `name` while the block runs; `Retry` (deferred until it lapses) when it is held."""
    holder = secrets.token_hex(8)
    now = utcnow()
    try:
        held_until = await repo.acquire(name, holder, now, TTL)
    except DBAPIError as exc:  # the database is away: try again soon rather than fail the job
        raise Retry(defer=RECHECK) from exc
    if held_until is not None:
        # A live holder ends soon and a dead one's lease lapses at `held_until`: look again at the sooner.
        raise Retry(defer=min(RECHECK, max(MIN_DEFER, (held_until - now).total_seconds())))
    lease = Held(name)
    renewer = asyncio.create_task(_renew(repo, lease, holder))
    try:
        yield lease
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer
        try:
            # Shielded: a job cancelled by its timeout still frees the dialog for the next run at once.
            await asyncio.shield(repo.release(name, holder))
        except Exception:  # the lease lapses on its own within TTL
            log.warning("could not release lease %s", name, exc_info=True)


async def _renew(repo: LeaseRepo, lease: Held, holder: str) -> None:
    deadline = asyncio.get_running_loop().time() + TTL.total_seconds()
    while True:
        await asyncio.sleep(RENEW_EVERY)
        try:
            if not await repo.renew(lease.name, holder, utcnow(), TTL):
                lease.lost = True
                return
            deadline = asyncio.get_running_loop().time() + TTL.total_seconds()
        except Exception:  # the database may come back before the lease lapses
            log.warning("could not renew lease %s", lease.name, exc_info=True)
            if asyncio.get_running_loop().time() >= deadline:
                lease.lost = True
                return


Job = Callable[..., Awaitable[str]]


def leased(scope: str) -> Callable[[Job], Job]:
    """Run a job `f(ctx, first_id, ...)` under the lease `<scope>:<first_id>` (in ctx["lease"])."""

    def wrap(job: Job) -> Job:
        @functools.wraps(job)
        async def run(ctx: dict[str, Any], key: int, *args: Any) -> str:
            async with hold(LeaseRepo(runtime(ctx).services.db), f"{scope}:{key}") as lease:
                try:
                    return await job({**ctx, "lease": lease}, key, *args)
                except LeaseLost as exc:
                    raise Retry(defer=TTL.total_seconds()) from exc

        return run

    return wrap


def check_lease(ctx: dict[str, Any]) -> None:
    """Stop before the next external step if the job's lease lapsed (no lease: a test called the job)."""
    lease = ctx.get("lease")
    if isinstance(lease, Held):
        lease.check()
