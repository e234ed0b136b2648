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
import time
from dataclasses import asdict, dataclass

from bench.process import cpu_seconds, onboarded, status_mb, tuberry_run
from tests.fakes.telegram import FakeBot, FakeTelegram

START_TIMEOUT = 120.0


@dataclass(frozen=True)
class Run:
    master_start: float  # seconds from spawn to the master bot's first getUpdates
    master_cpu: float  # CPU seconds (user + system) the process had used by then
    client_start: float  # … to the client bot's first getUpdates
    idle_rss: float  # MB
    peak_rss: float  # MB


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
    async with onboarded(1, confirm_joins=not handle_join) as stack:
        tg, master, bot = stack.tg, stack.master, stack.shops[0].bot
        before = {b.id: len(tg.calls("getUpdates", bot=b)) for b in (master, bot)}
        started = time.perf_counter()
        async with tuberry_run(stack, embedded=embedded) as proc:
            master_start = await _first_call(tg, master, "getUpdates", before[master.id], started, proc)
            master_cpu = cpu_seconds(proc.pid)
            client_start = await _first_call(tg, bot, "getUpdates", before[bot.id], started, proc)
            await asyncio.sleep(idle)
            if proc.returncode is not None:
                raise SystemExit(
                    f"tuberry run exited with {proc.returncode}; see {stack.workdir / 'run.log'}"
                )
            return Run(
                master_start,
                master_cpu,
                client_start,
                status_mb(proc.pid, "VmRSS"),
                status_mb(proc.pid, "VmHWM"),
            )


async def measure(runs: int = 3, idle: float = 10.0, embedded: bool = False) -> dict[str, float]:
    """The best and worst of `runs`: start-up seconds and CPU, idle and peak RSS (MB)."""
    results = [await one_run(idle, embedded, handle_join=False) for _ in range(runs)]
    figures: dict[str, float] = {}
    for name in asdict(results[0]):
        values = [getattr(r, name) for r in results]
        figures[f"{name}_min"], figures[f"{name}_max"] = min(values), max(values)
    return figures


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
