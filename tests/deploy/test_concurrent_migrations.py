"""Processes started together on a new database (`docker compose up` with several services, or a bot and
workers started at once) each run migrations at start: exactly one may apply them, the others wait."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tuberry.storage.db import create_engine


async def _migrate(cwd: Path, database_url: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment.update(DATABASE_URL=database_url, MASTER_BOT_TOKEN="1:x")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tuberry.bot.cli",
        "migrate",
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode()


@pytest.mark.parametrize("processes", [3])
async def test_processes_started_together_on_a_new_database_all_start(
    db_url: str, tmp_path: Path, processes: int
) -> None:
    results = await asyncio.gather(*(_migrate(tmp_path, db_url) for _ in range(processes)))
    assert [code for code, _ in results] == [0] * processes, "\n\n".join(out for _, out in results)

    engine = create_engine(db_url)
    async with engine.connect() as conn:
        versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    await engine.dispose()
    assert len(versions) == 1
