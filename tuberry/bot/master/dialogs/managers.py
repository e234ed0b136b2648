"""A bot's "who may answer buyers" windows, part of the Bots dialog (the bot id is in its dialog_data).

People are added in the group (the owner replies `/manager` to their message): Telegram bots cannot look a
user up by @username. Here the owner sees the mode and the list, removes people and allows everyone again.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.app import managers
from tuberry.bot.common.ids import TELEGRAM_ID_MAX, parse_number
from tuberry.bot.common.manager_texts import render_list, who
from tuberry.bot.master.dialogs.common import actor_of, refuse, services_of, t_of, workspace_of
from tuberry.bot.master.states import BotsSG
from tuberry.bot.master.widgets import Blocks, Html, T, choice, confirmation
from tuberry.storage.models import ClientBot
from tuberry.storage.repos import BotRepo

ID_REMOVE, ID_CLEAR, ID_CLEAR_YES, ID_TO_CARD = "mrm", "mall", "mally", "mcard"


def user_id_of(item_id: str) -> int:
    """The Select's item id as a Telegram user id; 0 (never listed) for anything forged."""
    return parse_number(item_id, TELEGRAM_ID_MAX) or 0


def _scope(manager: DialogManager) -> tuple[int, int] | None:
    workspace_id = workspace_of(manager)
    bot_id = manager.dialog_data.get("bot_id")
    if workspace_id is None or not isinstance(bot_id, int):
        return None
    return workspace_id, bot_id


async def _own_bot(manager: DialogManager) -> ClientBot | None:
    scope = _scope(manager)
    if scope is None:
        return None
    async with services_of(manager).db.session() as session:
        return await BotRepo(session).get(*scope)


# ---------------------------------------------------------------- getters


async def get_managers(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    notice = Html(dialog_manager.dialog_data.pop("notice", ""))
    row = await _own_bot(dialog_manager)
    if row is None:
        return {"found": False, "notice": notice, "restricted": False, "bound": False, "managers": []}
    listed = managers.managers_of(row)
    owner_id = actor_of(dialog_manager)
    return {
        "found": True,
        "notice": notice,
        "username": row.username,
        "bound": row.group_chat_id is not None,
        "group": row.group_title or str(row.group_chat_id),
        "restricted": bool(listed),
        "count": len(listed),
        "list": Html(render_list(t, listed)),
        "owner_not_listed": bool(listed) and all(m.user_id != owner_id for m in listed),
        "managers": [
            {"id": m.user_id, "label": t("managers-remove-item", name=m.name or str(m.user_id))}
            for m in listed
        ],
    }


# ---------------------------------------------------------------- handlers


async def on_remove(callback: CallbackQuery, _: Any, manager: DialogManager, user_id: int) -> None:
    scope = _scope(manager)
    outcome = None
    if scope is not None and user_id > 0:
        outcome = await managers.remove_manager(services_of(manager), *scope, actor_of(manager), user_id)
    if outcome is None or outcome.change is not managers.Change.REMOVED:
        # Not this workspace's bot, or not on its list (a forged or stale button): nothing to tell.
        await refuse(callback, manager)
        return
    t = t_of(manager)
    key = "managers-removed-notice-last" if outcome.left == 0 else "managers-removed-notice"
    manager.dialog_data["notice"] = t(key, name=who(outcome.name, user_id))


async def on_clear(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    scope = _scope(manager)
    outcome = None
    if scope is not None:
        outcome = await managers.clear_managers(services_of(manager), *scope, actor_of(manager))
    if outcome is None:
        await refuse(callback, manager)
    else:
        manager.dialog_data["notice"] = t_of(manager)("managers-cleared")
    await manager.switch_to(BotsSG.managers)


# ---------------------------------------------------------------- windows


def managers_windows() -> list[Window]:
    """The list with its actions and the "allow everyone" confirmation (new instances per dialog)."""
    listing = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("managers-title", when="found"),
            T("managers-mode-everyone", when=F["found"] & ~F["restricted"]),
            T("managers-mode-only", when="restricted"),
            T("managers-owner-not-listed-cabinet", when="owner_not_listed"),
            T("managers-how-to-add", when="bound"),
            T("managers-no-group", when=F["found"] & ~F["bound"]),
            T("managers-remove-hint", when="restricted"),
        ),
        Column(
            choice(ID_REMOVE, "managers", on_remove, type_factory=user_id_of),
        ),
        SwitchTo(
            T("managers-allow-everyone"),
            id=ID_CLEAR,
            state=BotsSG.confirm_clear_managers,
            when="restricted",
        ),
        SwitchTo(T("cabinet-back"), id=ID_TO_CARD, state=BotsSG.card),
        state=BotsSG.managers,
        getter=get_managers,
    )
    confirm_clear = confirmation(
        "managers-clear-confirm",
        "managers-clear-yes",
        ID_CLEAR_YES,
        on_clear,
        state=BotsSG.confirm_clear_managers,
        back_to=BotsSG.managers,
        getter=get_managers,
    )
    return [listing, confirm_clear]
