"""`tuberry run` as an operator starts it, as a subprocess against the local fakes, and what /proc says of it:
shared by the start-up/idle and the peak-memory benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from bench.shop import Shop, open_shop
from bench.stack import REDIS_URL, bench_database
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeBot, FakeTelegram
from tuberry.storage import crypto
from tuberry.storage.db import Database


def status_mb(pid: int, field: str) -> float:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def cpu_seconds(pid: int) -> float:
    """utime + stime of /proc/<pid>/stat: work that does not depend on the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _confirm_pending_updates(tg: FakeTelegram, bot: FakeBot) -> None:
    """Setting a shop up queued updates for its bot (it joined the group); a bot restarted in production
    has confirmed those long ago."""
    pending = tg.pending_updates(bot)
    if pending:
        offset = max(update["update_id"] for update in pending) + 1
        async with httpx.AsyncClient() as http:
            await http.post(f"{tg.base_url}/bot{bot.token}/getUpdates", json={"offset": offset, "timeout": 0})


@dataclass
class Stack:
    """The fakes, the shops in the database, and where the run writes its log."""

    tg: FakeTelegram
    avito: FakeAvito
    master: FakeBot
    shops: list[Shop]
    workdir: Path
    key: str  # SECRET_KEY
    url: str  # DATABASE_URL


@contextlib.asynccontextmanager
async def onboarded(shops: int, *, confirm_joins: bool = True, kind: str = "sqlite") -> AsyncIterator[Stack]:
    """Running fakes and a database ("sqlite" file or a new "postgresql" one) at the newest revision holding
    `shops` shops, as after their owners onboarded."""
    workdir = Path(tempfile.mkdtemp(prefix="tuberry-bench-"))
    key = Fernet.generate_key().decode()
    crypto.install_keys([key])
    tg, avito = FakeTelegram(), FakeAvito()
    async with bench_database(kind, workdir) as url:
        await tg.start()
        await avito.start()
        try:
            master = tg.add_bot(username="bench_master_bot")
            db = Database(url)
            made = [
                await open_shop(db, tg, avito, username=f"shop{n}_bot", title=f"Shop {n}")
                for n in range(shops)
            ]
            await db.dispose()
            if confirm_joins:
                for shop in made:
                    await _confirm_pending_updates(tg, shop.bot)
            yield Stack(tg, avito, master, made, workdir, key, url)
        finally:
            await avito.stop()
            await tg.stop()


@contextlib.asynccontextmanager
async def tuberry_run(
    stack: Stack, *, embedded: bool = False, settings: dict[str, str] | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`tuberry run` in the stack's directory, with `settings` added to its environment."""
    async with tuberry(stack, ["run"], embedded=embedded, settings=settings) as procs:
        yield procs[0]


@contextlib.asynccontextmanager
async def tuberry(
    stack: Stack, commands: list[str], *, embedded: bool = False, settings: dict[str, str] | None = None
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """One process per command (`run`, `bot`, `worker`), each with its own log in the stack's directory
    and `settings` added to the environment; on exit SIGTERM (then kill) and the run's Redis keys removed."""
    prefix = f"tuberry-bench-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DATABASE_URL": stack.url,
        "MASTER_BOT_TOKEN": stack.master.token,
        "SECRET_KEY": stack.key,
        "REDIS_PREFIX": prefix,
        "TELEGRAM_API_BASE": stack.tg.base_url,
        "AVITO_API_BASE": stack.avito.base_url,
        "HTTP_HOST": "127.0.0.1",
        **(settings or {}),
    }
    if embedded:
        env["_TUBERRY_DEFAULT_REDIS_URL"] = "redis://127.0.0.1:1/0"  # no Redis there: the embedded store
    else:
        env["REDIS_URL"] = REDIS_URL
    procs: list[asyncio.subprocess.Process] = []
    try:
        for n, command in enumerate(commands):
            with (stack.workdir / f"{command}-{n}.log").open("wb") as log:
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        *("-m", "tuberry.bot.cli", command),
                        cwd=stack.workdir,
                        env=env | {"HTTP_PORT": str(_free_port())},
                        stdout=log,
                        stderr=log,
                    )
                )
        yield procs
        for proc in procs:
            if proc.returncode is not None:
                raise SystemExit(f"tuberry exited with {proc.returncode}; see the logs in {stack.workdir}")
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if not embedded:
            redis = Redis.from_url(REDIS_URL)
            with contextlib.suppress(Exception):
                keys = [k async for k in redis.scan_iter(match=f"*{prefix}*")]
                if keys:
                    await redis.delete(*keys)
            await redis.aclose()
