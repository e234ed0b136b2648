"""The admin router: who passes (ADMIN_IDS), the commands, and their thin handlers.

Only `ADMIN_IDS` pass the router's filter. Anyone else's `/admin` goes on to the cabinet's handlers as if
the command did not exist: no refusal, which would tell a stranger there is something to find.
"""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from tuberry.app.i18n import Translator
from tuberry.app.services import Services
from tuberry.bot.common.ids import parse_id
from tuberry.bot.master.admin.blocking import REASON_LIMIT, carry_out, set_blocked
from tuberry.bot.master.admin.overview import WorkspacesPage, totals_text, workspace_text, workspaces_page

__all__ = ["admin_router"]


class IsAdmin(Filter):
    """The update comes from one of `ADMIN_IDS` (read per update: the config may change in tests)."""

    async def __call__(
        self, event: TelegramObject, services: Services, event_from_user: User | None = None
    ) -> bool:
        return event_from_user is not None and event_from_user.id in services.config.admin_ids


def admin_router() -> Router:
    """Admin commands in private chats (a new router per dispatcher)."""
    router = Router(name="admin")
    router.message.filter(F.chat.type == "private", IsAdmin())
    router.callback_query.filter(IsAdmin())
    router.message.register(on_admin, Command("admin"))
    router.message.register(on_workspaces, Command("workspaces"))
    router.message.register(on_workspace, Command("workspace"))
    router.message.register(on_block, Command("block"))
    router.message.register(on_unblock, Command("unblock"))
    router.callback_query.register(on_page, WorkspacesPage.filter())
    return router


async def on_admin(message: Message, t: Translator, services: Services) -> None:
    await message.answer(await totals_text(t, services))


async def on_workspaces(message: Message, command: CommandObject, t: Translator, services: Services) -> None:
    page = 1
    if command.args:
        parsed = parse_id(command.args)
        if parsed is None:
            await message.answer(t("admin-usage-workspaces"))
            return
        page = parsed
    text, markup = await workspaces_page(t, services, page)
    await message.answer(text, reply_markup=markup)


async def on_page(
    callback: CallbackQuery, callback_data: WorkspacesPage, t: Translator, services: Services
) -> None:
    text, markup = await workspaces_page(t, services, callback_data.page)
    if isinstance(callback.message, Message):
        # Pressing a page that is already shown: Telegram refuses an edit that changes nothing.
        with contextlib.suppress(TelegramBadRequest):
            await callback.message.edit_text(text, reply_markup=markup)
    await callback.answer()


async def on_workspace(message: Message, command: CommandObject, t: Translator, services: Services) -> None:
    workspace_id = parse_id(command.args)
    if workspace_id is None:
        await message.answer(t("admin-usage-workspace"))
        return
    await message.answer(await workspace_text(t, services, workspace_id))


async def on_block(
    message: Message, command: CommandObject, t: Translator, services: Services, bot: Bot
) -> None:
    raw_id, *rest = (command.args or "").split(maxsplit=1) or [""]
    workspace_id = parse_id(raw_id)
    if workspace_id is None or message.from_user is None:
        await message.answer(t("admin-usage-block"))
        return
    reason = rest[0].strip()[:REASON_LIMIT] if rest else None
    change = await set_blocked(services, workspace_id, message.from_user.id, blocked=True, reason=reason)
    await message.answer(await carry_out(t, services, bot, workspace_id, change, blocked=True))


async def on_unblock(
    message: Message, command: CommandObject, t: Translator, services: Services, bot: Bot
) -> None:
    workspace_id = parse_id(command.args)
    if workspace_id is None or message.from_user is None:
        await message.answer(t("admin-usage-unblock"))
        return
    change = await set_blocked(services, workspace_id, message.from_user.id, blocked=False)
    await message.answer(await carry_out(t, services, bot, workspace_id, change, blocked=False))
