"""The backup and restore commands of docs/OPERATIONS.md, run as written (less `docker compose exec -T
postgres` and the compose credentials) against a test database: the restore gives back the same data."""

from __future__ import annotations

import asyncio
import re
import shlex
import subprocess
from pathlib import Path

from sqlalchemy import make_url, select, text

from tests.deploy.files import ROOT
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade
from tuberry.storage.models import ClientBot, Workspace

PREFIX = "docker compose exec -T postgres "
COMPOSE_LOGIN = ("--username=tuberry", "--dbname=tuberry")


def documented(program: str) -> list[str]:
    """The OPERATIONS.md command line running `program`, as arguments, without compose's wrapping."""
    guide = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
    (line,) = re.findall(rf"^{re.escape(PREFIX)}({program} .*?) [<>] tuberry\.dump$", guide, re.M)
    args = shlex.split(line)
    assert all(login in args for login in COMPOSE_LOGIN), line
    return [arg for arg in args if arg not in COMPOSE_LOGIN]


def login(url: str) -> list[str]:
    parsed = make_url(url)
    return [
        f"--host={parsed.host}",
        f"--port={parsed.port or 5432}",
        f"--username={parsed.username}",
        f"--dbname={parsed.database}",
    ]


def run(args: list[str], *, stdin: Path | None = None, stdout: Path | None = None) -> None:
    """One command with a file as its standard input or output (the shell's `<` and `>`)."""
    with (
        stdin.open("rb") if stdin else open("/dev/null", "rb") as source,
        stdout.open("wb") if stdout else open("/dev/null", "wb") as sink,
    ):
        subprocess.run(args, stdin=source, stdout=sink, check=True, timeout=60)


async def _rows(url: str) -> tuple[str | None, list[tuple[int, str]]]:
    db = Database(url)
    try:
        async with db.session() as session:
            revision = await session.scalar(text("SELECT version_num FROM alembic_version"))
            bots = (await session.execute(select(ClientBot.telegram_bot_id, ClientBot.token))).all()
    finally:
        await db.dispose()
    return revision, [tuple(row) for row in bots]


async def test_the_documented_backup_restores_into_an_empty_database(tmp_path: Path, pg_url: str) -> None:
    await asyncio.to_thread(upgrade, pg_url)
    db = Database(pg_url)
    async with db.session() as session:
        workspace = Workspace(owner_telegram_id=42)
        session.add(workspace)
        session.add(
            ClientBot(
                workspace=workspace, telegram_bot_id=7, token="7:secret", username="b", webhook_secret="s"
            )
        )
        await session.commit()
    await db.dispose()
    before = await _rows(pg_url)

    dump = tmp_path / "tuberry.dump"
    await asyncio.to_thread(run, [*documented("pg_dump"), *login(pg_url)], stdout=dump)
    # The restore replaces what is there (--clean): a database changed after the backup comes back.
    db = Database(pg_url)
    async with db.session() as session:
        await session.execute(text("DELETE FROM bots"))
        await session.commit()
    await db.dispose()
    await asyncio.to_thread(run, [*documented("pg_restore"), *login(pg_url)], stdin=dump)

    assert await _rows(pg_url) == before
    assert before[1] == [(7, "7:secret")]
