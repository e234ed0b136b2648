"""The master bot's cabinet: assembled onto a Dispatcher by `setup_master`."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.storage.memory import DisabledEventIsolation
from aiogram_dialog import setup_dialogs
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState

from tuberry.bot.master.admin import admin_router
from tuberry.bot.master.dialogs.accounts import accounts_dialog
from tuberry.bot.master.dialogs.autoreply import autoreply_dialog
from tuberry.bot.master.dialogs.bots import bots_dialog
from tuberry.bot.master.dialogs.help import help_dialog
from tuberry.bot.master.dialogs.language import language_dialog
from tuberry.bot.master.dialogs.menu import fallback_router, menu_dialog, on_stale_dialog, start_router
from tuberry.bot.master.dialogs.quick_replies import quick_replies_dialog
from tuberry.bot.master.dialogs.stats import stats_dialog
from tuberry.bot.master.dialogs.topic_icons import topic_icons_dialog
from tuberry.bot.master.dialogs.waiting import waiting_dialog
from tuberry.bot.master.intent_ids import use_unique_intent_ids
from tuberry.bot.master.middlewares import CallerMiddleware

__all__ = ["setup_master"]


def setup_master(dp: Dispatcher) -> None:
    """Cabinet routers and dialogs on the master dispatcher.

    The dispatcher must hold `dp["services"]` and a storage built with
    `DefaultKeyBuilder(with_destiny=True)` (aiogram-dialog keeps its stacks under their own destiny).
    """
    dp.update.outer_middleware(CallerMiddleware())
    dp.include_router(start_router())
    # Before the dialogs: an admin's command wins over a dialog waiting for text; others' updates pass on.
    dp.include_router(admin_router())
    dp.include_routers(
        menu_dialog(),
        bots_dialog(),
        accounts_dialog(),
        autoreply_dialog(),
        stats_dialog(),
        waiting_dialog(),
        language_dialog(),
        help_dialog(),
        quick_replies_dialog(),
        topic_icons_dialog(),
    )
    dp.include_router(fallback_router())
    dp.errors.register(on_stale_dialog, ExceptionTypeFilter(UnknownIntent, UnknownState, OutdatedIntent))
    # Dialog stacks are locked with the dispatcher's isolation when it has one (RedisEventIsolation lets
    # several processes serve the same users); otherwise aiogram-dialog's in-process locks apply.
    isolation = dp.fsm.events_isolation
    setup_dialogs(dp, events_isolation=None if isinstance(isolation, DisabledEventIsolation) else isolation)
    use_unique_intent_ids()
