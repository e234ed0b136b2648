"""Client bots: the behaviour shared by every owner's bot (plain aiogram routers)."""

from __future__ import annotations

from aiogram import Dispatcher

from tuberry.app.services import Services
from tuberry.bot.client import close_command, commands, manager_commands, membership, replies, topic_commands


def build_client_dispatcher(services: Services) -> Dispatcher:
    """One dispatcher for all client bots; handlers get `services` and `client_bot_id` (the bots row)."""
    dp = Dispatcher()
    dp["services"] = services
    dp.include_routers(
        commands.commands_router(),
        membership.membership_router(),
        manager_commands.managers_router(),
        topic_commands.topic_commands_router(),  # before the topics router: it relays what it gets
        close_command.close_router(),  # before the topics router, which takes every topic message
        replies.replies_router(),
    )
    return dp
