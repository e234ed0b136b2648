"""Bots: the list, connecting a bot by its token, the bot's card with its group, unbind and disconnect;
who may answer buyers (dialogs/managers.py)."""

from __future__ import annotations

import html
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, SwitchTo, Url
from aiogram_dialog.widgets.text import Format

from tuberry.app import binding, bots
from tuberry.app.bots import Connect
from tuberry.bot.common.binding_texts import render_bind_result, rights_text
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
from tuberry.bot.master.dialogs.managers import managers_windows
from tuberry.bot.master.states import BotsSG
from tuberry.bot.master.widgets import Blocks, Html, T, choice, confirmation
from tuberry.storage.models import BotStatus, ClientBot
from tuberry.storage.repos import AccountRepo, BotRepo
from tuberry.telegram.deep_links import private_link, startgroup_link

ID_SELECT, ID_ADD, ID_BACK, ID_TO_LIST = "b", "add", "back", "list"
ID_RECHECK, ID_UNBIND, ID_UNBIND_YES, ID_DISCONNECT, ID_DISCONNECT_YES = "chk", "unb", "unby", "dis", "disy"
ID_GROUP_LINK, ID_PRIVATE_LINK = "grp", "pm"
ID_MANAGERS = "mgr"


def _icon(row: ClientBot) -> str:
    if row.status != BotStatus.ACTIVE:
        return "⛔"
    if row.group_chat_id is None:
        return "⚪"
    return "⚠️" if row.missing_rights else "✅"


async def _own_bot(manager: DialogManager, bot_id: int | None) -> ClientBot | None:
    workspace_id = workspace_of(manager)
    if workspace_id is None or bot_id is None:
        return None
    async with services_of(manager).db.session() as session:
        return await BotRepo(session).get(workspace_id, bot_id)


# ---------------------------------------------------------------- getters


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    workspace_id = workspace_of(dialog_manager)
    rows: list[ClientBot] = []
    if workspace_id is not None:
        async with services_of(dialog_manager).db.session() as session:
            rows = await BotRepo(session).list(workspace_id)
    items = []
    for row in rows:
        group = row.group_title or t("bots-no-group")
        items.append({"id": row.id, "label": f"{_icon(row)} @{row.username} · {group}"})
    return {
        "bots": items,
        "has_bots": bool(items),
        "notice": Html(dialog_manager.dialog_data.pop("notice", "")),
    }


async def get_add(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    error = dialog_manager.dialog_data.pop("error", "")
    return {"error": Html(t_of(dialog_manager)(error) if error else "")}


async def get_card(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    services = services_of(dialog_manager)
    row = await _own_bot(dialog_manager, dialog_manager.dialog_data.get("bot_id"))
    notice = Html(dialog_manager.dialog_data.pop("notice", ""))
    if row is None:
        return {"found": False, "notice": notice}
    async with services.db.session() as session:
        accounts = len(await AccountRepo(session).of_bot(row.id))
    problems = [right for right in row.missing_rights or [] if right != binding.MANAGE_TOPICS]
    return {
        "found": True,
        "notice": notice,
        "username": row.username,
        "status": t(f"bot-status-{row.status}"),
        "detail": row.status_detail or "",
        "active": row.status == BotStatus.ACTIVE,
        "bound": row.group_chat_id is not None,
        "group": row.group_title or str(row.group_chat_id),
        "group_id": str(row.group_chat_id),
        "no_topics_right": binding.MANAGE_TOPICS in (row.missing_rights or []),
        "missing": rights_text(t, problems),
        "has_missing": bool(problems),
        "mode": t("cabinet-mode-webhook" if services.config.public_url else "cabinet-mode-polling"),
        "last_update": when(t, row.last_update_at),
        "accounts": accounts,
        "managers": len(row.manager_ids or []),
        "startgroup_url": startgroup_link(row.username, binding.WANTED_RIGHTS),
        "private_url": private_link(row.username),
    }


# ---------------------------------------------------------------- handlers


async def on_bot_selected(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    row = await _own_bot(manager, parse_id(item_id))
    if row is None:
        await refuse(callback, manager)
        return
    manager.dialog_data["bot_id"] = row.id
    await manager.switch_to(BotsSG.card)


async def on_typed_id(message: Message, widget: Any, manager: DialogManager) -> None:
    """An owner may type a bot's number instead of pressing its button, or paste a token right here."""
    if bots.TOKEN_RE.match((message.text or "").strip()):
        await on_token(message, widget, manager)
        return
    manager.show_mode = ShowMode.DELETE_AND_SEND
    item_id = await typed_id(message, manager)
    if item_id is None:
        return
    row = await _own_bot(manager, item_id)
    if row is None:
        await refuse(message, manager)
        return
    manager.dialog_data["bot_id"] = row.id
    await manager.switch_to(BotsSG.card)


async def on_token(message: Message, _: Any, manager: DialogManager) -> None:
    token = (message.text or "").strip()
    # Whatever was sent, it may be a token: it leaves the chat before anything else happens.
    await delete_quietly(message)
    manager.show_mode = ShowMode.DELETE_AND_SEND
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        return
    result = await bots.connect_bot(services_of(manager), workspace_id, actor_of(manager), token)
    if result.bot_id is None:
        manager.dialog_data["error"] = f"bots-error-{result.status.value}"
        return
    t = t_of(manager)
    key = "bots-connected" if result.status is Connect.CONNECTED else "bots-updated"
    manager.dialog_data["bot_id"] = result.bot_id
    manager.dialog_data["notice"] = t(key, username=result.username)
    await manager.switch_to(BotsSG.card)


async def on_recheck(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    workspace_id = workspace_of(manager)
    bot_id = manager.dialog_data.get("bot_id")
    if workspace_id is None or bot_id is None:
        await refuse(callback, manager)
        return
    services = services_of(manager)
    result = await binding.recheck(services, workspace_id, bot_id, actor_of(manager))
    if result is None:
        await refuse(callback, manager)
        return
    manager.dialog_data["notice"] = render_bind_result(
        t_of(manager), result, master_username=services.master_username
    )


async def on_unbind(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    workspace_id = workspace_of(manager)
    bot_id = manager.dialog_data.get("bot_id")
    services = services_of(manager)
    if workspace_id is None or bot_id is None:
        await refuse(callback, manager)
        return
    if not await binding.unbind(services, workspace_id, bot_id, actor_of(manager)):
        await refuse(callback, manager)
    else:
        manager.dialog_data["notice"] = t_of(manager)("bot-unbound")
    await manager.switch_to(BotsSG.card)


async def on_disconnect(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    workspace_id = workspace_of(manager)
    row = await _own_bot(manager, manager.dialog_data.get("bot_id"))
    if workspace_id is None or row is None:
        await refuse(callback, manager)
        await manager.switch_to(BotsSG.list)
        return
    await bots.disconnect_bot(services_of(manager), workspace_id, actor_of(manager), row.id)
    manager.dialog_data.pop("bot_id", None)
    manager.dialog_data["notice"] = t_of(manager)("bot-disconnected", username=html.escape(row.username))
    await manager.switch_to(BotsSG.list)


# ---------------------------------------------------------------- windows


def bots_dialog() -> Dialog:
    """The Bots dialog (a new instance per dispatcher: aiogram routers attach to one parent only)."""
    list_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("bots-title"),
            T("bots-empty", when=~F["has_bots"]),
        ),
        Column(
            choice(ID_SELECT, "bots", on_bot_selected),
        ),
        SwitchTo(T("bots-add"), id=ID_ADD, state=BotsSG.add_token),
        Cancel(T("cabinet-back"), id=ID_BACK),
        MessageInput(on_typed_id, content_types=ContentType.TEXT),
        state=BotsSG.list,
        getter=get_list,
    )

    add_window = Window(
        Blocks(Format("{error}", when="error"), T("bots-add-prompt")),
        SwitchTo(T("cabinet-back"), id=ID_TO_LIST, state=BotsSG.list),
        MessageInput(on_token, content_types=ContentType.ANY),
        state=BotsSG.add_token,
        getter=get_add,
    )

    card_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("bot-card", when="found"),
            T("bot-card-group", when="bound"),
            T("bot-card-no-topics-right", when="no_topics_right"),
            T("bot-card-missing", when="has_missing"),
            T("managers-card-everyone", when=F["found"] & ~F["managers"]),
            T("managers-card-only", when="managers"),
            T("bot-card-how-to-bind", when=F["found"] & ~F["bound"]),
        ),
        Url(T("bot-add-to-group"), Format("{startgroup_url}"), id=ID_GROUP_LINK, when="active"),
        Url(T("bot-open-private"), Format("{private_url}"), id=ID_PRIVATE_LINK, when="active"),
        Row(
            Button(T("bot-recheck"), id=ID_RECHECK, on_click=on_recheck, when="bound"),
            SwitchTo(T("bot-unbind"), id=ID_UNBIND, state=BotsSG.confirm_unbind, when="bound"),
        ),
        SwitchTo(T("managers-button"), id=ID_MANAGERS, state=BotsSG.managers, when="found"),
        SwitchTo(T("bot-disconnect"), id=ID_DISCONNECT, state=BotsSG.confirm_disconnect, when="found"),
        SwitchTo(T("cabinet-back"), id=ID_TO_LIST, state=BotsSG.list),
        state=BotsSG.card,
        getter=get_card,
    )

    confirm_unbind_window = confirmation(
        "bot-unbind-confirm",
        "bot-unbind-yes",
        ID_UNBIND_YES,
        on_unbind,
        state=BotsSG.confirm_unbind,
        back_to=BotsSG.card,
        getter=get_card,
    )

    confirm_disconnect_window = confirmation(
        "bot-disconnect-confirm",
        "bot-disconnect-yes",
        ID_DISCONNECT_YES,
        on_disconnect,
        state=BotsSG.confirm_disconnect,
        back_to=BotsSG.card,
        getter=get_card,
    )

    return Dialog(
        list_window,
        add_window,
        card_window,
        confirm_unbind_window,
        confirm_disconnect_window,
        *managers_windows(),
    )
