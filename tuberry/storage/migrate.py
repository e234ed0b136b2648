"""Alembic driven from code, so `tuberry migrate` works from any directory.

Every process runs the upgrade at start, and several often start together on a new database (`docker
compose up`, a bot and its workers): the upgrade is serialised by a lock the database's users share: a
PostgreSQL advisory lock, or for SQLite an exclusive lock on a file beside the database. The first process
applies the migrations; the others wait, then find the database at head and do nothing.

A database already at head (every restart) is recognised without Alembic: importing it, its DDL for five
dialects, Mako and Pygments, and running env.py leaves ~15 MB in a long-running process that never uses them
again (bench/idle.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from tuberry.storage.db import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Any fixed 64-bit number; advisory locks are scoped to one database, so installations never collide.
ADVISORY_LOCK_KEY = zlib.crc32(b"tuberry:migrations")


# `revision: str = "0005"` and `down_revision: str | None = "0004"` (or a tuple of ids, after a merge).
_REVISION_LINE = re.compile(r"^(down_)?revision\b[^=\n]*=(.*)$", re.MULTILINE)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    config.attributes["configure_logging"] = False
    return config


def head_revisions() -> set[str]:
    """The heads of the migration scripts, read from their revision lines (tests check it against Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            (parents if down else revisions).update(re.findall(r"[\"'](\w+)[\"']", value))
    return revisions - parents


async def _stamped_revisions(database_url: str) -> set[str]:
    """The revisions the database is at; none for a new database."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            try:
                rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            except DBAPIError:  # no alembic_version table yet
                return set()
            return set(rows.scalars())
    finally:
        await engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Blocking: run from a thread or before the event loop starts."""
    if revision == "head" and asyncio.run(_stamped_revisions(database_url)) == head_revisions():
        return
    from alembic import command

    _locked(database_url, lambda: command.upgrade(alembic_config(database_url), revision))


def downgrade(database_url: str, revision: str = "base") -> None:
    from alembic import command

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
