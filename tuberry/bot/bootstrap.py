"""What every command does first: install the encryption keys, reach the database and bring it to the newest
revision. A failure is a `StartupError` whose message is the one line the operator sees.

Kept free of aiogram so that `tuberry migrate` starts fast.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from tuberry.bot.settings import Settings
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade

log = logging.getLogger(__name__)
T = TypeVar("T")


class StartupError(Exception):
    """The process cannot start; the message is the one line the operator sees."""


async def retrying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    transient: tuple[type[BaseException], ...],
    budget: float,
) -> T:
    """`attempt()`, again after 0.5, 1, 2, 4… s while it fails with a `transient` error, for `budget` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    delay = 0.5
    while True:
        try:
            return await attempt()
        except transient as exc:
            if loop.time() + delay > deadline:
                raise
            # The class only: a driver's message may carry a URL with a password.
            log.warning("%s is not reachable yet (%s); again in %.1f s", what, type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__


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


def _make_sqlite_directory(settings: Settings) -> None:
    path = settings.sqlite_path()
    if path is not None:
        path.resolve().parent.mkdir(parents=True, exist_ok=True)


async def migrate(settings: Settings) -> None:
    _make_sqlite_directory(settings)
    await asyncio.to_thread(upgrade, settings.database_url)


async def reach_database(settings: Settings) -> None:
    """Wait for the database for STARTUP_RETRY_SECONDS, then a one-line `StartupError`."""
    _make_sqlite_directory(settings)
    db = Database(settings.database_url)

    async def ping() -> None:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    try:
        await retrying("the database", ping, (OSError, OperationalError), settings.startup_retry_seconds)
    except (OSError, DBAPIError) as exc:
        raise StartupError(
            f"the database at DATABASE_URL cannot be reached ({_first_line(exc)}): "
            "check that it is running and that DATABASE_URL's host, port, user and database are right."
        ) from None
    finally:
        await db.dispose()


async def migrate_when_reachable(settings: Settings) -> None:
    """`tuberry migrate`: wait for the database as the long-running commands do, then migrate."""
    await reach_database(settings)
    await migrate(settings)
