"""Topic icons: which of Telegram's forum topic icons shows each status (waiting, answered, closed).

The icons are Telegram's own set (getForumTopicIconStickers), shown as buttons with their emoji; a status
the owner never chose, or reset, shows the default (domain.topic_icons).
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, ScrollingGroup, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.app import topic_status
from tuberry.app.i18n import Translator
from tuberry.bot.master.dialogs.common import actor_of, refuse, services_of, t_of, workspace_of
from tuberry.bot.master.states import TopicIconsSG
from tuberry.bot.master.widgets import Blocks, T
from tuberry.domain.ticket import TopicStatus
from tuberry.domain.topic_icons import Icon, default_icon, emoji_of, wanted_icon
from tuberry.telegram.forum import TopicError

ID_ICON, ID_RESET, ID_BACK, ID_TO_MAIN = "icon", "reset", "back", "to_main"
STATUS_KEY = "status"


async def _icons(manager: DialogManager) -> tuple[Icon, ...]:
    try:
        return await topic_status.cabinet_icons(services_of(manager))
    except TopicError:
        return ()


def _shown(t: Translator, status: TopicStatus, choice: dict[str, str], icons: tuple[Icon, ...]) -> str:
    """What a status shows now, in words: the chosen emoji, or the default one marked as such."""
    chosen = choice.get(status.value)
    if chosen and emoji_of(chosen, icons):
        return emoji_of(chosen, icons) or ""
    default = emoji_of(default_icon(status, icons), icons)
    return t("icons-default", emoji=default) if default else t("icons-default-none")


async def get_main(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    workspace_id = workspace_of(dialog_manager)
    icons = await _icons(dialog_manager)
    choice = await topic_status.icon_choice(services_of(dialog_manager), workspace_id) if workspace_id else {}
    lines = [
        t("icons-line", status=t(f"icons-status-{status.value}"), emoji=_shown(t, status, choice, icons))
        for status in TopicStatus
    ]
    return {"lines": "\n".join(lines), "available": bool(icons), "unavailable": not icons}


async def get_pick(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    status = TopicStatus(dialog_manager.dialog_data.get(STATUS_KEY, TopicStatus.WAITING.value))
    workspace_id = workspace_of(dialog_manager)
    icons = await _icons(dialog_manager)
    choice = await topic_status.icon_choice(services_of(dialog_manager), workspace_id) if workspace_id else {}
    return {
        "status": t(f"icons-status-{status.value}"),
        "current": _shown(t, status, choice, icons),
        "icons": [{"id": icon.custom_emoji_id, "label": icon.emoji} for icon in icons],
        "unavailable": not icons,
    }


async def on_status(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data[STATUS_KEY] = button.widget_id
    await manager.switch_to(TopicIconsSG.pick)


async def _choose(callback: CallbackQuery, manager: DialogManager, icon: str | None) -> None:
    workspace_id = workspace_of(manager)
    if workspace_id is None:
        await refuse(callback, manager)
        return
    status = TopicStatus(manager.dialog_data.get(STATUS_KEY, TopicStatus.WAITING.value))
    if icon is not None and wanted_icon(status, {status.value: icon}, await _icons(manager)) != icon:
        await refuse(callback, manager)  # not (or no longer) one of Telegram's icons
        return
    await topic_status.choose_icon(services_of(manager), workspace_id, actor_of(manager), status, icon)
    await manager.switch_to(TopicIconsSG.main)


async def on_icon(callback: CallbackQuery, widget: Any, manager: DialogManager, icon_id: str) -> None:
    await _choose(callback, manager, icon_id)


async def on_reset(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await _choose(callback, manager, None)


def topic_icons_dialog() -> Dialog:
    """The Topic icons screen (a new instance per dispatcher)."""
    return Dialog(
        Window(
            Blocks(
                T("icons-title"),
                T("icons-intro"),
                Format("{lines}", when="available"),
                T("icons-unavailable", when="unavailable"),
            ),
            Column(
                *(
                    Button(T(f"icons-status-{status.value}"), id=status.value, on_click=on_status)
                    for status in TopicStatus
                ),
                when="available",
            ),
            Cancel(T("cabinet-back"), id=ID_BACK),
            state=TopicIconsSG.main,
            getter=get_main,
        ),
        Window(
            Blocks(T("icons-pick"), T("icons-unavailable", when="unavailable")),
            ScrollingGroup(
                Select(
                    Format("{item[label]}"),
                    id=ID_ICON,
                    item_id_getter=lambda item: item["id"],
                    items="icons",
                    on_click=on_icon,
                ),
                id="icons",
                width=6,
                height=6,
                hide_on_single_page=True,
            ),
            Button(T("icons-reset"), id=ID_RESET, on_click=on_reset),
            SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=TopicIconsSG.main),
            state=TopicIconsSG.pick,
            getter=get_pick,
        ),
    )
