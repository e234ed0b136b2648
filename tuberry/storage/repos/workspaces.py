"""Workspaces and their users."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import Role, User, Workspace


@dataclass(frozen=True)
class Membership:
    user: User
    workspace: Workspace
    created: bool


class WorkspaceRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def user(self, telegram_user_id: int) -> User | None:
        return await self.session.scalar(select(User).where(User.telegram_user_id == telegram_user_id))

    async def get(self, workspace_id: int) -> Workspace | None:
        return await self.session.get(Workspace, workspace_id)

    async def by_owner(self, telegram_user_id: int) -> Workspace | None:
        return await self.session.scalar(
            select(Workspace).where(Workspace.owner_telegram_id == telegram_user_id)
        )

    async def ensure_owner(self, telegram_user_id: int, name: str, language: str | None = None) -> Membership:
        """The caller's workspace, created with its owner on first use.

        `language` is remembered when the user has none yet: jobs that write into the owner's group have no
        Telegram language_code to go by.
        """
        user = await self.user(telegram_user_id)
        workspace = await self.by_owner(telegram_user_id)
        created = workspace is None
        if workspace is None:
            workspace = Workspace(owner_telegram_id=telegram_user_id, title=name[:128])
            self.session.add(workspace)
            await self.session.flush()
        if user is None:
            user = User(telegram_user_id=telegram_user_id, name=name[:256])
            self.session.add(user)
        if user.language is None:
            user.language = language
        user.workspace_id = workspace.id
        user.role = Role.OWNER
        await self.session.flush()
        return Membership(user=user, workspace=workspace, created=created)

    async def page(self, offset: int, limit: int) -> list[Workspace]:
        rows = await self.session.scalars(
            select(Workspace).order_by(Workspace.id).offset(offset).limit(limit)
        )
        return list(rows)

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Workspace)) or 0)
