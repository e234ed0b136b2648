"""One aiohttp session for every Bot of the process, pointed at TELEGRAM_API_BASE."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode


class BotFactory:
    """Builds and caches `Bot`s by token; all share one HTTP session (one connection pool)."""

    def __init__(self, api_base: str) -> None:
        self.session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
        self._bots: dict[str, Bot] = {}
        self._defaults = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)

    def get(self, token: str) -> Bot:
        bot = self._bots.get(token)
        if bot is None:
            bot = Bot(token, session=self.session, default=self._defaults)
            self._bots[token] = bot
        return bot

    def forget(self, token: str) -> None:
        self._bots.pop(token, None)

    async def close(self) -> None:
        await self.session.close()
