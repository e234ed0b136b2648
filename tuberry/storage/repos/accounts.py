"""Avito accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import AccountStatus, AvitoAccount, Workspace


class AccountRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, workspace_id: int) -> list[AvitoAccount]:
        rows = await self.session.scalars(
            select(AvitoAccount)
            .where(AvitoAccount.workspace_id == workspace_id, AvitoAccount.status != AccountStatus.REMOVED)
            .order_by(AvitoAccount.id)
        )
        return list(rows)

    async def get(self, workspace_id: int, account_id: int) -> AvitoAccount | None:
        """The account if it belongs to this workspace; None otherwise, whoever asks."""
        return await self.session.scalar(
            select(AvitoAccount).where(
                AvitoAccount.id == account_id,
                AvitoAccount.workspace_id == workspace_id,
                AvitoAccount.status != AccountStatus.REMOVED,
            )
        )

    async def by_id(self, account_id: int) -> AvitoAccount | None:
        return await self.session.get(AvitoAccount, account_id)

    async def by_avito_user(self, avito_user_id: int) -> AvitoAccount | None:
        return await self.session.scalar(
            select(AvitoAccount).where(AvitoAccount.avito_user_id == avito_user_id)
        )

    async def of_bot(self, bot_id: int) -> list[AvitoAccount]:
        rows = await self.session.scalars(
            select(AvitoAccount).where(
                AvitoAccount.bot_id == bot_id, AvitoAccount.status != AccountStatus.REMOVED
            )
        )
        return list(rows)

    async def due_for_poll(self, now: datetime, interval: float) -> list[int]:
        """Active accounts of unblocked workspaces whose last poll started at least `interval` ago."""
        threshold = now - timedelta(seconds=interval)
        rows = await self.session.scalars(
            select(AvitoAccount.id)
            .join(Workspace, Workspace.id == AvitoAccount.workspace_id)
            .where(
                AvitoAccount.status == AccountStatus.ACTIVE,
                AvitoAccount.bot_id.is_not(None),
                Workspace.blocked.is_(False),
                or_(AvitoAccount.last_poll_at.is_(None), AvitoAccount.last_poll_at <= threshold),
            )
        )
        return list(rows)

    async def with_workspace_blocked(self, account_id: int | None = None) -> list[tuple[AvitoAccount, bool]]:
        """Accounts that still hold credentials (not removed), each with whether its workspace is blocked;
        one account when `account_id` is given."""
        query = (
            select(AvitoAccount, Workspace.blocked)
            .join(Workspace, Workspace.id == AvitoAccount.workspace_id)
            .where(AvitoAccount.status != AccountStatus.REMOVED)
            .order_by(AvitoAccount.id)
        )
        if account_id is not None:
            query = query.where(AvitoAccount.id == account_id)
        return [(account, bool(blocked)) for account, blocked in (await self.session.execute(query)).all()]

    def add(self, account: AvitoAccount) -> None:
        self.session.add(account)
