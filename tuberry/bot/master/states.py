"""Every state of the cabinet, plus typed helpers that open a feature at a given item.

`start_data` carries ids only: a dialog re-reads the item, scoped to the caller's workspace, when it renders.
"""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram_dialog import DialogManager, ShowMode, StartMode


class MenuSG(StatesGroup):
    main = State()


class BotsSG(StatesGroup):
    list = State()
    add_token = State()
    card = State()
    confirm_unbind = State()
    confirm_disconnect = State()
    managers = State()  # who may answer buyers
    confirm_clear_managers = State()


class AccountsSG(StatesGroup):
    list = State()
    add_client_id = State()
    add_secret = State()
    pick_bot = State()
    card = State()
    relink = State()
    confirm_remove = State()


class AutoReplySG(StatesGroup):
    main = State()
    hours = State()
    weekdays = State()  # "same every weekday": one range for Monday..Friday
    day = State()
    zone = State()
    text = State()


class StatsSG(StatesGroup):
    main = State()


class LanguageSG(StatesGroup):
    main = State()


class HelpSG(StatesGroup):
    main = State()


async def start_menu(manager: DialogManager, show_mode: ShowMode | None = None) -> None:
    await manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=show_mode)


async def start_bot_card(manager: DialogManager, bot_id: int) -> None:
    """Open the card of one bot; the card refuses a bot of another workspace when it renders."""
    await manager.start(BotsSG.card, data={"bot_id": bot_id})


async def start_account_card(manager: DialogManager, account_id: int) -> None:
    await manager.start(AccountsSG.card, data={"account_id": account_id})
