"""The owner's language: what bots and jobs write into a workspace's group, and the cabinet's choice of it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.app.i18n import LANGUAGES, Translator, pick_language, translator
from tuberry.app.services import Services
from tuberry.storage.models import Workspace
from tuberry.storage.repos import BotRepo, WorkspaceRepo


async def owner_translator(session: AsyncSession, workspace_id: int) -> Translator:
    """Texts that go into a workspace's group speak its owner's language."""
    return translator(await owner_language_of(session, workspace_id))


def stored_owner_translator(stored: str | None) -> Translator:
    """`owner_translator` from the owner's stored language as already read (None: none stored)."""
    return translator(pick_language(stored, None))


async def owner_language_of(session: AsyncSession, workspace_id: int) -> str:
    """The owner's stored language (the default one when none is stored)."""
    workspace = await session.get(Workspace, workspace_id)
    owner = await WorkspaceRepo(session).user(workspace.owner_telegram_id) if workspace else None
    return pick_language(owner.language if owner else None, None)


async def owner_language(
    services: Services, bot_id: int, actor_id: int | None = None, actor_language_code: str | None = None
) -> str:
    """The language the bot's owner reads: their choice, else their Telegram language when they act."""
    async with services.db.session() as session:
        row = await BotRepo(session).by_id(bot_id)
        if row is None:
            return pick_language(None, None)
        workspace = await WorkspaceRepo(session).get(row.workspace_id)
        owner_id = workspace.owner_telegram_id if workspace else None
        user = await WorkspaceRepo(session).user(owner_id) if owner_id is not None else None
    code = actor_language_code if actor_id is not None and actor_id == owner_id else None
    return pick_language(user.language if user else None, code)


async def set_language(services: Services, user_id: int, language: str) -> bool:
    """The cabinet's language choice, remembered over Telegram's; False for an unknown user or language."""
    if language not in LANGUAGES:
        return False
    async with services.db.session() as session:
        user = await WorkspaceRepo(session).user(user_id)
        if user is None:
            return False
        user.language = language
        await session.commit()
    return True
