"""What every command does first: install the encryption keys, bring the database to the newest revision.

Kept free of aiogram so that `tuberry migrate` starts fast.
"""

from __future__ import annotations

import asyncio

from tuberry.bot.settings import Settings
from tuberry.storage import crypto
from tuberry.storage.migrate import upgrade


def install_secret_key(settings: Settings) -> None:
    """SECRET_KEY, or for SQLite a generated key kept beside the database file (with a loud warning)."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value().strip():
        crypto.install_keys(crypto.parse_keys(settings.secret_key.get_secret_value()))
        return
    path = settings.sqlite_path()
    if path is None:
        raise crypto.SecretKeyError(
            "SECRET_KEY is not set. Generate one with "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"` '
            "and set it in the environment or .env; keep it safe: stored tokens are encrypted with it."
        )
    crypto.install_keys([crypto.load_or_create_local_key(path.resolve())])


async def migrate(settings: Settings) -> None:
    path = settings.sqlite_path()
    if path is not None:
        path.resolve().parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(upgrade, settings.database_url)
