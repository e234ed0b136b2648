"""What many idle Avito accounts cost: requests to Avito and the worker's CPU while nothing new arrives.

    .venv/bin/python -m bench.idle_cost                                   # 2,000 accounts, PostgreSQL
    .venv/bin/python -m bench.idle_cost --accounts 200 --window 20 --database sqlite
    .venv/bin/python -m bench.idle_cost --history-only                    # the per-poll part alone

`--accounts` active accounts (100 to a workspace and its client bot), each with `--chats` chats on the fake
Avito whose last message is stored already, are written straight into a new database with their tokens,
their last polls spread over one interval as a running installation's are. One `tuberry worker` (a
subprocess, as an operator runs it, with AVITO_POLL_INTERVAL = `--interval`) polls them; after `--warmup`
seconds the fake Avito's requests and the worker's CPU time (/proc/<pid>/stat, every thread) are counted
over `--window` seconds. Printed:
- chat-list GETs per account per interval (the target: exactly one; the only request an idle poll makes),
  accounts not polled at all, the seconds between an account's GETs (median, 1st and 99th percentile: the
  ticks start polls an interval apart, the queue's wait before each read varies), and every other request
  (token requests apart);
- the worker's CPU as a share of one core (the target: at most 25%); the database server's CPU is not in it.
Then the per-poll part: one account whose Avito page shows the same 10 chats, with 10 and with 10,000 stored
dialogs: the median and max wall time of an idle `poll_account` (what a webhook or an account with news
runs, lease included; the batched idle check looks up the same cursors) in this process, the two accounts
taking turns. A poll that loaded every dialog would take longer with the longer history.
Needs Redis on 127.0.0.1:6379 (and PostgreSQL for --database postgresql).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from redis.asyncio import Redis
from sqlalchemy import text

from bench.stack import REDIS_URL, bench_database, bench_services
from tests.fakes.avito import FakeAccount, FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.avito import AccessToken, AvitoClient
from tuberry.bot.composition import worker_factory
from tuberry.jobs.leases import leased
from tuberry.jobs.poll import poll_account
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, ClientBot, Dialog, Workspace
from tuberry.storage.types import utcnow

ACCOUNTS_PER_WORKSPACE = 100
HISTORY_PAGE = 10  # chats the fake Avito lists for the per-poll account
HISTORIES = (10, 10_000)
HISTORY_POLLS = 50
START_TIMEOUT = 60.0


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads) from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _seed(db: Database, avito: FakeAvito, accounts: int, chats: int, interval: float) -> dict[int, int]:
    """Active accounts whose chats are all stored up to their last message, with a token, polled last at
    moments spread over one interval. Returns the number of Avito chats of each Avito user id."""
    now = utcnow()
    per_user: dict[int, int] = {}
    fakes = [avito.add_account(name=f"Shop {n}") for n in range(accounts)]
    tokens = await _tokens(avito, fakes)
    async with db.session() as session:
        for first in range(0, accounts, ACCOUNTS_PER_WORKSPACE):
            workspace = Workspace(owner_telegram_id=9_000_000 + first, title=f"idle {first}")
            session.add(workspace)
            await session.flush()
            bot = ClientBot(
                workspace_id=workspace.id,
                telegram_bot_id=8_000_000 + first,
                token=f"{8_000_000 + first}:{secrets.token_urlsafe(26)}",
                username=f"idle_{first}_bot",
                group_chat_id=-1_000_000_000 - first,
                webhook_secret=secrets.token_urlsafe(8),
            )
            session.add(bot)
            await session.flush()
            for n in range(first, min(first + ACCOUNTS_PER_WORKSPACE, accounts)):
                fake, token = fakes[n], tokens[n]
                row = AvitoAccount(
                    workspace_id=workspace.id,
                    bot_id=bot.id,
                    client_id=fake.client_id,
                    client_secret=fake.client_secret,
                    avito_user_id=fake.user_id,
                    name=fake.name,
                    webhook_secret=secrets.token_urlsafe(8),
                    last_poll_at=now - timedelta(seconds=interval * n / accounts),
                    last_success_at=now,
                    access_token=token.value,
                    token_expires_at=token.expires_at,
                )
                session.add(row)
                await session.flush()
                for _ in range(chats):
                    chat_id = avito.add_chat(fake)
                    last = avito.buyer_sends(chat_id, "Здравствуйте")
                    session.add(Dialog(account_id=row.id, avito_chat_id=chat_id, last_message_id=last["id"]))
                per_user[fake.user_id] = chats
        await session.commit()
    return per_user


async def _tokens(avito: FakeAvito, fakes: list[FakeAccount]) -> list[AccessToken]:
    """A token for each account, as a running installation has them stored."""
    client = AvitoClient(avito.base_url)
    try:
        tokens: list[AccessToken] = []
        for first in range(0, len(fakes), 100):
            chunk = fakes[first : first + 100]
            tokens += await asyncio.gather(*(client.fetch_token(f.client_id, f.client_secret) for f in chunk))
        return tokens
    finally:
        await client.aclose()


def _worker_env(
    url: str, key: str, prefix: str, tg: FakeTelegram, avito: FakeAvito, interval: float
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HTTP_PORT")}
    return env | {
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": prefix,
        "SECRET_KEY": key,
        "MASTER_BOT_TOKEN": tg.add_bot(username="idle_cost_master_bot").token,
        "TELEGRAM_API_BASE": tg.base_url,
        "AVITO_API_BASE": avito.base_url,
        "AVITO_POLL_INTERVAL": f"{interval:g}",
    }


def _chat_list_user(method: str, path: str) -> int | None:
    """The Avito user id of a chat-list GET (/messenger/v2/accounts/{user_id}/chats), else None."""
    parts = path.rstrip("/").split("/")
    if method == "GET" and len(parts) == 6 and parts[-1] == "chats" and parts[-2].isdigit():
        return int(parts[-2])
    return None


async def _spawn_worker(workdir: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    """`tuberry worker` in `workdir`, its output in worker.log there."""
    with (workdir / "worker.log").open("wb") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tuberry.bot.cli", "worker", cwd=workdir, env=env, stdout=log, stderr=log
        )


async def _wait_for_polls(avito: FakeAvito, proc: asyncio.subprocess.Process, workdir: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not any(_chat_list_user(m, p) for m, p, _ in avito.requests):
        if proc.returncode is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not poll; see {workdir / 'worker.log'}")
        await asyncio.sleep(0.2)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def _forget_redis(prefix: str) -> None:
    redis = Redis.from_url(REDIS_URL)
    with contextlib.suppress(Exception):
        keys = [k async for k in redis.scan_iter(match=f"*{prefix}*")]
        if keys:
            await redis.delete(*keys)
    await redis.aclose()


async def measure_idle(
    accounts: int, chats: int, interval: float, warmup: float, window: float, kind: str
) -> dict[str, float]:
    """Figures of one worker polling `accounts` idle accounts (see the module's docstring)."""
    key = Fernet.generate_key().decode()
    crypto.install_keys([key])
    workdir = Path(tempfile.mkdtemp(prefix="tuberry-idle-cost-"))
    prefix = f"tuberry-idle-cost-{uuid.uuid4().hex[:8]}"
    tg, avito = FakeTelegram(), FakeAvito()
    await tg.start()
    await avito.start()
    try:
        async with bench_database(kind) as url:
            db = Database(url)
            try:
                per_user = await _seed(db, avito, accounts, chats, interval)
                await _analyze(db)
            finally:
                await db.dispose()
            env = _worker_env(url, key, prefix, tg, avito, interval)
            proc = await _spawn_worker(workdir, env)
            try:
                await _wait_for_polls(avito, proc, workdir)
                await asyncio.sleep(warmup)
                first, cpu0, t0 = len(avito.requests), _cpu_seconds(proc.pid), time.monotonic()
                arrivals = await _note_arrivals(avito, window)
                last, cpu1, t1 = len(avito.requests), _cpu_seconds(proc.pid), time.monotonic()
                if proc.returncode is not None:
                    raise SystemExit(f"the worker exited; see {workdir / 'worker.log'}")
            finally:
                await _stop(proc)
                await _forget_redis(prefix)
    finally:
        await avito.stop()
        await tg.stop()
    counted = avito.requests[first:last]
    polls = Counter(user for m, p, _ in counted if (user := _chat_list_user(m, p)) is not None)
    tokens = sum(1 for _, p, _ in counted if p.rstrip("/") == "/token")
    intervals = (t1 - t0) / interval
    gaps = _gaps(avito, arrivals, first, last)
    return {
        "accounts": float(accounts),
        "chats per account": float(chats),
        "window s": t1 - t0,
        "chat-list GETs per account per interval": sum(polls.values()) / len(per_user) / intervals,
        "accounts never polled in the window": float(sum(1 for user in per_user if user not in polls)),
        "s between an account's GETs, median": statistics.median(gaps) if gaps else 0.0,
        "s between an account's GETs, 1st percentile": _percentile(gaps, 1),
        "s between an account's GETs, 99th percentile": _percentile(gaps, 99),
        "token requests": float(tokens),
        "other requests": float(len(counted) - sum(polls.values()) - tokens),
        "worker CPU % of one core": 100 * (cpu1 - cpu0) / (t1 - t0),
    }


async def _note_arrivals(avito: FakeAvito, seconds: float) -> list[tuple[float, int]]:
    """(moment, requests the fake had received by then) every 50 ms for `seconds`: when each arrived,
    to 50 ms (the fake keeps no times)."""
    arrivals = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        arrivals.append((time.monotonic(), len(avito.requests)))
        await asyncio.sleep(0.05)
    return arrivals


def _gaps(avito: FakeAvito, arrivals: list[tuple[float, int]], first: int, last: int) -> list[float]:
    """Seconds between consecutive chat-list GETs of each account within the window."""
    seen: dict[int, float] = {}
    gaps: list[float] = []
    marks = iter(arrivals)
    moment, count = next(marks, (0.0, last))
    for index in range(first, last):
        while count <= index:
            moment, count = next(marks, (moment, last))
        method, path, _ = avito.requests[index]
        user = _chat_list_user(method, path)
        if user is not None:
            if user in seen:
                gaps.append(moment - seen[user])
            seen[user] = moment
    return gaps


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] if ordered else 0.0


async def _history_account(db: Database, avito: FakeAvito, dialogs: int) -> int:
    """An active account: the fake lists HISTORY_PAGE chats, the database holds `dialogs` dialogs among
    which those chats, each stored up to its last message."""
    fake = avito.add_account()
    listed = {}
    for _ in range(min(HISTORY_PAGE, dialogs)):
        chat_id = avito.add_chat(fake)
        listed[chat_id] = avito.buyer_sends(chat_id, "Здравствуйте")["id"]
    async with db.session() as session:
        workspace = Workspace(owner_telegram_id=fake.user_id, title="history")
        session.add(workspace)
        await session.flush()
        bot = ClientBot(
            workspace_id=workspace.id,
            telegram_bot_id=fake.user_id,
            token=f"{fake.user_id}:{secrets.token_urlsafe(26)}",
            username=f"history_{fake.user_id}_bot",
            webhook_secret=secrets.token_urlsafe(8),
        )
        session.add(bot)
        await session.flush()
        account = AvitoAccount(
            workspace_id=workspace.id,
            bot_id=bot.id,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            avito_user_id=fake.user_id,
            webhook_secret=secrets.token_urlsafe(8),
            last_success_at=utcnow(),
        )
        session.add(account)
        await session.flush()
        old = [(f"u2i-old-{n:06d}", f"m-old-{n}") for n in range(dialogs - len(listed))]
        session.add_all(
            Dialog(account_id=account.id, avito_chat_id=chat_id, last_message_id=last)
            for chat_id, last in [*old, *listed.items()]
        )
        await session.commit()
    await _analyze(db)
    return account.id


async def _analyze(db: Database) -> None:
    """Planner statistics, as the database server's autovacuum gathers them soon after a bulk import (on a
    table without them PostgreSQL scans every dialog of the account for the page's chats)."""
    async with db.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()


async def measure_history(kind: str, polls: int = HISTORY_POLLS) -> dict[str, float]:
    """Wall time of one idle poll (the worker's job, lease included) with each stored history; the accounts'
    polls take turns, so that the machine's load weighs on both alike."""
    tg, avito = FakeTelegram(), FakeAvito()
    figures: dict[str, float] = {}
    async with bench_services(kind, tg, avito) as (db, services):
        ctx: dict[str, Any] = dict(worker_factory(services, REDIS_URL, group_rate=0, bot_rate=0)().ctx)
        job = leased("poll")(poll_account)
        accounts = {dialogs: await _history_account(db, avito, dialogs) for dialogs in HISTORIES}
        times: dict[int, list[float]] = {dialogs: [] for dialogs in HISTORIES}
        for account_id in accounts.values():
            await job(ctx, account_id)  # the token, fetched once
        before = len(avito.requests)
        for _ in range(polls):
            for dialogs, account_id in accounts.items():
                started = time.perf_counter()
                outcome = await job(ctx, account_id)
                times[dialogs].append(time.perf_counter() - started)
                if outcome != "0 dialogs updated":
                    raise SystemExit(f"an idle poll of account {account_id} said {outcome!r}")
        requests = (len(avito.requests) - before) / polls / len(accounts)
        for dialogs in HISTORIES:
            figures[f"idle poll ms, {dialogs} dialogs, median"] = 1000 * statistics.median(times[dialogs])
            figures[f"idle poll ms, {dialogs} dialogs, max"] = 1000 * max(times[dialogs])
        figures["Avito requests per idle poll"] = requests
    return figures


async def measure(
    accounts: int = 2000,
    chats: int = 1,
    interval: float = 10.0,
    warmup: float = 20.0,
    window: float = 60.0,
    database: str = "postgresql",
    history: bool = True,
) -> dict[str, float]:
    """Every figure of this benchmark by name (`python -m bench` prints them in its table)."""
    figures = await measure_idle(accounts, chats, interval, warmup, window, database)
    if history:
        figures |= await measure_history(database)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=1, help="chats (stored dialogs) per account")
    parser.add_argument("--interval", type=float, default=10.0, help="AVITO_POLL_INTERVAL, seconds")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds before counting")
    parser.add_argument("--window", type=float, default=60.0, help="seconds counted")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    part = parser.add_mutually_exclusive_group()
    part.add_argument("--no-history", action="store_true", help="skip the per-poll part")
    part.add_argument("--history-only", action="store_true", help="only the per-poll part")
    args = parser.parse_args()
    if args.history_only:
        figures = asyncio.run(measure_history(args.database))
    else:
        figures = asyncio.run(
            measure(
                args.accounts, args.chats, args.interval, args.warmup, args.window, args.database,
                not args.no_history,
            )
        )  # fmt: skip
    print(f"database={args.database} AVITO_POLL_INTERVAL={args.interval:g}, one tuberry worker")
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"  {name:<{width}}  {value:10.2f}")


if __name__ == "__main__":
    main()
