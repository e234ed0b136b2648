"""The SQLite file and the generated key file are readable by their owner only."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems start processes with: files 0644 unless asked otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "tuberry.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    async with db.session() as session:
        await session.execute(text("CREATE TABLE t (x TEXT)"))
        await session.execute(text("INSERT INTO t VALUES ('secret')"))
        await session.commit()
        files = [path, path.with_name("tuberry.db-wal"), path.with_name("tuberry.db-shm")]
        assert {file.name: mode(file) for file in files} == {file.name: 0o600 for file in files}
    await db.dispose()


async def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    db = Database(f"sqlite+aiosqlite:///{path}")
    async with db.session() as session:
        await session.execute(text("SELECT 1"))
    await db.dispose()
    assert mode(path) == 0o600


async def test_the_migrated_database_and_the_generated_key_file_are_private(tmp_path: Path) -> None:
    path = tmp_path / "tuberry.db"
    await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}")
    crypto.load_or_create_local_key(path)
    assert mode(path) == 0o600
    assert mode(crypto.key_file_for(path)) == 0o600
