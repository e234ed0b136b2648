"""A topic's status: closed by a manager or not, and the status icon last applied to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import AvitoAccount, ClientBot, Dialog, Message, TgState, Workspace
from tuberry.storage.repos.accounts import runnable
from tuberry.storage.types import utcnow


@dataclass(frozen=True)
class IconInputs:
    closed: bool
    waiting_since: datetime | None
    applied: str | None  # dialogs.topic_icon
    choice: dict[str, str]  # the workspace's


class TopicStatusRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def close(self, dialog_id: int) -> bool:
        """Mark the dialog's topic closed; False when it was closed already."""
        dialog = await self.session.get(Dialog, dialog_id)
        if dialog is None or dialog.closed_at is not None:
            return False
        dialog.closed_at = utcnow()
        return True

    async def reopened(self, dialog_id: int) -> None:
        """The topic is open again (reopened, or a new one stands in for it)."""
        await self.session.execute(update(Dialog).where(Dialog.id == dialog_id).values(closed_at=None))

    async def icon_applied(self, dialog_id: int, topic_id: int, icon: str) -> None:
        """`icon` shows on the topic (or was refused for good); a topic replaced meanwhile keeps its own."""
        await self.session.execute(
            update(Dialog).where(Dialog.id == dialog_id, Dialog.topic_id == topic_id).values(topic_icon=icon)
        )

    async def group_has_pending(self, chat_id: int) -> bool:
        """Whether any message that can go now waits to be posted into this group: a buyer's message goes
        before any icon (messages of a paused account wait in the database, and hold no icon back)."""
        query = (
            select(Message.id)
            .join(Dialog, Dialog.id == Message.dialog_id)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        )
        pending = runnable(query).where(
            Message.tg_state == TgState.PENDING, ClientBot.group_chat_id == chat_id
        )
        return bool(await self.session.scalar(select(exists(pending))))

    async def icon_inputs(self, dialog_id: int) -> IconInputs | None:
        """What the icon of the dialog's topic follows, in one statement (read by every icon run)."""
        row = (
            await self.session.execute(
                select(Dialog.closed_at, Dialog.waiting_since, Dialog.topic_icon, Workspace.topic_icons)
                .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
                .join(Workspace, Workspace.id == AvitoAccount.workspace_id)
                .where(Dialog.id == dialog_id)
            )
        ).first()
        if row is None:
            return None
        closed_at, waiting_since, applied, choice = row
        return IconInputs(closed_at is not None, waiting_since, applied, dict(choice or {}))

    async def icon_choice(self, workspace_id: int) -> dict[str, str]:
        workspace = await self.session.get(Workspace, workspace_id)
        return dict(workspace.topic_icons or {}) if workspace is not None else {}

    async def choose_icon(self, workspace_id: int, status: str, icon: str | None) -> None:
        """The owner's icon for a status; None goes back to the default."""
        workspace = await self.session.get(Workspace, workspace_id)
        if workspace is None:
            return
        choice = dict(workspace.topic_icons or {})
        if icon is None:
            choice.pop(status, None)
        else:
            choice[status] = icon
        workspace.topic_icons = choice or None  # a new dict: the JSON column sees the change
