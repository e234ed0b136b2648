"""Avito accounts: the list, adding one (client_id, then client_secret), its card, relink, pause, remove."""

from tuberry.bot.master.dialogs.accounts.windows import accounts_dialog

__all__ = ["accounts_dialog"]
