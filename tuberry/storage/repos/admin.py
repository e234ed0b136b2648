"""Installation-wide reads for the admin commands: unscoped on purpose, only ADMIN_IDS reach them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    AvitoState,
    BotStatus,
    ClientBot,
    Dialog,
    Direction,
    Message,
    TgState,
    User,
    Workspace,
)


@dataclass(frozen=True)
class Totals:
    workspaces: int
    blocked: int
    bots: int  # connected (not removed)
    bots_active: int
    accounts: dict[str, int]  # by status, removed ones left out
    dialogs: int
    messages_in: int
    messages_out: int
    failed: int
    oldest_success: datetime | None  # the stalest last successful poll among the accounts that are polled
    never_polled: int  # accounts that are polled but have never had a successful poll


@dataclass(frozen=True)
class WorkspaceSummary:
    id: int
    owner_telegram_id: int
    owner_name: str
    bots: int
    accounts: int
    blocked: bool


def _polled() -> tuple[ColumnElement[bool], ...]:
    """Accounts the sweep polls (as `AccountRepo.due_for_poll`): a blocked workspace lags on purpose."""
    return (
        AvitoAccount.status == AccountStatus.ACTIVE,
        AvitoAccount.bot_id.is_not(None),
        Workspace.blocked.is_(False),
    )


class AdminRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _count(self, statement: Select[tuple[int]]) -> int:
        return int(await self.session.scalar(statement) or 0)

    async def _by(self, column: InstrumentedAttribute[str], *where: ColumnElement[bool]) -> dict[str, int]:
        """Row counts grouped by one column."""
        rows = await self.session.execute(select(column, func.count()).where(*where).group_by(column))
        return {str(key): int(n) for key, n in rows}

    async def oldest_success(self) -> datetime | None:
        """The last successful poll of the account that waits longest for one (None: nothing polled yet)."""
        return await self.session.scalar(  # min() keeps the column type: aware UTC
            select(func.min(AvitoAccount.last_success_at)).join(Workspace).where(*_polled())
        )

    async def totals(self, since: datetime) -> Totals:
        """Counts over the whole installation; messages and failures since the given moment."""
        count = select(func.count())
        workspaces = await self._count(count.select_from(Workspace))
        blocked = await self._count(count.select_from(Workspace).where(Workspace.blocked.is_(True)))
        bots = await self._by(ClientBot.status)
        accounts = await self._by(AvitoAccount.status)
        accounts.pop(AccountStatus.REMOVED, None)
        dialogs = await self._count(count.select_from(Dialog))
        directions = await self._by(Message.direction, Message.created_at >= since)
        failed = await self._count(
            count.select_from(Message).where(
                Message.created_at >= since,
                or_(Message.tg_state == TgState.FAILED, Message.avito_state == AvitoState.FAILED),
            )
        )
        oldest = await self.oldest_success()
        never = await self._count(
            count.select_from(AvitoAccount)
            .join(Workspace)
            .where(*_polled(), AvitoAccount.last_success_at.is_(None))
        )
        return Totals(
            workspaces=workspaces,
            blocked=blocked,
            bots=sum(n for status, n in bots.items() if status != BotStatus.REMOVED),
            bots_active=bots.get(BotStatus.ACTIVE, 0),
            accounts=accounts,
            dialogs=dialogs,
            messages_in=directions.get(Direction.IN, 0),
            messages_out=directions.get(Direction.OUT, 0),
            failed=failed,
            oldest_success=oldest,
            never_polled=never,
        )

    async def workspaces(self, offset: int, limit: int) -> list[WorkspaceSummary]:
        """One page of every workspace, oldest first, with its owner and connected bots and accounts."""
        bots = (
            select(func.count())
            .where(ClientBot.workspace_id == Workspace.id, ClientBot.status != BotStatus.REMOVED)
            .scalar_subquery()
        )
        accounts = (
            select(func.count())
            .where(AvitoAccount.workspace_id == Workspace.id, AvitoAccount.status != AccountStatus.REMOVED)
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(Workspace, User.name, bots, accounts)
            .outerjoin(User, User.telegram_user_id == Workspace.owner_telegram_id)
            .order_by(Workspace.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            WorkspaceSummary(
                id=workspace.id,
                owner_telegram_id=workspace.owner_telegram_id,
                owner_name=name or workspace.title,
                bots=int(bot_count or 0),
                accounts=int(account_count or 0),
                blocked=workspace.blocked,
            )
            for workspace, name, bot_count, account_count in rows
        ]

    async def dialogs_of(self, workspace_id: int) -> int:
        return await self._count(
            select(func.count())
            .select_from(Dialog)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
            .where(AvitoAccount.workspace_id == workspace_id)
        )

    async def messages_of(self, workspace_id: int, since: datetime) -> tuple[int, int]:
        """(in, out) messages of the workspace's dialogs since the given moment."""
        rows = await self.session.execute(
            select(Message.direction, func.count())
            .join(Dialog, Dialog.id == Message.dialog_id)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
            .where(AvitoAccount.workspace_id == workspace_id, Message.created_at >= since)
            .group_by(Message.direction)
        )
        counts = {direction: int(n) for direction, n in rows}
        return counts.get(Direction.IN, 0), counts.get(Direction.OUT, 0)
