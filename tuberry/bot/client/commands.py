"""Commands every client bot answers in any chat."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from tuberry.app.i18n import pick_language, translator


def commands_router() -> Router:
    router = Router(name="client-commands")
    router.message.register(on_getid, Command("getid"))
    return router


async def on_getid(message: Message) -> None:
    t = translator(pick_language(None, message.from_user.language_code if message.from_user else None))
    if message.is_topic_message and message.message_thread_id:
        await message.reply(
            t("client-getid-topic", chat=str(message.chat.id), thread=str(message.message_thread_id))
        )
    else:
        await message.reply(t("client-getid", chat=str(message.chat.id)))
