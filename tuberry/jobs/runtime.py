"""The worker runtime every job gets from its context: services, pacer, a run's time budget, back-off."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from tuberry.app.services import Services
from tuberry.avito.client import LANE_CONNECTIONS, LANES
from tuberry.storage.pacing import Pacer

# Seconds of sending per run of a delivery or send job before it hands over to a fresh run of itself: with
# pacing and one send in flight this stays well inside the job timeout (jobs/leases.JOB_TIMEOUT).
BUDGET = 15.0
# Avito chat lists the idle checks of one process read at once (jobs/check.py): as many as the Avito client's
# pools hold connections. Requests waiting for a connection make httpx's pool slow (it matches every waiting
# request against every connection whenever one ends).
AVITO_READS_AT_ONCE = LANES * LANE_CONNECTIONS


@dataclass
class Runtime:
    services: Services
    pacer: Pacer
    budget: float = BUDGET
    avito_reads: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(AVITO_READS_AT_ONCE))


class Budget:
    """A run's share of time: once spent, the job takes no new message and hands over to a fresh run."""

    def __init__(self, seconds: float) -> None:
        self._until = asyncio.get_running_loop().time() + seconds

    @property
    def spent(self) -> bool:
        return asyncio.get_running_loop().time() >= self._until


def runtime(ctx: dict[str, Any]) -> Runtime:
    rt = ctx["rt"]
    assert isinstance(rt, Runtime)
    return rt


def backoff(tries: int, cap: float = 60.0) -> float:
    """Wait after the nth failed try: 1, 2, 4 … seconds, at most a minute. A chat relay must not sit out a
    short Telegram or Avito blip for minutes; the count is per message, so it starts over with the next."""
    return float(min(cap, 2 ** (max(1, tries) - 1)))
