"""Every state of the cabinet, plus a typed helper that opens an account's card (deep links).

`start_data` carries ids only: a dialog re-reads the item, scoped to the caller's workspace, when it renders.
"""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram_dialog import DialogManager


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


class WaitingSG(StatesGroup):
    main = State()
    minutes = State()  # typed minutes


class StatsSG(StatesGroup):
    main = State()


class TopicIconsSG(StatesGroup):
    main = State()
    pick = State()  # one status's icon


class LanguageSG(StatesGroup):
    main = State()


class HelpSG(StatesGroup):
    main = State()


class QuickRepliesSG(StatesGroup):
    list = State()
    add_title = State()
    add_text = State()
    card = State()
    edit_text = State()
    confirm_delete = State()


async def start_account_card(manager: DialogManager, account_id: int) -> None:
    """Open the card of one account; the card refuses an account of another workspace when it renders."""
    await manager.start(AccountsSG.card, data={"account_id": account_id})
