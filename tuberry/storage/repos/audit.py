"""The audit log of owner and admin actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import AuditEntry


class AuditRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, workspace_id: int | None, actor: int | None, action: str, **details: Any) -> None:
        self.session.add(
            AuditEntry(workspace_id=workspace_id, actor_telegram_id=actor, action=action, details=details)
        )

    async def recent(self, workspace_id: int, limit: int = 20) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.workspace_id == workspace_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
        return list(rows)
