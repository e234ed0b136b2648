"""Engine and sessions. Use cases open one session, do their work and commit once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the bots read while a worker writes; the timeout makes writers wait instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and for in-memory ones."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):  # a URI filename: its options are SQLite's business
        return None
    return Path(parsed.database)


def make_private(path: Path) -> None:
    """Create the file for the owner only (0600), or take group and other access away from an existing one.

    SQLite creates its file 0644 (umask permitting), readable by every local user, and its -wal and -shm
    files copy that mode; the file holds every buyer's message and the encrypted secrets.
    """
    if not path.parent.is_dir():
        return  # SQLite says so in its own words
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        path = sqlite_file(url)
        if path is not None:
            # Before SQLite opens (and would create) the file.
            event.listen(engine.sync_engine, "do_connect", lambda *_: make_private(path))
        return engine
    # No ping before each checkout: it was a round trip for every session (a dozen per relayed message). A
    # connection a database restart cut fails its next statement instead; SQLAlchemy then replaces every
    # pooled connection, and the caller retries as after any outage (jobs, the inbox and `durably` do).
    # Connections older than half an hour are replaced, before a proxy or firewall drops them idle.
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


class Database:
    """The process's engine and session factory."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def unreachable(error: BaseException) -> bool:
    """Whether a database error means "not reachable now" (a restart, a failover, a cut network) rather than a
    refused statement."""
    if isinstance(error, OperationalError | InterfaceError | OSError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


async def durably(write: Callable[[], Awaitable[T]], *, within: float = 20.0) -> T:
    """Run `write`, which records something already done outside (a post Telegram accepted, a topic it
    created); while the database is unreachable, try again for up to `within` seconds instead of failing
    the job, whose retry would do the outside thing a second time."""
    deadline = asyncio.get_running_loop().time() + within
    delay = 0.25
    while True:
        try:
            return await write()
        except Exception as exc:
            if not unreachable(exc) or asyncio.get_running_loop().time() + delay > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)
