"""Language: Russian or English for the whole cabinet; the choice is remembered over Telegram's."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Row

from tuberry.app.i18n import translator
from tuberry.app.owner_language import set_language
from tuberry.bot.master.dialogs.common import actor_of, services_of
from tuberry.bot.master.states import LanguageSG
from tuberry.bot.master.widgets import T

ID_RU, ID_EN, ID_BACK = "ru", "en", "back"


async def get_language(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"current": dialog_manager.middleware_data.get("lang", "ru")}


async def on_choose(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    language = button.widget_id
    if language not in (ID_RU, ID_EN):
        return
    await set_language(services_of(manager), actor_of(manager), language)
    # This update is still being handled: the texts rendered from now on use the new language.
    manager.middleware_data["lang"] = language
    manager.middleware_data["t"] = translator(language)
    await manager.done()


def language_dialog() -> Dialog:
    """The Language screen (a new instance per dispatcher)."""
    return Dialog(
        Window(
            T("language-title"),
            Row(
                Button(T("language-ru"), id=ID_RU, on_click=on_choose),
                Button(T("language-en"), id=ID_EN, on_click=on_choose),
            ),
            Cancel(T("cabinet-back"), id=ID_BACK),
            state=LanguageSG.main,
            getter=get_language,
        ),
    )
