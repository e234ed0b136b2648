"""The periodic reconciliation with the database that receivers and Avito webhooks run: whatever another
process (or a failed call) changed is picked up within one interval."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_sync_loop(
    sync: Callable[[], Awaitable[None]],
    interval: float,
    what: str,
    reason: Callable[[Exception], str] | None = None,
) -> None:
    """Await `sync` every `interval` seconds until cancelled. A failed round never ends the loop: it is logged
    and the next round tries again. `reason` renders the failure for the log (for errors whose text may hold a
    secret, such as a request URL with a bot token); without it the traceback is logged."""
    while True:
        try:
            await sync()
        except Exception as exc:
            if reason is None:
                log.exception("syncing %s failed", what)
            else:
                log.warning("syncing %s failed (%s), retrying", what, reason(exc))
        await asyncio.sleep(interval)
