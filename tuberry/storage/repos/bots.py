"""Client bots. Every cabinet read goes through a workspace-scoped getter."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import BotStatus, ClientBot, Workspace


class BotRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list(self, workspace_id: int) -> list[ClientBot]:
        rows = await self.session.scalars(
            select(ClientBot)
            .where(ClientBot.workspace_id == workspace_id, ClientBot.status != BotStatus.REMOVED)
            .order_by(ClientBot.id)
        )
        return list(rows)

    async def get(self, workspace_id: int, bot_id: int) -> ClientBot | None:
        """The bot if it belongs to this workspace; None otherwise, whoever asks."""
        return await self.session.scalar(
            select(ClientBot).where(
                ClientBot.id == bot_id,
                ClientBot.workspace_id == workspace_id,
                ClientBot.status != BotStatus.REMOVED,
            )
        )

    async def by_id(self, bot_id: int) -> ClientBot | None:
        """Unscoped: for jobs and client bots, which act on behalf of the bot itself."""
        return await self.session.get(ClientBot, bot_id)

    async def by_telegram_id(self, telegram_bot_id: int) -> ClientBot | None:
        return await self.session.scalar(
            select(ClientBot).where(ClientBot.telegram_bot_id == telegram_bot_id)
        )

    async def by_group(self, chat_id: int) -> list[ClientBot]:
        rows = await self.session.scalars(
            select(ClientBot).where(ClientBot.group_chat_id == chat_id, ClientBot.status == BotStatus.ACTIVE)
        )
        return list(rows)

    async def receiving(self) -> list[ClientBot]:
        """Bots that should receive updates now: active, in a workspace that is not blocked."""
        rows = await self.session.scalars(
            select(ClientBot)
            .join(Workspace, Workspace.id == ClientBot.workspace_id)
            .where(ClientBot.status == BotStatus.ACTIVE, Workspace.blocked.is_(False))
            .order_by(ClientBot.id)
        )
        return list(rows)

    def add(self, bot: ClientBot) -> None:
        self.session.add(bot)
