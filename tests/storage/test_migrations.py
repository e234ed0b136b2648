"""Migrations are code under test: up, down and up again on both backends, and nothing left undeclared."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tuberry.storage.db import create_engine
from tuberry.storage.migrate import alembic_config, downgrade, head_revisions, upgrade
from tuberry.storage.models import Base

TABLES = {"workspaces", "users", "bots", "avito_accounts", "dialogs", "messages", "audit_log"}


async def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    engine = create_engine(url)
    async with engine.connect() as conn:

        def inspect_sync(sync_conn):  # type: ignore[no-untyped-def]
            tables = set(inspect(sync_conn).get_table_names())
            diff = compare_metadata(MigrationContext.configure(sync_conn), Base.metadata)
            return tables, diff

        result = await conn.run_sync(inspect_sync)
    await engine.dispose()
    return result


async def test_upgrade_downgrade_upgrade_matches_models(db_url: str) -> None:
    await asyncio.to_thread(upgrade, db_url)
    tables, diff = await _tables_and_diff(db_url)
    assert tables >= TABLES
    assert diff == [], f"models and migrations disagree: {diff}"

    await asyncio.to_thread(downgrade, db_url)
    tables, _ = await _tables_and_diff(db_url)
    assert tables <= {"alembic_version"}

    await asyncio.to_thread(upgrade, db_url)
    tables, diff = await _tables_and_diff(db_url)
    assert tables >= TABLES and diff == []


def test_the_heads_read_from_the_scripts_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert head_revisions() == set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def test_a_database_at_head_is_upgraded_without_loading_alembic(tmp_path: Path) -> None:
    """Every restart: Alembic would stay in the process's memory for nothing."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tuberry.db'}"
    script = (
        "import sys; from tuberry.storage.migrate import upgrade; upgrade(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))"
    )

    async def upgrade_in_a_new_process() -> str:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, url, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0
        return out.decode().strip()

    assert await upgrade_in_a_new_process() != "[]"  # a new database: Alembic migrates it
    tables, diff = await _tables_and_diff(url)
    assert tables >= TABLES and diff == []
    assert await upgrade_in_a_new_process() == "[]"
