"""Waiting alerts: on/off and after how many minutes of waiting the managers are alerted.

Every change is a use case of `tuberry.app.waiting_settings` on the caller's own workspace (as resolved by
the middleware). Typed minutes are checked here; a refused input leaves its reason in dialog_data["error"].
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import F
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.app import waiting_settings
from tuberry.app.waiting_settings import CHOICES, MAX_MINUTES, MIN_MINUTES
from tuberry.bot.common.ids import parse_number
from tuberry.bot.master.dialogs.common import actor_of, refuse, services_of, t_of, workspace_of
from tuberry.bot.master.states import WaitingSG
from tuberry.bot.master.widgets import Blocks, Html, T, choice

ID_ON, ID_OFF, ID_MINUTES, ID_TYPE, ID_BACK, ID_TO_MAIN = "on", "off", "m", "type", "back", "main"


# ---------------------------------------------------------------- getters


async def get_main(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    t = t_of(dialog_manager)
    notice = Html(dialog_manager.dialog_data.pop("notice", ""))
    workspace_id = workspace_of(dialog_manager)
    settings = None
    if workspace_id is not None:
        settings = await waiting_settings.load(services_of(dialog_manager), workspace_id)
    if settings is None:
        return {"found": False, "notice": notice, "enabled": False, "choices": []}
    choices = [
        {
            "id": index,
            "label": ("✓ " if minutes == settings.minutes else "")
            + t("waiting-btn-minutes", minutes=str(minutes)),
        }
        for index, minutes in enumerate(CHOICES)
    ]
    return {
        "found": True,
        "notice": notice,
        "enabled": settings.enabled,
        "state": "yes" if settings.enabled else "no",
        "minutes": str(settings.minutes),  # a string: Fluent would print 1440 as "1 440" in Russian
        "choices": choices,
    }


async def get_minutes(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {
        "error": Html(dialog_manager.dialog_data.pop("error", "")),
        "min": str(MIN_MINUTES),
        "max": str(MAX_MINUTES),
    }


# ---------------------------------------------------------------- handlers


async def _switch(callback: CallbackQuery, manager: DialogManager, enabled: bool) -> None:
    workspace_id = workspace_of(manager)
    saved = None
    if workspace_id is not None:
        saved = await waiting_settings.set_enabled(
            services_of(manager), workspace_id, actor_of(manager), enabled
        )
    if saved is None:
        await refuse(callback, manager)
        return
    manager.dialog_data["notice"] = t_of(manager)("waiting-saved-on" if enabled else "waiting-saved-off")


async def on_enable(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _switch(callback, manager, True)


async def on_disable(callback: CallbackQuery, _: Any, manager: DialogManager) -> None:
    await _switch(callback, manager, False)


async def _set_minutes(event: CallbackQuery | Message, manager: DialogManager, minutes: int) -> None:
    workspace_id = workspace_of(manager)
    saved = None
    if workspace_id is not None:
        saved = await waiting_settings.set_minutes(
            services_of(manager), workspace_id, actor_of(manager), minutes
        )
    if saved is None:
        await refuse(event, manager)
        return
    manager.dialog_data["notice"] = t_of(manager)("waiting-saved-minutes", minutes=str(minutes))
    await manager.switch_to(WaitingSG.main)


async def on_choice(callback: CallbackQuery, _: Any, manager: DialogManager, item_id: str) -> None:
    index = parse_number(item_id, len(CHOICES) - 1)
    if index is None:
        await refuse(callback, manager)
        return
    await _set_minutes(callback, manager, CHOICES[index])


async def on_typed(message: Message, _: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.DELETE_AND_SEND
    text = (message.text or "").strip()
    minutes = parse_number(text, MAX_MINUTES)
    if minutes is None or not waiting_settings.valid_minutes(minutes):
        shown = html.escape(text[:40], quote=False)
        manager.dialog_data["error"] = t_of(manager)(
            "waiting-error-minutes", text=shown, min=str(MIN_MINUTES), max=str(MAX_MINUTES)
        )
        return
    await _set_minutes(message, manager, minutes)


# ---------------------------------------------------------------- windows


def waiting_dialog() -> Dialog:
    """The Waiting alerts screen (a new instance per dispatcher)."""
    main_window = Window(
        Blocks(
            Format("{notice}", when="notice"),
            T("cabinet-not-found", when=~F["found"]),
            T("waiting-title", when="found"),
            T("waiting-state", when="found"),
            T("waiting-hint", when="found"),
        ),
        Row(
            Button(T("waiting-btn-on"), id=ID_ON, on_click=on_enable, when=F["found"] & ~F["enabled"]),
            Button(T("waiting-btn-off"), id=ID_OFF, on_click=on_disable, when="enabled"),
        ),
        Group(choice(ID_MINUTES, "choices", on_choice), width=4, when="found"),
        SwitchTo(T("waiting-btn-type"), id=ID_TYPE, state=WaitingSG.minutes, when="found"),
        Cancel(T("cabinet-back"), id=ID_BACK),
        state=WaitingSG.main,
        getter=get_main,
    )
    minutes_window = Window(
        Blocks(Format("{error}", when="error"), T("waiting-minutes-prompt")),
        SwitchTo(T("cabinet-back"), id=ID_TO_MAIN, state=WaitingSG.main),
        MessageInput(on_typed, content_types=ContentType.ANY),
        state=WaitingSG.minutes,
        getter=get_minutes,
    )
    return Dialog(main_window, minutes_window)
