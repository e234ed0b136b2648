"""Avito accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import AccountStatus, AvitoAccount, BotStatus, ClientBot, User, Workspace


def runnable(query: Select[Any]) -> Select[Any]:
    """Narrow a query that has `AvitoAccount` in it to work that can run now: an active account with an active
    bot bound to a group, in a workspace the admin has not blocked. Anything else waits in the database."""
    return (
        query.join(Workspace, Workspace.id == AvitoAccount.workspace_id)
        .join(ClientBot, ClientBot.id == AvitoAccount.bot_id)
        .where(
            AvitoAccount.status == AccountStatus.ACTIVE,
            ClientBot.status == BotStatus.ACTIVE,
            ClientBot.group_chat_id.is_not(None),
            Workspace.blocked.is_(False),
        )
    )


@dataclass(frozen=True)
class OwnedAccount:
    """An account with its workspace and the owner's stored language (None: none stored)."""

    account: AvitoAccount
    workspace: Workspace
    owner_language: str | None


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

    async def with_owner(self, account_id: int) -> OwnedAccount | None:
        """The account with its workspace and its owner's language, in one statement."""
        row = (
            await self.session.execute(
                select(AvitoAccount, Workspace, User.language)
                .join(Workspace, Workspace.id == AvitoAccount.workspace_id)
                .outerjoin(User, User.telegram_user_id == Workspace.owner_telegram_id)
                .where(AvitoAccount.id == account_id)
            )
        ).first()
        return OwnedAccount(*row) if row is not None else None

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

    async def active_by_ids(self, account_ids: Sequence[int]) -> list[AvitoAccount]:
        """Those of these accounts that are still active."""
        rows = await self.session.scalars(
            select(AvitoAccount).where(
                AvitoAccount.id.in_(set(account_ids)), AvitoAccount.status == AccountStatus.ACTIVE
            )
        )
        return list(rows)

    async def record_success(self, account_ids: Sequence[int], at: datetime) -> None:
        """These accounts were read without an error: one statement for a batch of idle checks."""
        if account_ids:
            await self.session.execute(
                update(AvitoAccount)
                .where(AvitoAccount.id.in_(set(account_ids)))
                .values(last_success_at=at, last_error=None)
            )

    async def due_for_poll(self, now: datetime, interval: float) -> list[int]:
        """Active accounts of unblocked workspaces whose last poll started at least `interval` ago, marked
        as polled at `now`. One statement claims them: a tick that overlaps another (a slow one) finds them
        taken rather than polling them twice."""
        threshold = now - timedelta(seconds=interval)
        stale = or_(AvitoAccount.last_poll_at.is_(None), AvitoAccount.last_poll_at <= threshold)
        due = (
            select(AvitoAccount.id)
            .join(Workspace, Workspace.id == AvitoAccount.workspace_id)
            .where(
                AvitoAccount.status == AccountStatus.ACTIVE,
                AvitoAccount.bot_id.is_not(None),
                Workspace.blocked.is_(False),
            )
        )
        rows = await self.session.scalars(
            update(AvitoAccount)
            .where(AvitoAccount.id.in_(due), stale)
            .values(last_poll_at=now)
            .returning(AvitoAccount.id)
            .execution_options(synchronize_session=False)
        )
        return list(rows)

    async def on_hold(self, account_id: int) -> str | None:
        """Why work of this account may not run now (blocked, paused, broken, no bot), or None when it may."""
        account = await self.session.get(AvitoAccount, account_id)
        if account is None:
            return "no account"
        query = runnable(select(AvitoAccount.id)).where(AvitoAccount.id == account_id)
        found = await self.session.scalar(query)
        return None if found is not None else f"account {account.status}, bot or workspace not active"

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
