"""Tuberry's tests. Telegram's types are imported the way `tuberry` imports them in production (validators
built on first use, `tuberry/telegram/lazy_models.py`), before any test module imports aiogram."""

from tuberry.telegram.lazy_models import import_aiogram

import_aiogram()
