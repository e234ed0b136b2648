"""Migrations are code under test: up, down and up again on both backends, and nothing left undeclared."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tuberry.storage.db import create_engine
from tuberry.storage.migrate import downgrade, upgrade
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
