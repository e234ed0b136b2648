"""Admin commands in the master bot (SPEC §6): totals, the workspaces, block and unblock."""

from tuberry.bot.master.admin.router import admin_router

__all__ = ["admin_router"]
