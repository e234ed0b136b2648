"""Help: from creating a bot in BotFather to the first Avito message in a topic."""

from __future__ import annotations

from typing import Any

from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Cancel

from tuberry.bot.master.dialogs.common import services_of
from tuberry.bot.master.states import HelpSG
from tuberry.bot.master.widgets import T

ID_BACK = "back"


async def get_help(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"master": services_of(dialog_manager).master_username or "Tuberry"}


def help_dialog() -> Dialog:
    """The Help screen (a new instance per dispatcher)."""
    return Dialog(
        Window(
            T("help-text"),
            Cancel(T("cabinet-back"), id=ID_BACK),
            state=HelpSG.main,
            getter=get_help,
        ),
    )
