"""The services a benchmark runs against: a fresh database (SQLite file or PostgreSQL database), the running
fakes, Tuberry's services on a Redis prefix of its own, and everything removed afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
from cryptography.fernet import Fernet

from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.app.services import Config, Services
from tuberry.bot.composition import open_services
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade

REDIS_URL = "redis://127.0.0.1:6379/0"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


async def _new_database(kind: str, directory: Path | None = None) -> tuple[str, str | None]:
    """A new empty database: an SQLite file (in `directory` or a new temporary one) or a PostgreSQL
    database. Returns its URL and, for PostgreSQL, its name (for _drop_database)."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{(directory or Path(tempfile.mkdtemp())) / 'tuberry.db'}", None
    name = f"tuberry_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name


async def _drop_database(pg_name: str | None) -> None:
    if pg_name:
        with contextlib.suppress(Exception):
            admin = await asyncpg.connect(PG_ADMIN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await admin.close()


@contextlib.asynccontextmanager
async def bench_database(kind: str, directory: Path | None = None) -> AsyncIterator[str]:
    """The URL of a new `kind` database ("sqlite" or "postgresql"; an SQLite file goes in `directory` or a
    new temporary one) at the newest revision, removed on exit."""
    url, pg_name = await _new_database(kind, directory)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await _drop_database(pg_name)


@contextlib.asynccontextmanager
async def bench_services(
    kind: str, tg: FakeTelegram, avito: FakeAvito, **settings: Any
) -> AsyncIterator[tuple[Database, Services]]:
    """Start `tg` and `avito`, migrate a new `kind` database ("sqlite" or "postgresql") and open the
    services on it (`settings` override the Config's); on exit stop the fakes and remove the database and
    the run's Redis keys."""
    crypto.install_keys([Fernet.generate_key().decode()])
    async with bench_database(kind) as url:
        db = Database(url)
        await tg.start()
        await avito.start()
        try:
            async with _services(db, tg, avito, settings) as services:
                yield db, services
        finally:
            await db.dispose()
            await avito.stop()
            await tg.stop()


@contextlib.asynccontextmanager
async def _services(
    db: Database, tg: FakeTelegram, avito: FakeAvito, settings: dict[str, Any]
) -> AsyncIterator[Services]:
    """Tuberry's services on a Redis prefix of their own, whose keys are removed on exit."""
    prefix = f"tuberry-bench-{uuid.uuid4().hex[:8]}"
    config = Config(
        **({"avito_poll_interval": 0.5, "auto_reply_delay": 60, "redis_prefix": prefix} | settings)
    )
    async with open_services(
        db, REDIS_URL, config, telegram_api_base=tg.base_url, avito_api_base=avito.base_url
    ) as services:
        try:
            yield services
        finally:
            keys = [key async for key in services.queue.redis.scan_iter(match=f"*{prefix}*")]
            if keys:
                await services.queue.redis.delete(*keys)
