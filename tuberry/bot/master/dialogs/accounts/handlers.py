"""What the accounts buttons and typed messages do: open a card, add an account, link, pause, remove.

Every id from a button or a message is checked against the caller's own workspace (`own_account`);
the changes themselves are use cases in `actions`.
"""

from __future__ import annotations

import contextlib
import html
from typing import Any

from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode

from tuberry.bot.common.ids import parse_id
from tuberry.bot.master import actions
from tuberry.bot.master.actions import CLIENT_ID_RE, AddAccount
from tuberry.bot.master.dialogs.accounts.getters import own_account
from tuberry.bot.master.dialogs.common import (
    actor_of,
    delete_quietly,
    refuse,
    services_of,
    t_of,
    typed_id,
    workspace_of,
)
from tuberry.bot.master.states import AccountsSG


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
    result = await actions.add_account(
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
    if not await actions.link_account(
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
        ok = await actions.set_account_paused(
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
    await actions.remove_account(services_of(manager), workspace_id, actor_of(manager), row.id)
    manager.dialog_data.pop("account_id", None)
    name = html.escape(row.name or str(row.avito_user_id))
    manager.dialog_data["notice"] = t_of(manager)("account-removed", name=name)
    await manager.switch_to(AccountsSG.list)


async def on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict) and isinstance(start_data.get("account_id"), int):
        manager.dialog_data["account_id"] = start_data["account_id"]
