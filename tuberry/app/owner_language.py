"""The owner's language, for what bots and jobs write into a workspace's group."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.app.i18n import Translator, pick_language, translator
from tuberry.storage.models import Workspace
from tuberry.storage.repos import WorkspaceRepo


async def owner_translator(session: AsyncSession, workspace_id: int) -> Translator:
    """Texts that go into a workspace's group speak its owner's language."""
    workspace = await session.get(Workspace, workspace_id)
    owner = await WorkspaceRepo(session).user(workspace.owner_telegram_id) if workspace else None
    return translator(pick_language(owner.language if owner else None, None))
