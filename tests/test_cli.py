"""The operator's commands: clear words when something is wrong, a working `check` and `migrate`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from tests.conftest import REDIS_URL
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram


async def tuberry(*args: str, cwd: Path, **env: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    environment.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tuberry.bot.cli",
        *args,
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


async def test_a_missing_master_token_is_named(tmp_path: Path) -> None:
    code, out = await tuberry("migrate", cwd=tmp_path)
    assert code != 0 and "MASTER_BOT_TOKEN" in out


async def test_migrate_builds_the_sqlite_database_in_the_working_directory(tmp_path: Path) -> None:
    code, out = await tuberry("migrate", cwd=tmp_path, MASTER_BOT_TOKEN="1:x")
    assert code == 0, out
    assert (tmp_path / "tuberry.db").exists()


async def test_check_reports_every_service(tmp_path: Path, pg_url: str) -> None:
    tg, avito = FakeTelegram(), FakeAvito()
    await tg.start()
    await avito.start()
    try:
        master = tg.add_bot(username="tuberry_master_bot")
        env = {
            "MASTER_BOT_TOKEN": master.token,
            "SECRET_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": pg_url,
            "REDIS_URL": REDIS_URL,
            "TELEGRAM_API_BASE": tg.base_url,
            "AVITO_API_BASE": avito.base_url,
        }
        code, out = await tuberry("migrate", cwd=tmp_path, **env)
        assert code == 0, out
        code, out = await tuberry("check", cwd=tmp_path, **env)
        assert code == 0, out
        assert "OK   Telegram: master bot @tuberry_master_bot" in out
        assert "OK   database: reachable, revision" in out and "OK   Redis" in out and "OK   Avito" in out

        wrong = {**env, "MASTER_BOT_TOKEN": "123456:wrong-token", "REDIS_URL": "redis://127.0.0.1:1/0"}
        code, out = await tuberry("check", cwd=tmp_path, **wrong)
        assert code == 2 and "FAIL Telegram" in out and "FAIL Redis" in out
        assert "123456:wrong-token" not in out
    finally:
        await avito.stop()
        await tg.stop()


async def test_without_secret_key_postgresql_refuses_and_sqlite_generates_a_key(
    tmp_path: Path, pg_url: str
) -> None:
    nowhere = {
        "MASTER_BOT_TOKEN": "1:x",
        "TELEGRAM_API_BASE": "http://127.0.0.1:1",
        "AVITO_API_BASE": "http://127.0.0.1:1",
    }
    code, out = await tuberry("check", cwd=tmp_path, DATABASE_URL=pg_url, **nowhere)
    assert code != 0 and "FAIL SECRET_KEY: SECRET_KEY is not set" in out

    code, out = await tuberry("check", cwd=tmp_path, **nowhere)
    assert "OK   SECRET_KEY" in out and "SECRET_KEY is not set" in out  # works, with the loud warning
    assert (tmp_path / "tuberry.db.secret-key").exists()
