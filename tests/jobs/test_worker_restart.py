"""A worker whose arq loop ends on an error starts again instead of leaving the queue unserved."""

from __future__ import annotations

import asyncio

import pytest
from arq import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import WatchError

from tuberry.jobs.worker import run_worker


class _Loop:
    """Stands in for arq's Worker: its main loop fails with the given errors, then ends normally."""

    def __init__(self, failures: list[Exception], runs: list[str]) -> None:
        self.failures = failures
        self.runs = runs
        self.tasks: dict[str, asyncio.Task[None]] = {}

    async def main(self) -> None:
        if self.failures:
            self.runs.append("failed")
            raise self.failures.pop(0)
        self.runs.append("served")


@pytest.mark.parametrize("error", [WatchError("flushed"), RedisConnectionError("gone"), RuntimeError("bug")])
async def test_the_worker_starts_again_after_its_loop_fails(error: Exception) -> None:
    failures = [error]
    runs: list[str] = []

    def build() -> Worker:
        return _Loop(failures, runs)  # type: ignore[return-value]

    await asyncio.wait_for(run_worker(build), timeout=10)
    assert runs == ["failed", "served"]
