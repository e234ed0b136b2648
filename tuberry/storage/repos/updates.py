"""The inbox of client bots' Telegram updates (who handles a bot's updates is a lease: repos/leases.py).

Callers pass "now": the back-off is a plain comparison, testable without a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import BotStatus, ClientBot, TelegramUpdate, UpdateState, Workspace
from tuberry.storage.repos.upsert import insert


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    payload: dict[str, Any]
    attempts: int
    retry_at: datetime | None


class UpdateInboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------------ updates

    async def store(self, bot_id: int, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime) -> None:
        """Add the updates not stored yet; one already stored (a repeated delivery) is left as it is."""
        if not updates:
            return
        rows = [
            {
                "bot_id": bot_id,
                "update_id": update_id,
                "payload": payload,
                "state": UpdateState.PENDING,
                "attempts": 0,
                "received_at": now,
            }
            for update_id, payload in updates
        ]
        statement = insert(self.session, TelegramUpdate).on_conflict_do_nothing(
            index_elements=["bot_id", "update_id"]
        )
        await self.session.execute(statement, rows)

    async def pending(self, bot_id: int, limit: int) -> list[PendingUpdate]:
        """The bot's next pending updates, lowest `update_id` first."""
        rows = await self.session.execute(
            select(
                TelegramUpdate.update_id,
                TelegramUpdate.payload,
                TelegramUpdate.attempts,
                TelegramUpdate.retry_at,
            )
            .where(TelegramUpdate.state == UpdateState.PENDING, TelegramUpdate.bot_id == bot_id)
            .order_by(TelegramUpdate.update_id)
            .limit(limit)
        )
        return [PendingUpdate(*row) for row in rows]

    async def bots_with_pending(self) -> list[int]:
        """Bots that should receive now (BotRepo.receiving) and have pending updates."""
        rows = await self.session.scalars(
            select(TelegramUpdate.bot_id)
            .join(ClientBot, ClientBot.id == TelegramUpdate.bot_id)
            .join(Workspace, Workspace.id == ClientBot.workspace_id)
            .where(
                TelegramUpdate.state == UpdateState.PENDING,
                ClientBot.status == BotStatus.ACTIVE,
                Workspace.blocked.is_(False),
            )
            .distinct()
        )
        return sorted(rows)

    async def mark_handled(self, bot_id: int, update_id: int, now: datetime) -> None:
        await self.session.execute(
            update(TelegramUpdate)
            .where(TelegramUpdate.bot_id == bot_id, TelegramUpdate.update_id == update_id)
            .values(state=UpdateState.HANDLED, finished_at=now, retry_at=None)
        )

    async def mark_failed_attempt(
        self, bot_id: int, update_id: int, error: str, retry_at: datetime | None, now: datetime
    ) -> None:
        """One more failed attempt; `retry_at` None means no more attempts: the update has failed."""
        values: dict[str, Any] = {"attempts": TelegramUpdate.attempts + 1, "last_error": error}
        if retry_at is None:
            values |= {"state": UpdateState.FAILED, "finished_at": now, "retry_at": None}
        else:
            values["retry_at"] = retry_at
        await self.session.execute(
            update(TelegramUpdate)
            .where(TelegramUpdate.bot_id == bot_id, TelegramUpdate.update_id == update_id)
            .values(**values)
        )

    async def prune(self, handled_before: datetime, failed_before: datetime) -> int:
        """Delete finished rows that no repeated delivery can meet any more; returns how many went."""
        state, finished = TelegramUpdate.state, TelegramUpdate.finished_at
        result = await self.session.execute(
            delete(TelegramUpdate).where(
                or_(
                    and_(state == UpdateState.HANDLED, finished < handled_before),
                    and_(state == UpdateState.FAILED, finished < failed_before),
                )
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
