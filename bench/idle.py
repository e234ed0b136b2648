"""Start-up time and idle memory of `tuberry run` with one connected client bot, against the local fakes.

    .venv/bin/python -m bench.idle                 # Redis at 127.0.0.1:6379 (REDIS_URL set)
    .venv/bin/python -m bench.idle --embedded      # REDIS_URL unset, no Redis: the embedded store
    .venv/bin/python -m bench.idle --runs 3 --idle 10
    .venv/bin/python -m bench.idle --handle-join   # the client bot handles one update (its joining) first

A temporary directory gets an SQLite database at the newest revision holding one shop (bench/shop.py: a
workspace, a client bot admin in a forum group, an Avito account), as after an owner has onboarded, with
every Telegram update confirmed (unless --handle-join); then `tuberry run` starts there as a subprocess, as
an operator would restart it. Figures per run:
- start-up: from spawning the process to the fake Telegram receiving the master bot's first getUpdates
  (and the client bot's first one), and the CPU seconds the process had used by then, a figure the
  machine's load does not inflate;
- idle RSS: resident memory after `--idle` seconds of nothing to do (VmRSS);
- peak RSS: the process's high-water mark over the whole run (VmHWM).
Figures only, no thresholds. Needs Redis on 127.0.0.1:6379 unless --embedded. The machine's load stretches
the start-up seconds (not the CPU seconds): compare runs made on the same machine at the same time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from redis.asyncio import Redis

from bench.shop import open_shop
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeBot, FakeTelegram
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade

REDIS_URL = "redis://127.0.0.1:6379/0"
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class Run:
    master_start: float  # seconds from spawn to the master bot's first getUpdates
    master_cpu: float  # CPU seconds (user + system) the process had used by then
    client_start: float  # … to the client bot's first getUpdates
    idle_rss: float  # MB
    peak_rss: float  # MB


def _status_mb(pid: int, field: str) -> float:
    """A memory line of /proc/<pid>/status (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of /proc/<pid>/stat: start-up work that does not depend on the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _confirm_pending_updates(tg: FakeTelegram, bot: FakeBot) -> None:
    """Setting the shop up queued updates for its bot (it joined the group); a bot restarted in production
    has confirmed those long ago. Confirmed here, so that the run below is idle."""
    pending = tg.pending_updates(bot)
    if pending:
        offset = max(update["update_id"] for update in pending) + 1
        async with httpx.AsyncClient() as http:
            await http.post(f"{tg.base_url}/bot{bot.token}/getUpdates", json={"offset": offset, "timeout": 0})


async def _first_call(
    tg: FakeTelegram, bot: FakeBot, method: str, before: int, since: float, proc: object
) -> float:
    """Seconds from `since` until the bot's call of `method` after the `before` it had made."""
    deadline = since + START_TIMEOUT
    while len(tg.calls(method, bot=bot)) == before:
        if getattr(proc, "returncode", None) is not None:
            raise SystemExit(f"tuberry run exited with {proc.returncode} before {method}")  # type: ignore[attr-defined]
        if time.perf_counter() > deadline:
            raise SystemExit(f"no {method} from @{bot.username} within {START_TIMEOUT} s")
        await asyncio.sleep(0.005)
    return time.perf_counter() - since


async def one_run(idle: float, embedded: bool, handle_join: bool) -> Run:
    workdir = Path(tempfile.mkdtemp(prefix="tuberry-idle-"))
    key = Fernet.generate_key().decode()
    crypto.install_keys([key])
    url = f"sqlite+aiosqlite:///{workdir / 'tuberry.db'}"
    await asyncio.to_thread(upgrade, url)
    tg, avito = FakeTelegram(), FakeAvito()
    await tg.start()
    await avito.start()
    master = tg.add_bot(username="idle_master_bot")
    db = Database(url)
    shop = await open_shop(db, tg, avito, username="idle_shop_bot", title="Idle")
    await db.dispose()
    if not handle_join:
        await _confirm_pending_updates(tg, shop.bot)
    prefix = f"tuberry-idle-{uuid.uuid4().hex[:8]}"
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DATABASE_URL": url,
        "MASTER_BOT_TOKEN": master.token,
        "SECRET_KEY": key,
        "REDIS_PREFIX": prefix,
        "TELEGRAM_API_BASE": tg.base_url,
        "AVITO_API_BASE": avito.base_url,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(_free_port()),
    }
    if embedded:
        env["_TUBERRY_DEFAULT_REDIS_URL"] = "redis://127.0.0.1:1/0"  # no Redis there: the embedded store
    else:
        env["REDIS_URL"] = REDIS_URL
    log = (workdir / "run.log").open("wb")
    before = {bot.id: len(tg.calls("getUpdates", bot=bot)) for bot in (master, shop.bot)}
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tuberry.bot.cli", "run", cwd=workdir, env=env, stdout=log, stderr=log
    )
    log.close()
    try:
        master_start = await _first_call(tg, master, "getUpdates", before[master.id], started, proc)
        master_cpu = _cpu_seconds(proc.pid)
        client_start = await _first_call(tg, shop.bot, "getUpdates", before[shop.bot.id], started, proc)
        await asyncio.sleep(idle)
        if proc.returncode is not None:
            raise SystemExit(f"tuberry run exited with {proc.returncode}; see {workdir / 'run.log'}")
        idle_rss = _status_mb(proc.pid, "VmRSS")
        peak_rss = _status_mb(proc.pid, "VmHWM")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
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
        await avito.stop()
        await tg.stop()
    return Run(master_start, master_cpu, client_start, idle_rss, peak_rss)


async def run(runs: int, idle: float, embedded: bool, handle_join: bool) -> None:
    results = [await one_run(idle, embedded, handle_join) for _ in range(runs)]
    redis = "embedded store" if embedded else "REDIS_URL"
    join = ", the bot's join update handled at start" if handle_join else ""
    print(f"tuberry run, SQLite, {redis}, one client bot{join}, {idle:g} s idle")
    columns = ("run", "master getUpdates s", "CPU s", "client getUpdates s", "idle RSS MB", "peak RSS MB")
    print("  ".join(f"{c:>{len(c)}}" for c in columns))
    for n, r in enumerate(results, 1):
        figures = (
            str(n),
            f"{r.master_start:.2f}",
            f"{r.master_cpu:.2f}",
            f"{r.client_start:.2f}",
            f"{r.idle_rss:.1f}",
            f"{r.peak_rss:.1f}",
        )
        print("  ".join(f"{f:>{len(c)}}" for f, c in zip(figures, columns, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds to stay idle before sampling RSS")
    parser.add_argument(
        "--embedded", action="store_true", help="no REDIS_URL and no Redis: the embedded store"
    )
    parser.add_argument(
        "--handle-join",
        action="store_true",
        help="leave the update of the bot joining the group pending: the run handles one update first",
    )
    args = parser.parse_args()
    asyncio.run(run(args.runs, args.idle, args.embedded, args.handle_join))


if __name__ == "__main__":
    main()
