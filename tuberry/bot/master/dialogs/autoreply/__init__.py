"""Auto-reply: on/off, mode, working hours per weekday, time zone, text, and a "would we answer now" line.

Every change goes through `autoreply_settings.change`: the caller's own workspace (as resolved by the
middleware, never from callback data), one transaction, one audit entry.
"""

from tuberry.bot.master.dialogs.autoreply.windows import autoreply_dialog

__all__ = ["autoreply_dialog"]
