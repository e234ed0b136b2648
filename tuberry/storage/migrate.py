"""Alembic driven from code, so `tuberry migrate` works from any directory.

Every process runs the upgrade at start, and several often start together on a new database (`docker
compose up`, a bot and its workers): the upgrade is serialised by a lock the database's users share: a
PostgreSQL advisory lock, or for SQLite an exclusive lock on a file beside the database. The first process
applies the migrations; the others wait, then find the database at head and do nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import make_url, text

from tuberry.storage.db import create_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed 64-bit number; advisory locks are scoped to one database, so installations never collide.
ADVISORY_LOCK_KEY = zlib.crc32(b"tuberry:migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    config.attributes["configure_logging"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Blocking: run from a thread or before the event loop starts."""
    _locked(database_url, lambda: command.upgrade(alembic_config(database_url), revision))


def downgrade(database_url: str, revision: str = "base") -> None:
    _locked(database_url, lambda: command.downgrade(alembic_config(database_url), revision))


def _locked(database_url: str, run: Callable[[], None]) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        asyncio.run(_under_advisory_lock(database_url, run))
        return
    with _file_lock(url.database):
        run()


async def _under_advisory_lock(database_url: str, run: Callable[[], None]) -> None:
    """Holds a session-level advisory lock on its own connection while `run` migrates in a thread (Alembic's
    env.py starts an event loop of its own, so it cannot run on this one)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            await connection.commit()
            try:
                await asyncio.to_thread(run)
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                await connection.commit()
    finally:
        await engine.dispose()


@contextlib.contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    """An exclusive lock on `<database file>.migrate-lock`; nothing to share for an in-memory database."""
    if not database or database.startswith(":memory:"):
        yield
        return
    path = Path(database).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate-lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, also if the process dies
        yield
