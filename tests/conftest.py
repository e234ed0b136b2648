"""Shared fixtures: real SQLite and PostgreSQL, real Redis, the fake Telegram and Avito servers.

PostgreSQL and Redis are required: a test that needs one fails when it is down (CI must not skip them).
Each test gets its own PostgreSQL database and its own Redis key prefix, so runs can share the servers.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade

PG_ADMIN_DSN = os.environ.get("TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEST_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True, scope="session")
def _keys() -> None:
    crypto.install_keys([TEST_KEY])


def _pg_url(name: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"


def _in_thread(coro_fn, *args):  # type: ignore[no-untyped-def]
    """Run a coroutine on its own loop: sync fixtures may not touch the test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro_fn(*args)).result()


async def _admin(sql: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (fails, never skips, when PostgreSQL is down)."""
    name = f"tuberry_test_{uuid.uuid4().hex[:12]}"
    _in_thread(_admin, f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _in_thread(_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'tuberry.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL on each backend: storage tests run on both."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    """A migrated database on SQLite and on PostgreSQL."""
    await asyncio.to_thread(upgrade, db_url)
    db = Database(db_url)
    yield db
    await db.dispose()


@pytest.fixture
async def sqlite_database(sqlite_url: str) -> AsyncIterator[Database]:
    """A migrated SQLite database, for end-to-end tests that need not run on both backends."""
    await asyncio.to_thread(upgrade, sqlite_url)
    db = Database(sqlite_url)
    yield db
    await db.dispose()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    yield f"tuberry-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def redis(redis_prefix: str) -> AsyncIterator[Redis]:
    """The real Redis; every key the test made under its prefix is removed afterwards."""
    client = Redis.from_url(REDIS_URL)
    await client.ping()
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    keys += [key async for key in client.scan_iter(match=f"arq:*{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
