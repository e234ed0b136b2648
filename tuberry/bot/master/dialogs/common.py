"""What every cabinet dialog needs: the caller's workspace, services, refusals, dates in words."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager

from tuberry.app.i18n import Translator
from tuberry.app.services import Services
from tuberry.bot.common.ids import parse_id
from tuberry.bot.master.widgets import translator_of

log = logging.getLogger(__name__)


def services_of(manager: DialogManager) -> Services:
    return manager.middleware_data["services"]


def workspace_of(manager: DialogManager) -> int | None:
    """The caller's own workspace id (resolved by CallerMiddleware), None for a stranger."""
    return manager.middleware_data.get("workspace_id")


def actor_of(manager: DialogManager) -> int:
    user = manager.middleware_data.get("event_from_user")
    return user.id if user is not None else 0


def t_of(manager: DialogManager) -> Translator:
    return translator_of(manager)


async def refuse(event: CallbackQuery | Message, manager: DialogManager) -> None:
    """An item that is not the caller's (forged button, another workspace's id, or deleted meanwhile)."""
    text = t_of(manager)("cabinet-not-found")
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    else:
        await event.answer(text)


async def typed_id(message: Message, manager: DialogManager) -> int | None:
    """The item number an owner typed; when the text is not one, a hint to send digits and None."""
    item_id = parse_id(message.text)
    if item_id is None:
        await message.answer(t_of(manager)("cabinet-not-a-number"))
    return item_id


async def delete_quietly(message: Message) -> None:
    """Remove a message holding a secret; failing that, the secret still goes nowhere else."""
    try:
        await message.delete()
    except TelegramAPIError as exc:
        log.warning("could not delete a message with a secret in chat %s: %s", message.chat.id, exc)


def when(t: Translator, moment: datetime | None) -> str:
    if moment is None:
        return t("cabinet-never")
    return moment.strftime("%d.%m.%Y %H:%M UTC")
