"""Avito accounts: the list, adding one (client_id, then client_secret), its card, relink, pause, remove.

Getters read the caller's own accounts; every id from a button or a message is checked against the
caller's own workspace (`own_account`); the changes themselves are use cases in `tuberry.app.accounts`.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

from aiogram import F
from aiogram.enums import ChatAction, ContentType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.app import accounts
from tuberry.app.accounts import CLIENT_ID_RE, AddAccount
from tuberry.bot.common.ids import parse_id
from tuberry.bot.master.dialogs.common import (
    actor_of,
    delete_quietly,
    refuse,
    services_of,
    t_of,
    typed_id,
    when,
    workspace_of,
)
from tuberry.bot.master.states import AccountsSG
from tuberry.bot.master.widgets import Blocks, Html, T, choice, confirmation
from tuberry.storage.models import AccountStatus, AvitoAccount, BotStatus
from tuberry.storage.repos import AccountRepo, BotRepo

ICONS = {AccountStatus.ACTIVE: "✅", AccountStatus.PAUSED: "⏸", AccountStatus.ERROR: "⚠️"}
ID_SELECT, ID_ADD, ID_BACK, ID_TO_LIST, ID_TO_CARD = "a", "add", "back", "list", "card"
ID_PICK, ID_RELINK, ID_PAUSE, ID_RESUME, ID_REMOVE, ID_REMOVE_YES, ID_CHANGE_ID, ID_LATER = (
    "pb",
    "rl",
    "pause",
    "resume",
    "rm",
    "rmy",
    "cid",
    "later",
)


# ---------------------------------------------------------------- getters


async def own_account(manager: DialogManager, account_id: int | None) -> AvitoAccount | None:
    """The account if it belongs to the caller's workspace, else None (the handlers refuse it)."""
    workspace_id = workspace_of(manager)
    if workspace_id is None or account_id is None:
        return None
    async with services_of(manager).db.session() as session:
        return await AccountRepo(session).get(workspace_id, account_id)


def _error_text(manager: DialogManager, code: str | None) -> str:
    t = t_of(manager)
    if not code:
        return ""
    key = f"account-error-{code}"
    return t(key) if t.has(key) else t("account-error-other", code=code)


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    workspace_id = workspace_of(dialog_manager)
    items = []
    if workspace_id is not None:
        async with services_of(dialog_manager).db.session() as session:
            for row in await AccountRepo(session).list(workspace_id):
                name = row.name or str(row.avito_user_id)
                items.append({"id": row.id, "label": f"{ICONS.get(row.status, '•')} {name}"})
    return {
        "accounts": items,
        "has_accounts": bool(items),
        "notice": Html(dialog_manager.dialog_data.pop("notice", "")),
    }


async def get_add(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    error = dialog_manager.dialog_data.pop("error", "")
    return {
        "error": Html(t_of(dialog_manager)(error) if error else ""),
        "client_id": dialog_manager.dialog_data.get("client_id", ""),
    }


async def _active_bots(manager: DialogManager) -> list[dict[str, Any]]:
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return []
    async with services_of(manager).db.session() as session:
        rows = await BotRepo(session).list(workspace_id)
    return [{"id": row.id, "label": f"@{row.username}"} for row in rows if row.status == BotStatus.ACTIVE]


async def get_pick(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    card = await get_card(dialog_manager)
    bots = await _active_bots(dialog_manager)
    return {**card, "bots": bots, "has_bots": bool(bots)}


async def get_card(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    services = services_of(dialog_manager)
    notice = Html(dialog_manager.dialog_data.pop("notice", ""))
    row = await own_account(dialog_manager, dialog_manager.dialog_data.get("account_id"))
    if row is None:
        return {"found": False, "notice": notice}
    bot_name = ""
    if row.bot_id is not None:
        async with services.db.session() as session:
            bot = await BotRepo(session).get(row.workspace_id, row.bot_id)
        bot_name = f"@{bot.username}" if bot else ""
    return {
        "found": True,
        "notice": notice,
        "name": row.name or str(row.avito_user_id),
        "avito_id": str(row.avito_user_id),
        "client_id": row.client_id,
        "status": t(f"account-status-{row.status}"),
        "running": row.status == AccountStatus.ACTIVE,
        "stopped": row.status in (AccountStatus.PAUSED, AccountStatus.ERROR),
        "mode": t("cabinet-mode-webhook" if services.config.public_url else "cabinet-mode-polling"),
        "bot": bot_name,
        "has_bot": bool(bot_name),
        "last_success": when(t, row.last_success_at),
        "has_error": bool(row.last_error),
        "error": _error_text(dialog_manager, row.last_error),
        "error_at": when(t, row.last_error_at),
        "backlog": row.unread_backlog or 0,
    }


# ---------------------------------------------------------------- handlers


async def _open_card(manager: DialogManager, account_id: int) -> None:
    manager.dialog_data["account_id"] = account_id
    await manager.switch_to(AccountsSG.card)


async def on_account_selected(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    row = await own_account(manager, parse_id(item_id))
    if row is None:
        await refuse(callback, manager)
        return
    await _open_card(manager, row.id)


async def on_typed_id(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    item_id = await typed_id(message, manager)
    if item_id is None:
        return
    row = await own_account(manager, item_id)
    if row is None:
        await refuse(message, manager)
        return
    await _open_card(manager, row.id)


async def on_client_id(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    client_id = (message.text or "").strip()
    if not CLIENT_ID_RE.match(client_id):
        manager.dialog_data["error"] = "accounts-error-client-id"
        return
    manager.dialog_data["client_id"] = client_id
    await manager.switch_to(AccountsSG.add_secret)


async def on_secret(message: Message, _: Any, manager: DialogManager) -> None:
    secret = (message.text or "").strip()
    await delete_quietly(message)  # the secret leaves the chat before anything else happens
    manager.show_mode = ShowMode.DELETE_AND_SEND
    workspace_id = workspace_of(manager)
    client_id = manager.dialog_data.get("client_id")
    if workspace_id is None or not client_id:
        await manager.switch_to(AccountsSG.add_client_id)
        return
    if not secret or len(secret) > 256 or any(ch.isspace() for ch in secret):
        manager.dialog_data["error"] = "accounts-error-secret-format"
        return
    with contextlib.suppress(TelegramAPIError):  # Avito may take a second
        await message.bot.send_chat_action(message.chat.id, ChatAction.TYPING)
    result = await accounts.add_account(
        services_of(manager), workspace_id, actor_of(manager), client_id, secret
    )
    if result.account_id is None:
        manager.dialog_data["error"] = f"accounts-error-{result.status.value}"
        return
    t = t_of(manager)
    manager.dialog_data.pop("client_id", None)
    manager.dialog_data["account_id"] = result.account_id
    key = "accounts-added" if result.status is AddAccount.ADDED else "accounts-updated"
    manager.dialog_data["notice"] = t(key, name=html.escape(result.name))
    await manager.switch_to(AccountsSG.pick_bot if result.choose_bot else AccountsSG.card)


async def on_bot_picked(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    workspace_id = workspace_of(manager)
    account_id = manager.dialog_data.get("account_id")
    bot_id = parse_id(item_id)
    if workspace_id is None or account_id is None or bot_id is None:
        await refuse(callback, manager)
        return
    if not await accounts.link_account(
        services_of(manager), workspace_id, actor_of(manager), account_id, bot_id
    ):
        await refuse(callback, manager)
        return
    manager.dialog_data["notice"] = t_of(manager)("account-linked")
    await manager.switch_to(AccountsSG.card)


async def _set_paused(callback: CallbackQuery, manager: DialogManager, paused: bool) -> None:
    workspace_id = workspace_of(manager)
    account_id = manager.dialog_data.get("account_id")
    ok = workspace_id is not None and account_id is not None
    if ok:
        ok = await accounts.set_account_paused(
            services_of(manager), workspace_id, actor_of(manager), account_id, paused
        )
    if not ok:
        await refuse(callback, manager)
        return
    manager.dialog_data["notice"] = t_of(manager)("account-paused" if paused else "account-resumed")


async def on_pause(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _set_paused(callback, manager, True)


async def on_resume(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _set_paused(callback, manager, False)


async def on_remove(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    workspace_id = workspace_of(manager)
    row = await own_account(manager, manager.dialog_data.get("account_id"))
    if workspace_id is None or row is None:
        await refuse(callback, manager)
        await manager.switch_to(AccountsSG.list)
        return
    await accounts.remove_account(services_of(manager), workspace_id, actor_of(manager), row.id)
    manager.dialog_data.pop("account_id", None)
    name = html.escape(row.name or str(row.avito_user_id))
    manager.dialog_data["notice"] = t_of(manager)("account-removed", name=name)
    await manager.switch_to(AccountsSG.list)


async def on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict) and isinstance(start_data.get("account_id"), int):
        manager.dialog_data["account_id"] = start_data["account_id"]


# ---------------------------------------------------------------- windows


def accounts_dialog() -> Dialog:
    """The Avito accounts dialog (a new instance per dispatcher)."""

    def _bot_select() -> Column:
        return Column(choice(ID_PICK, "bots", on_bot_picked))

    list_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("accounts-title"),
            T("accounts-empty", when=~F["has_accounts"]),
        ),
        Column(
            choice(ID_SELECT, "accounts", on_account_selected),
        ),
        SwitchTo(T("accounts-add"), id=ID_ADD, state=AccountsSG.add_client_id),
        Cancel(T("cabinet-back"), id=ID_BACK),
        MessageInput(on_typed_id, content_types=ContentType.TEXT),
        state=AccountsSG.list,
        getter=get_list,
    )

    client_id_window = Window(
        Blocks(Format("{error}", when="error"), T("accounts-add-client-id")),
        SwitchTo(T("cabinet-back"), id=ID_TO_LIST, state=AccountsSG.list),
        MessageInput(on_client_id, content_types=ContentType.ANY),
        state=AccountsSG.add_client_id,
        getter=get_add,
    )

    secret_window = Window(
        Blocks(Format("{error}", when="error"), T("accounts-add-secret")),
        SwitchTo(T("accounts-change-client-id"), id=ID_CHANGE_ID, state=AccountsSG.add_client_id),
        SwitchTo(T("cabinet-back"), id=ID_TO_LIST, state=AccountsSG.list),
        MessageInput(on_secret, content_types=ContentType.ANY),
        state=AccountsSG.add_secret,
        getter=get_add,
    )

    pick_bot_window = Window(
        Blocks(Format("{notice}", when="notice"), T("accounts-pick-bot")),
        _bot_select(),
        SwitchTo(T("accounts-pick-later"), id=ID_LATER, state=AccountsSG.card),
        state=AccountsSG.pick_bot,
        getter=get_pick,
    )

    card_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("account-card", when="found"),
            T("account-card-no-bot", when=F["found"] & ~F["has_bot"]),
            T("account-card-error", when="has_error"),
        ),
        Row(
            Button(T("account-pause"), id=ID_PAUSE, on_click=on_pause, when="running"),
            Button(T("account-resume"), id=ID_RESUME, on_click=on_resume, when="stopped"),
            SwitchTo(T("account-relink"), id=ID_RELINK, state=AccountsSG.relink, when="found"),
        ),
        SwitchTo(T("account-remove"), id=ID_REMOVE, state=AccountsSG.confirm_remove, when="found"),
        SwitchTo(T("cabinet-back"), id=ID_TO_LIST, state=AccountsSG.list),
        state=AccountsSG.card,
        getter=get_card,
    )

    relink_window = Window(
        T("accounts-pick-bot", when="has_bots"),
        T("accounts-no-bots", when=~F["has_bots"]),
        _bot_select(),
        SwitchTo(T("cabinet-back"), id=ID_TO_CARD, state=AccountsSG.card),
        state=AccountsSG.relink,
        getter=get_pick,
    )

    confirm_remove_window = confirmation(
        "account-remove-confirm",
        "account-remove-yes",
        ID_REMOVE_YES,
        on_remove,
        state=AccountsSG.confirm_remove,
        back_to=AccountsSG.card,
        getter=get_card,
    )

    return Dialog(
        list_window,
        client_id_window,
        secret_window,
        pick_bot_window,
        card_window,
        relink_window,
        confirm_remove_window,
        on_start=on_start,
    )
