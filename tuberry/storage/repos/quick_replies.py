"""A workspace's quick replies (answer templates), in the order the owner added them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import QuickReply


class QuickReplyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, workspace_id: int) -> list[QuickReply]:
        rows = await self.session.scalars(
            select(QuickReply)
            .where(QuickReply.workspace_id == workspace_id)
            .order_by(QuickReply.position, QuickReply.id)
        )
        return list(rows)

    async def get(self, workspace_id: int, reply_id: int) -> QuickReply | None:
        """Only the workspace's own: an id of another workspace finds nothing."""
        row = await self.session.get(QuickReply, reply_id)
        return row if row is not None and row.workspace_id == workspace_id else None

    async def next_position(self, workspace_id: int) -> int:
        last = await self.session.scalar(
            select(func.max(QuickReply.position)).where(QuickReply.workspace_id == workspace_id)
        )
        return (last or 0) + 1

    def add(self, row: QuickReply) -> None:
        self.session.add(row)

    async def delete(self, row: QuickReply) -> None:
        await self.session.delete(row)
