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
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade
from tuberry.storage.models import ClientBot, Workspace


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


# Start-up failures: one line saying what is wrong and what to do, a non-zero exit, no traceback.
# STARTUP_RETRY_SECONDS keeps the back-off short; the ports below refuse connections at once.
FAST = {"STARTUP_RETRY_SECONDS": "1.5", "REDIS_URL": REDIS_URL}
NOWHERE = "127.0.0.1:1"


def the_failure(code: int, out: str, command: str) -> str:
    """The one line a failed start printed (asserting there is exactly one, and no traceback)."""
    assert code != 0, out
    assert "Traceback" not in out, out
    lines = [line for line in out.splitlines() if line.startswith(f"tuberry {command}: ")]
    assert len(lines) == 1, out
    assert out.rstrip().endswith(lines[0]), out
    return lines[0]


async def test_unreachable_redis_is_retried_then_named(tmp_path: Path) -> None:
    env = {**FAST, "MASTER_BOT_TOKEN": "1:x", "REDIS_URL": f"redis://{NOWHERE}/0"}
    code, out = await tuberry("worker", cwd=tmp_path, **env)
    line = the_failure(code, out, "worker")
    assert f"Redis at redis://{NOWHERE}/0 cannot be reached" in line and "REDIS_URL" in line
    assert "Redis is not reachable yet" in out  # retried with back-off before giving up


async def test_split_processes_need_a_real_redis_when_redis_url_is_unset(tmp_path: Path) -> None:
    env = {**FAST, "MASTER_BOT_TOKEN": "1:x", "_TUBERRY_DEFAULT_REDIS_URL": f"redis://{NOWHERE}/0"}
    for command in ("bot", "worker"):
        code, out = await tuberry(command, cwd=tmp_path, **{k: v for k, v in env.items() if k != "REDIS_URL"})
        line = the_failure(code, out, command)
        assert "cannot be reached" in line and "set REDIS_URL" in line
        assert "embedded" not in out.replace(line, "")


async def test_unreachable_database_is_retried_then_named(tmp_path: Path) -> None:
    env = {**FAST, "MASTER_BOT_TOKEN": "1:x", "SECRET_KEY": Fernet.generate_key().decode()}
    code, out = await tuberry(
        "worker", cwd=tmp_path, DATABASE_URL=f"postgresql+asyncpg://postgres@{NOWHERE}/tuberry", **env
    )
    line = the_failure(code, out, "worker")
    assert "the database at DATABASE_URL cannot be reached" in line
    assert "the database is not reachable yet" in out


async def test_malformed_and_revoked_master_tokens_are_named(tmp_path: Path) -> None:
    tg = FakeTelegram()
    await tg.start()
    try:
        env = {**FAST, "TELEGRAM_API_BASE": tg.base_url}
        code, out = await tuberry("run", cwd=tmp_path, MASTER_BOT_TOKEN="AAE-not-a-token", **env)
        assert "MASTER_BOT_TOKEN is malformed" in the_failure(code, out, "run")
        assert "AAE-not-a-token" not in out

        code, out = await tuberry("bot", cwd=tmp_path, MASTER_BOT_TOKEN="123456:revoked", **env)
        assert "Telegram rejects MASTER_BOT_TOKEN" in the_failure(code, out, "bot")
        assert "123456:revoked" not in out
    finally:
        await tg.stop()


async def test_unreachable_telegram_is_retried_then_named(tmp_path: Path) -> None:
    env = {**FAST, "MASTER_BOT_TOKEN": "123456:AAE", "TELEGRAM_API_BASE": f"http://{NOWHERE}"}
    code, out = await tuberry("bot", cwd=tmp_path, **env)
    line = the_failure(code, out, "bot")
    assert f"Telegram is unreachable at http://{NOWHERE}" in line
    assert "Telegram is not reachable yet" in out and "123456:AAE" not in out


async def test_a_malformed_or_replaced_secret_key_is_named(tmp_path: Path) -> None:
    env = {**FAST, "MASTER_BOT_TOKEN": "1:x"}
    code, out = await tuberry("worker", cwd=tmp_path, SECRET_KEY="not-a-fernet-key", **env)
    assert "SECRET_KEY must be one or more Fernet keys" in the_failure(code, out, "worker")

    # A bot token stored under one key; the process starts with another (replaced instead of rotated).
    database = tmp_path / "tuberry.db"
    await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{database}")
    db = Database(f"sqlite+aiosqlite:///{database}")
    async with db.session() as session:
        workspace = Workspace(owner_telegram_id=1)
        session.add(workspace)
        session.add(
            ClientBot(workspace=workspace, telegram_bot_id=5, token="5:x", username="b", webhook_secret="s")
        )
        await session.commit()
    await db.dispose()
    code, out = await tuberry("worker", cwd=tmp_path, SECRET_KEY=Fernet.generate_key().decode(), **env)
    assert "cannot be decrypted with SECRET_KEY" in the_failure(code, out, "worker")


async def test_migrate_names_an_unreachable_database(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@{NOWHERE}/tuberry"
    code, out = await tuberry("migrate", cwd=tmp_path, MASTER_BOT_TOKEN="1:x", DATABASE_URL=url, **FAST)
    assert "the database at DATABASE_URL cannot be reached" in the_failure(code, out, "migrate")
