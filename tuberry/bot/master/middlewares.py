"""Who is calling: language, translator and workspace of the update's user, read once per update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from sqlalchemy import select

from tuberry.app.i18n import pick_language, translator
from tuberry.app.services import Services
from tuberry.storage.models import User as UserRow
from tuberry.storage.models import Workspace


class CallerMiddleware(BaseMiddleware):
    """Puts `t` (Translator), `lang` and `workspace_id` (int or None) into the handler data.

    Creates nothing: `/start` creates the owner and the workspace. Registered as an outer middleware on
    `dp.update`, so it also runs for aiogram-dialog's own background updates.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        services: Services = data["services"]
        stored_language: str | None = None
        workspace_id: int | None = None
        if user is not None:
            stored_language, workspace_id = await caller_of(services, user.id)
        lang = pick_language(stored_language, user.language_code if user else None)
        data["lang"] = lang
        data["t"] = translator(lang)
        data["workspace_id"] = workspace_id
        return await handler(event, data)


async def caller_of(services: Services, telegram_user_id: int) -> tuple[str | None, int | None]:
    """(stored language, own workspace id) of a Telegram user; both None for a stranger."""
    async with services.db.session() as session:
        language = await session.scalar(
            select(UserRow.language).where(UserRow.telegram_user_id == telegram_user_id)
        )
        workspace_id = await session.scalar(
            select(Workspace.id).where(Workspace.owner_telegram_id == telegram_user_id)
        )
    return language, workspace_id
