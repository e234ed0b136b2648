"""What every job gets from the worker's context."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from arq import Retry

from tuberry.bot.common.services import Services
from tuberry.storage.pacing import Pacer

# Waits shorter than this are slept inside the job; longer ones give the worker slot back (arq Retry).
MAX_INLINE_WAIT = 5.0


@dataclass
class Runtime:
    services: Services
    pacer: Pacer


def runtime(ctx: dict[str, Any]) -> Runtime:
    rt = ctx["rt"]
    assert isinstance(rt, Runtime)
    return rt


def backoff(job_try: int, base: float = 2.0, cap: float = 300.0) -> float:
    """Exponential backoff for the nth try of a job: 2, 4, 8 … seconds, at most five minutes."""
    return float(min(cap, base ** max(1, job_try)))


async def pace(rt: Runtime, chat_id: int, bot_id: int) -> None:
    """Wait for a send slot into this chat; hand the job back to the queue when the wait is long."""
    while True:
        wait = await rt.pacer.acquire(chat_id, bot_id)
        if wait <= 0:
            return
        if wait > MAX_INLINE_WAIT:
            raise Retry(defer=wait)
        await asyncio.sleep(wait)
