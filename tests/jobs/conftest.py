"""The running bridge of tests/bridge, for the jobs' edge cases; helpers to run one job function directly."""

from __future__ import annotations

from typing import Any

from tests.bridge.conftest import Bridge, bridge  # noqa: F401  (the fixture, shared)
from tuberry.jobs.runtime import BUDGET, Runtime
from tuberry.storage.pacing import Pacer, telegram_limits


def job_ctx(b: Bridge, budget: float = BUDGET) -> dict[str, Any]:
    """A worker's ctx for calling a job function directly, as arq would (no pacing, as in the bridge)."""
    group, per_bot = telegram_limits(0, 0)
    pacer = Pacer(b.services.queue.redis, b.services.config.redis_prefix, group, per_bot)
    return {"rt": Runtime(services=b.services, pacer=pacer, budget=budget), "job_try": 1}
