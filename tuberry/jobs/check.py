"""check_accounts: the due polls of many accounts in one job, for the cost of the one request each needs.

Most polls find nothing new. Run as a `poll_account` job each, an idle poll cost a job's pickup and end in
Redis, a lease taken and released, and four short transactions: with 2,000 accounts at a 10-second interval
more CPU than one core has. This job reads the first page of chats of each account of a batch at once,
looks up the stored cursors of every page in one query and records the idle accounts' success in one
statement. Only an account with a change (or an error, or its first poll) goes on to `poll_account`, which
reads it again under its lease and does the rest: importing, deferring, recording errors.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tuberry.app.avito_access import account_session
from tuberry.app.metrics import POLLS
from tuberry.avito import AvitoError, Chat
from tuberry.domain import inbound
from tuberry.jobs.poll import PAGE, last_id
from tuberry.jobs.runtime import Runtime, runtime
from tuberry.storage.models import AvitoAccount
from tuberry.storage.repos import AccountRepo, DialogRepo
from tuberry.storage.types import utcnow

log = logging.getLogger(__name__)

BATCH = 50  # accounts per job; their chat lists are read at most `runtime.AVITO_READS_AT_ONCE` at a time


async def check_accounts(ctx: dict[str, Any], account_ids: list[int]) -> str:
    rt = runtime(ctx)
    async with rt.services.db.session() as session:
        accounts = await AccountRepo(session).active_by_ids(account_ids)
    # A first poll decides which old chats to skip: that is poll_account's to do from the start.
    first = [account for account in accounts if account.last_success_at is None]
    read = [account for account in accounts if account.last_success_at is not None]
    pages = await asyncio.gather(*(_first_page(rt, account) for account in read))
    listed = {account.id: page for account, page in zip(read, pages, strict=True) if page is not None}
    async with rt.services.db.session() as session:
        known = await DialogRepo(session).cursors_of_accounts(
            {account_id: [chat.id for chat in page] for account_id, page in listed.items()}
        )
        idle = [
            account_id
            for account_id, page in listed.items()
            if not any(inbound.changed(chat.id, last_id(chat), known[account_id]) for chat in page)
        ]
        await AccountRepo(session).record_success(idle, utcnow())
        await session.commit()
    POLLS.labels("ok").inc(len(idle))
    quiet = set(idle)
    busy = [account.id for account in first] + [a.id for a in read if a.id not in quiet]
    for account_id in busy:
        await rt.services.queue.poll_account(account_id)
    return f"{len(idle)} idle, {len(busy)} to poll"


async def _first_page(rt: Runtime, account: AvitoAccount) -> list[Chat] | None:
    """The account's most recently updated chats; None when Avito failed (poll_account sees to it)."""
    api = account_session(rt.services.avito, rt.services.db, account)
    try:
        async with rt.avito_reads:
            return await api.list_chats(account.avito_user_id, limit=PAGE)
    except AvitoError as exc:
        log.info("account %s: chat list not read (%s); a full poll follows", account.id, exc)
        return None
