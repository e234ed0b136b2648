"""Client bots: the behaviour shared by every owner's bot (plain aiogram routers)."""

from __future__ import annotations

from aiogram import Dispatcher

from tuberry.bot.client import commands, managers, membership, topics
from tuberry.bot.common.services import Services


def build_client_dispatcher(services: Services) -> Dispatcher:
    """One dispatcher for all client bots; handlers get `services` and `client_bot_id` (the bots row)."""
    dp = Dispatcher()
    dp["services"] = services
    dp.include_routers(
        commands.commands_router(),
        membership.membership_router(),
        managers.managers_router(),
        topics.topics_router(),
    )
    return dp
