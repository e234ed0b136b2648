"""Quick replies: the owner's answer templates for managers (a title and a text with variables).

Add (title, then text), open one, edit its text, delete it. Every change is a use case of
`tuberry.app.quick_replies` on the caller's own workspace; a refused input leaves its reasons in
dialog_data["error"] and changes nothing. Managers use the templates in topics (`/q`, inline mode).
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Cancel, Column, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.app import quick_replies
from tuberry.app.i18n import Translator
from tuberry.bot.common.ids import parse_number
from tuberry.bot.master.dialogs.common import actor_of, refuse, services_of, t_of, workspace_of
from tuberry.bot.master.states import QuickRepliesSG
from tuberry.bot.master.template_problems import problem_text
from tuberry.bot.master.widgets import Blocks, Html, T, choice, confirmation

ID_PICK, ID_ADD, ID_BACK, ID_TO_LIST, ID_EDIT, ID_DELETE, ID_DELETE_YES, ID_TO_CARD = (
    "qrp",
    "qra",
    "back",
    "qrl",
    "qre",
    "qrd",
    "qrdy",
    "qrc",
)
ID_MAX = 2**31 - 1


def _reply_id(manager: DialogManager) -> int | None:
    value = manager.dialog_data.get("reply_id")
    return value if isinstance(value, int) else None


def _refusal(t: Translator, saved: quick_replies.Saved) -> str:
    if saved.title_problem is not None:
        return t(f"qr-title-{saved.title_problem.value}", limit=str(quick_replies.TITLE_LIMIT))
    lines = [t("qr-text-rejected"), *(f"• {problem_text(t, p, 'qr')}" for p in saved.text_problems)]
    return "\n".join(lines)


# ---------------------------------------------------------------- getters


async def get_list(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    notice = Html(dialog_manager.dialog_data.pop("notice", ""))
    workspace_id = workspace_of(dialog_manager)
    if workspace_id is None:
        return {"found": False, "notice": notice, "replies": [], "empty": False, "count": 0}
    replies = await quick_replies.list_quick_replies(services_of(dialog_manager), workspace_id)
    return {
        "found": True,
        "notice": notice,
        "empty": not replies,
        "count": len(replies),
        "replies": [{"id": r.id, "label": r.title} for r in replies],
    }


async def get_card(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    notice = Html(dialog_manager.dialog_data.pop("notice", ""))
    error = Html(dialog_manager.dialog_data.pop("error", ""))
    workspace_id, reply_id = workspace_of(dialog_manager), _reply_id(dialog_manager)
    reply = None
    if workspace_id is not None and reply_id is not None:
        reply = await quick_replies.get_quick_reply(services_of(dialog_manager), workspace_id, reply_id)
    if reply is None:
        return {"found": False, "notice": notice, "error": error}
    return {"found": True, "notice": notice, "error": error, "title": reply.title, "text": reply.text}


async def get_input(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {
        "error": Html(dialog_manager.dialog_data.pop("error", "")),
        "title": str(dialog_manager.dialog_data.get("title", "")),
        "limit": str(quick_replies.TITLE_LIMIT),
    }


# ---------------------------------------------------------------- handlers


async def on_pick(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    reply_id = parse_number(item_id, ID_MAX)
    if reply_id is None:
        await refuse(callback, manager)
        return
    manager.dialog_data["reply_id"] = reply_id
    await manager.switch_to(QuickRepliesSG.card)


async def on_title(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    t = t_of(manager)
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        await refuse(message, manager)
        return
    if message.text is None:
        manager.dialog_data["error"] = t("qr-error-not-text")
        return
    problem = await quick_replies.title_taken(services_of(manager), workspace_id, message.text)
    if problem is not None:
        manager.dialog_data["error"] = t(f"qr-title-{problem.value}", limit=str(quick_replies.TITLE_LIMIT))
        return
    manager.dialog_data["title"] = " ".join(message.text.split())
    await manager.switch_to(QuickRepliesSG.add_text)


async def on_new_text(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    t = t_of(manager)
    workspace_id = workspace_of(manager)
    title = manager.dialog_data.get("title")
    if workspace_id is None or not isinstance(title, str):
        await refuse(message, manager)
        return
    if message.text is None:
        manager.dialog_data["error"] = t("qr-error-not-text")
        return
    saved = await quick_replies.add_quick_reply(
        services_of(manager), workspace_id, actor_of(manager), title, message.text
    )
    if saved.reply is None:
        manager.dialog_data["error"] = _refusal(t, saved)
        if saved.title_problem is not None:  # taken meanwhile: ask for another title
            await manager.switch_to(QuickRepliesSG.add_title)
        return
    manager.dialog_data.pop("title", None)
    manager.dialog_data["notice"] = t("qr-added", title=html.escape(saved.reply.title, quote=False))
    await manager.switch_to(QuickRepliesSG.list)


async def on_edited_text(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    t = t_of(manager)
    workspace_id, reply_id = workspace_of(manager), _reply_id(manager)
    if workspace_id is None or reply_id is None:
        await refuse(message, manager)
        return
    if message.text is None:
        manager.dialog_data["error"] = t("qr-error-not-text")
        return
    saved = await quick_replies.edit_quick_reply_text(
        services_of(manager), workspace_id, actor_of(manager), reply_id, message.text
    )
    if saved.not_found:
        await refuse(message, manager)
        await manager.switch_to(QuickRepliesSG.list)
        return
    if saved.reply is None:
        manager.dialog_data["error"] = _refusal(t, saved)
        return
    manager.dialog_data["notice"] = t("qr-saved")
    await manager.switch_to(QuickRepliesSG.card)


async def on_delete(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    workspace_id, reply_id = workspace_of(manager), _reply_id(manager)
    deleted = False
    if workspace_id is not None and reply_id is not None:
        deleted = await quick_replies.delete_quick_reply(
            services_of(manager), workspace_id, actor_of(manager), reply_id
        )
    if not deleted:
        await refuse(callback, manager)
    else:
        manager.dialog_data["notice"] = t_of(manager)("qr-deleted")
    await manager.switch_to(QuickRepliesSG.list)


# ---------------------------------------------------------------- windows


def quick_replies_dialog() -> Dialog:
    """The Quick replies screen (a new instance per dispatcher)."""
    listing = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("qr-title", when="found"),
            T("qr-empty", when="empty"),
        ),
        Column(choice(ID_PICK, "replies", on_pick)),
        SwitchTo(T("qr-btn-add"), id=ID_ADD, state=QuickRepliesSG.add_title, when="found"),
        Cancel(T("cabinet-back"), id=ID_BACK),
        state=QuickRepliesSG.list,
        getter=get_list,
    )
    add_title = Window(
        Blocks(Format("{error}", when="error"), T("qr-ask-title")),
        SwitchTo(T("cabinet-cancel"), id=ID_TO_LIST, state=QuickRepliesSG.list),
        MessageInput(on_title, content_types=ContentType.ANY),
        state=QuickRepliesSG.add_title,
        getter=get_input,
    )
    add_text = Window(
        Blocks(Format("{error}", when="error"), T("qr-ask-text")),
        SwitchTo(T("cabinet-cancel"), id=ID_TO_LIST, state=QuickRepliesSG.list),
        MessageInput(on_new_text, content_types=ContentType.ANY),
        state=QuickRepliesSG.add_text,
        getter=get_input,
    )
    card = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("qr-card", when="found"),
        ),
        Row(
            SwitchTo(T("qr-btn-edit"), id=ID_EDIT, state=QuickRepliesSG.edit_text),
            SwitchTo(T("qr-btn-delete"), id=ID_DELETE, state=QuickRepliesSG.confirm_delete),
            when="found",
        ),
        SwitchTo(T("cabinet-back"), id=ID_TO_LIST, state=QuickRepliesSG.list),
        state=QuickRepliesSG.card,
        getter=get_card,
    )
    edit_text = Window(
        Blocks(Format("{error}", when="error"), T("qr-ask-new-text")),
        SwitchTo(T("cabinet-cancel"), id=ID_TO_CARD, state=QuickRepliesSG.card),
        MessageInput(on_edited_text, content_types=ContentType.ANY),
        state=QuickRepliesSG.edit_text,
        getter=get_card,
    )
    confirm_delete = confirmation(
        "qr-delete-confirm",
        "qr-delete-yes",
        ID_DELETE_YES,
        on_delete,
        state=QuickRepliesSG.confirm_delete,
        back_to=QuickRepliesSG.card,
        getter=get_card,
    )
    return Dialog(listing, add_title, add_text, card, edit_text, confirm_delete)
