"""The running bridge of tests/bridge, for the jobs' edge cases; helpers to run one job function directly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tests.bridge.conftest import Bridge, bridge  # noqa: F401  (the fixture, shared)
from tuberry.jobs.runtime import BUDGET, Runtime
from tuberry.storage.models import AvitoState, Direction, Lease, Message, Origin, TgState
from tuberry.storage.pacing import Pacer, telegram_limits
from tuberry.storage.types import utcnow


def job_ctx(b: Bridge, budget: float = BUDGET) -> dict[str, Any]:
    """A worker's ctx for calling a job function directly, as arq would (no pacing, as in the bridge)."""
    group, per_bot = telegram_limits(0, 0)
    pacer = Pacer(b.services.queue.redis, b.services.config.redis_prefix, group, per_bot)
    return {"rt": Runtime(services=b.services, pacer=pacer, budget=budget), "job_try": 1}


async def idle(b: Bridge) -> None:
    """Stop the worker and wait for the jobs it was running to end (a cancelled arq worker lets them run)."""
    await b.stop_worker()

    async def no_lease() -> bool:
        async with b.db.session() as session:
            return await session.scalar(select(Lease.name).limit(1)) is None

    await b.until(no_lease, "the stopped worker's jobs ended")
    worker = b.worker
    if worker is not None:  # jobs that take no lease (a topic's icon) end too
        await b.until(lambda: all(task.done() for task in worker.tasks.values()), "the stopped worker's jobs")


async def backlog(b: Bridge, chat: str, texts: list[str]) -> int:
    """Buyer messages stored and waiting for the topic while no worker runs."""
    await idle(b)
    dialog = await b.dialog(chat)
    async with b.db.session() as session:
        for n, text in enumerate(texts):
            session.add(
                Message(
                    dialog_id=dialog.id,
                    direction=Direction.IN,
                    origin=Origin.AVITO,
                    kind="text",
                    text=text,
                    content={"text": text},
                    avito_message_id=f"backlog-{n}",
                    avito_created_at=utcnow() + timedelta(milliseconds=n),
                    tg_state=TgState.PENDING,
                    avito_state=AvitoState.RECEIVED,
                )
            )
        await session.commit()
    return dialog.id
