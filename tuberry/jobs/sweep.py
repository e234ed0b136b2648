"""tick: the heartbeat (arq cron, every second, one worker at a time).

It starts due polls (marked polled at the tick's moment, in batches of `check.BATCH` accounts), and
re-creates any job that Redis may have lost (a restart, a killed worker) from the database: pending
deliveries, unsent manager messages, overdue auto-replies. It also queues the waiting alerts of bots whose
buyers wait too long (jobs/waiting_alerts). Job ids make this idempotent. Only work that can run is swept: a
paused, broken or blocked account's work waits in the database until the owner or the admin brings it back,
and is picked up by the next sweep after that.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tuberry.app.metrics import OLDEST_POLL_AGE, TICK
from tuberry.jobs.check import BATCH
from tuberry.jobs.runtime import runtime
from tuberry.storage.repos import AccountRepo, AdminRepo, DialogRepo, MessageRepo
from tuberry.storage.repos.waiting import WaitingRepo
from tuberry.storage.types import utcnow

# A poll is due this much before a whole interval has passed since the tick that started the last one: the
# ticks start a little late by varying amounts, and an account due a hair after one tick would wait for the
# next, an interval of 11 seconds instead of 10.
TICK_SLACK = 0.5
SWEEP_EVERY = timedelta(seconds=15)  # between sweeps for lost jobs; a starting worker sweeps at once
GRACE = timedelta(seconds=20)  # how old pending work must be before it counts as lost


async def tick(ctx: dict[str, Any]) -> str:
    rt = runtime(ctx)
    now = utcnow()
    async with rt.services.db.session() as session:
        interval = rt.services.config.poll_interval
        due = await AccountRepo(session).due_for_poll(now, max(interval - TICK_SLACK, interval / 2))
        await session.commit()
        last = ctx.get("swept_at")
        sweep = last is None or now - last >= SWEEP_EVERY
        if sweep:
            ctx["swept_at"] = now
        deliveries = await DialogRepo(session).with_pending_delivery(now - GRACE) if sweep else []
        sends = await MessageRepo(session).unsent(now - GRACE) if sweep else []
        replies = await DialogRepo(session).auto_replies_due(now - GRACE) if sweep else []
        waiting = await WaitingRepo(session).bots_due(now) if sweep else []
        if sweep:
            oldest = await AdminRepo(session).oldest_success()
            OLDEST_POLL_AGE.set((now - oldest).total_seconds() if oldest is not None else 0)
    TICK.set(now.timestamp())
    for first in range(0, len(due), BATCH):
        await rt.services.queue.check_accounts(due[first : first + BATCH])
    for dialog_id in deliveries:
        await rt.services.queue.deliver(dialog_id, follow_up=False)
    for dialog_id, is_auto_reply in sends:
        if is_auto_reply:
            await rt.services.queue.auto_reply(dialog_id, 0)
        else:
            await rt.services.queue.send(dialog_id, follow_up=False)
    for dialog_id in replies:
        await rt.services.queue.auto_reply(dialog_id, 0)
    for bot_id in waiting:
        await rt.services.queue.waiting_alerts(bot_id)
    return f"{len(due)} polls, {len(deliveries) + len(sends) + len(replies)} recovered"
