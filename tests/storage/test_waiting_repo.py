"""The waiting figures of the Stats screen on SQLite and PostgreSQL: dialogs waiting now (domain.ticket:
`waiting_since` set, not closed) and the oldest wait, per account of one workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tuberry.storage.db import Database
from tuberry.storage.models import AccountStatus, AvitoAccount, Dialog, Workspace
from tuberry.storage.repos.waiting import WaitingNow, WaitingRepo

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def test_waiting_now_and_the_oldest_wait_per_account(database: Database) -> None:
    async with database.session() as session:
        shop, other = Workspace(id=1, owner_telegram_id=1001), Workspace(id=2, owner_telegram_id=1002)
        session.add_all([shop, other])
        await session.flush()
        accounts = [
            AvitoAccount(
                id=account_id,
                workspace_id=workspace_id,
                client_id="c",
                client_secret="s",
                avito_user_id=5000 + account_id,
                webhook_secret="w",
                status=status,
            )
            for account_id, workspace_id, status in [
                (1, 1, AccountStatus.ACTIVE),
                (2, 1, AccountStatus.ACTIVE),
                (3, 1, AccountStatus.REMOVED),
                (4, 2, AccountStatus.ACTIVE),
            ]
        ]
        session.add_all(accounts)
        await session.flush()
        dialogs = [
            (1, NOW - 3 * HOUR, None),  # the oldest of account 1
            (1, NOW - HOUR, None),
            (1, NOW - 5 * HOUR, NOW),  # closed: nobody waits
            (1, None, None),  # answered
            (2, NOW - 2 * HOUR, None),
            (3, NOW - 9 * HOUR, None),  # a removed account counts nowhere
            (4, NOW - 7 * HOUR, None),  # another workspace
        ]
        session.add_all(
            Dialog(id=n, account_id=account, avito_chat_id=f"u2i-{n}", waiting_since=since, closed_at=closed)
            for n, (account, since, closed) in enumerate(dialogs, start=1)
        )
        await session.commit()

    async with database.session() as session:
        repo = WaitingRepo(session)
        assert await repo.now_per_account(1) == {
            1: WaitingNow(2, NOW - 3 * HOUR),
            2: WaitingNow(1, NOW - 2 * HOUR),
        }
        assert await repo.now_per_account(2) == {4: WaitingNow(1, NOW - 7 * HOUR)}
