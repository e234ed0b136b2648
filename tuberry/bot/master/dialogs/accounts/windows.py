"""The accounts windows and their widget ids, assembled into the Dialog."""

from __future__ import annotations

from aiogram import F
from aiogram.enums import ContentType
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from tuberry.bot.master.dialogs.accounts.getters import get_add, get_card, get_list, get_pick
from tuberry.bot.master.dialogs.accounts.handlers import (
    on_account_selected,
    on_bot_picked,
    on_client_id,
    on_pause,
    on_remove,
    on_resume,
    on_secret,
    on_start,
    on_typed_id,
)
from tuberry.bot.master.states import AccountsSG
from tuberry.bot.master.widgets import Blocks, T, choice, confirmation

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
