"""`/start` and the main menu: Bots · Avito accounts · Auto-reply · Stats · Quick replies · Waiting alerts ·
Topic icons · Language · Help."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import ErrorEvent, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.kbd import Row, Start

from tuberry.app.i18n import Translator, pick_language
from tuberry.app.services import Services
from tuberry.bot.master.dialogs.common import services_of, t_of, workspace_of
from tuberry.bot.master.states import (
    AccountsSG,
    AutoReplySG,
    BotsSG,
    HelpSG,
    LanguageSG,
    MenuSG,
    QuickRepliesSG,
    StatsSG,
    TopicIconsSG,
    WaitingSG,
    start_account_card,
)
from tuberry.bot.master.widgets import Blocks, T, translator_of
from tuberry.storage.repos import AccountRepo, AuditRepo, BotRepo, WorkspaceRepo
from tuberry.telegram.deep_links import parse_payload

ID_TOPIC_ICONS = "icons"
ID_BOTS, ID_ACCOUNTS, ID_AUTOREPLY, ID_STATS, ID_LANGUAGE, ID_HELP = (
    "bots",
    "accs",
    "ar",
    "st",
    "lang",
    "help",
)

ID_QUICK_REPLIES = "qr"
ID_WAITING = "wait"

log = logging.getLogger(__name__)


def start_router() -> Router:
    """`/start` in a private chat (a new router per dispatcher)."""
    router = Router(name="cabinet-start")
    router.message.register(on_start, CommandStart(), F.chat.type == "private")
    return router


async def on_start(
    message: Message, command: CommandObject, dialog_manager: DialogManager, services: Services
) -> None:
    """Creates the owner and the workspace on first use; always returns to the menu.

    A payload `acc_<id>` (`telegram.deep_links`: links in the bot's own messages) opens that card on top.
    """
    user = message.from_user
    if user is None:
        return
    async with services.db.session() as session:
        membership = await WorkspaceRepo(session).ensure_owner(
            user.id, user.full_name, pick_language(None, user.language_code)
        )
        if membership.created:
            AuditRepo(session).record(membership.workspace.id, user.id, "workspace.create")
        await session.commit()
        workspace_id = membership.workspace.id
    dialog_manager.middleware_data["workspace_id"] = workspace_id
    await dialog_manager.start(
        MenuSG.main, mode=StartMode.RESET_STACK, data={"welcome": membership.created}, show_mode=ShowMode.SEND
    )
    await _open_payload(command.args or "", message, dialog_manager, services, workspace_id)


async def _open_payload(
    payload: str, message: Message, manager: DialogManager, services: Services, workspace_id: int
) -> None:
    link = parse_payload(payload)
    if link is None:
        return
    if link.item_id is None:  # a link mangled on the way: the menu is open, say the card is not there
        await message.answer(translator_of(manager)("cabinet-not-found"))
        return
    async with services.db.session() as session:
        found = await AccountRepo(session).get(workspace_id, link.item_id) is not None
    if not found:
        await message.answer(translator_of(manager)("cabinet-not-found"))
    else:
        await start_account_card(manager, link.item_id)


async def on_stale_dialog(
    event: ErrorEvent, dialog_manager: DialogManager, t: Translator, **data: Any
) -> None:
    """A button whose dialog is gone (a restart, an old message, or a button from someone else's chat):
    refuse it and show the caller's own menu instead."""
    log.info("stale dialog button: %s", event.exception)
    callback = event.update.callback_query
    if callback is not None:
        with contextlib.suppress(TelegramAPIError):
            await callback.answer(t("cabinet-outdated"), show_alert=True)
    if data.get("workspace_id") is None:
        return  # a stranger: only /start opens a cabinet
    await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


def fallback_router() -> Router:
    """Private messages no dialog expects: show where the owner is (or the menu) again."""
    router = Router(name="cabinet-fallback")

    @router.message(F.chat.type == "private")
    async def on_stray_message(message: Message, dialog_manager: DialogManager, t: Translator) -> None:
        if dialog_manager.has_context():
            await dialog_manager.show(ShowMode.SEND)
            return
        if dialog_manager.middleware_data.get("workspace_id") is None:
            await message.answer(t("menu-stranger"))
            return
        await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)

    return router


async def get_menu(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    workspace_id = workspace_of(dialog_manager)
    # The greeting is shown once, not again whenever the owner comes back to the menu.
    first_time = bool((dialog_manager.start_data or {}).get("welcome"))
    welcome = first_time and not dialog_manager.dialog_data.get("greeted")
    dialog_manager.dialog_data["greeted"] = first_time
    data: dict[str, Any] = {
        "welcome": welcome,
        "bots": 0,
        "accounts": 0,
        "blocked": False,
        "reason": "",
        "stranger": workspace_id is None,
    }
    if workspace_id is None:
        return data
    async with services_of(dialog_manager).db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        data["bots"] = len(await BotRepo(session).list(workspace_id))
        data["accounts"] = len(await AccountRepo(session).list(workspace_id))
    if workspace is not None and workspace.blocked:
        data["blocked"] = True
        data["reason"] = workspace.blocked_reason or t_of(dialog_manager)("menu-blocked-no-reason")
    return data


def menu_dialog() -> Dialog:
    """The main menu (a new instance per dispatcher)."""
    return Dialog(
        Window(
            Blocks(
                T("menu-welcome", when="welcome"),
                T("menu-title"),
                T("menu-blocked", when="blocked"),
                T("menu-stranger", when="stranger"),
            ),
            Row(
                Start(T("menu-bots"), id=ID_BOTS, state=BotsSG.list),
                Start(T("menu-accounts"), id=ID_ACCOUNTS, state=AccountsSG.list),
            ),
            Row(
                Start(T("menu-autoreply"), id=ID_AUTOREPLY, state=AutoReplySG.main),
                Start(T("menu-stats"), id=ID_STATS, state=StatsSG.main),
            ),
            Start(T("menu-topic-icons"), id=ID_TOPIC_ICONS, state=TopicIconsSG.main),
            Row(
                Start(T("menu-quick-replies"), id=ID_QUICK_REPLIES, state=QuickRepliesSG.list),
                Start(T("menu-waiting"), id=ID_WAITING, state=WaitingSG.main),
            ),
            Row(
                Start(T("menu-language"), id=ID_LANGUAGE, state=LanguageSG.main),
                Start(T("menu-help"), id=ID_HELP, state=HelpSG.main),
            ),
            state=MenuSG.main,
            getter=get_menu,
        ),
    )
