"""Every benchmark in one run, one table: `python -m bench` (about 25 minutes), `--quick` for small sizes.

Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379, as the tests do. Each row names the figure,
what was measured, and the target from the performance issue where there is one; a missed target is
marked "✗". The sizes of each run are printed above the table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench import burst, fairness, floor, idle, idle_cost, peak, scaled, stats_query, throughput


@dataclass(frozen=True)
class Sizes:
    accounts: int  # throughput, floor, peak memory and scaled out: accounts (and bots) …
    chats: int  # … chats per account …
    messages: int  # … messages per chat
    steady: int  # messages of the steady-rate latency runs (at STEADY_RATE a second)
    idle_accounts: int
    idle_window: float  # seconds of idle polling observed
    stored_messages: int  # rows behind the stats screen's queries
    idle_runs: int


FULL = Sizes(50, 10, 20, 1500, 2000, 60.0, 1_000_000, 3)
QUICK = Sizes(5, 4, 10, 250, 200, 20.0, 100_000, 1)
STEADY_RATE = 50.0


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    target: str = ""
    met: bool | None = None


def _mark(met: bool | None) -> str:
    return "" if met is None else (" ✓" if met else " ✗")


async def _rows(sizes: Sizes, log: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    a, c, m = sizes.accounts, sizes.chats, sizes.messages

    async def step(name: str, run: Callable[[], Awaitable[dict[str, float]]]) -> dict[str, float]:
        log(f"… {name}")
        started = time.perf_counter()
        figures = await run()
        log(f"  done in {time.perf_counter() - started:.0f} s")
        return figures

    bare = await step("bare-relay floor", lambda: floor.measure(a, c, m))
    one = await step("throughput, one worker, PostgreSQL", lambda: throughput.measure(a, c, m, "postgresql"))
    for way, label in (("to_telegram", "Avito → Telegram"), ("to_avito", "Telegram → Avito")):
        ratio = one[f"{way}_per_s"] / bare[f"{way}_per_s"]
        rows.append(Row(f"{label}, msg/s (floor)", f"{one[f'{way}_per_s']:.0f} ({bare[f'{way}_per_s']:.0f})"))
        rows.append(Row(f"{label}, share of the floor", f"{ratio:.2f}", "≥ 0.9", ratio >= 0.9))
    out = await step("scaled out: tuberry bot + 3 workers", lambda: scaled.measure(a, c, m, 3))
    clean = out["lost"] + out["duplicates"] + out["replies_lost"] + out["replies_doubled"] == 0
    rows.append(
        Row(
            "scaled out (bot + 3 workers), msg/s both ways",
            f"{out['to_telegram_per_s']:.0f} / {out['to_avito_per_s']:.0f}",
        )
    )
    rows.append(
        Row(
            "scaled out: lost / shown twice",
            f"{out['lost'] + out['replies_lost']:.0f} / {out['duplicates'] + out['replies_doubled']:.0f}",
            "0 / 0",
            clean,
        )
    )
    per_chat = max(1, sizes.steady // (a * c))
    for hooked, mode in ((False, "polling"), (True, "webhooks")):
        lat = await step(
            f"latency at {STEADY_RATE:g} msg/s, {mode}",
            lambda hooked=hooked: throughput.measure(
                a, c, per_chat, "postgresql", rate=STEADY_RATE, webhooks=hooked
            ),
        )
        p50, p95, p99 = (lat[f"latency_p{p}"] * 1000 for p in (50, 95, 99))
        target, met = ("p95 ≤ 1000", p95 <= 1000) if hooked else ("", None)
        sustained = lat["to_telegram_per_s"]
        rows.append(Row(f"steady {STEADY_RATE:g} msg/s, {mode}: sustained, msg/s", f"{sustained:.1f}"))
        rows.append(Row(f"latency ms p50/p95/p99, {mode}", f"{p50:.0f} / {p95:.0f} / {p99:.0f}", target, met))
    paced = await step("paced burst: 60 texts, 3 chats, 20 a minute", lambda: burst.measure(gap=0.1))
    rows.append(
        Row("paced burst of 60: all in topics, s", f"{paced['seconds']:.0f}", "≤ 90", paced["seconds"] <= 90)
    )
    rows.append(
        Row(
            "paced burst: busiest minute, messages",
            f"{paced['busiest_window']:.0f}",
            "≤ 20",
            paced["busiest_window"] <= 20,
        )
    )
    fair = await step("fairness: 400 messages against 1", lambda: fairness.measure(20, 20, 20))
    rows.append(
        Row(
            "fairness: the quiet shop's delay, s (max)",
            f"{fair['delay_max']:.1f}",
            "≤ 15",
            fair["delay_max"] <= 15,
        )
    )
    rows.append(Row("fairness: the quiet account's longest poll gap, s", f"{fair['poll_gap_max']:.1f}"))
    rows += await _idle_cost_rows(sizes, step)
    start = await step("start-up and idle memory of tuberry run", lambda: idle.measure(sizes.idle_runs, 10.0))
    rows.append(
        Row(
            "start-up to the master's first getUpdates, s (CPU s)",
            f"{start['master_start_min']:.1f}–{start['master_start_max']:.1f} "
            f"({start['master_cpu_min']:.1f}–{start['master_cpu_max']:.1f})",
            "≤ 3",
            start["master_start_max"] <= 3,
        )
    )
    rows.append(Row("idle RSS, MB", f"{start['idle_rss_max']:.0f}", "≤ 120", start["idle_rss_max"] <= 120))
    top = await step("peak memory under load", lambda: peak.measure(a, c, m))
    rows.append(
        Row(
            f"peak RSS relaying {top['messages']:.0f} messages, {a} accounts and bots, MB",
            f"{top['peak_rss']:.0f}",
            "≤ 200",
            top["peak_rss"] <= 200,
        )
    )
    rows += await _stats_rows(sizes, step)
    return rows


async def _idle_cost_rows(sizes: Sizes, step: Callable[..., Awaitable[dict[str, float]]]) -> list[Row]:
    cost = await step(
        f"idle cost: {sizes.idle_accounts} accounts",
        lambda: idle_cost.measure(accounts=sizes.idle_accounts, window=sizes.idle_window),
    )
    per = cost["chat-list GETs per account per interval"]
    other = cost["other requests"] + cost["token requests"]
    cpu = cost["worker CPU % of one core"]
    return [
        Row(
            f"idle: Avito requests per account per interval ({sizes.idle_accounts} accounts; others)",
            f"{per:.2f} ({other:.0f})",
            "1 (0)",
            abs(per - 1) < 0.05 and other == 0,
        ),
        Row("idle: worker CPU, % of one core", f"{cpu:.0f}", "≤ 25", cpu <= 25),
        Row(
            "idle poll, ms, 10 vs 10,000 stored dialogs",
            " / ".join(
                f"{v:.1f}" for k, v in cost.items() if k.startswith("idle poll") and k.endswith("median")
            ),
        ),
    ]


async def _stats_rows(sizes: Sizes, step: Callable[..., Awaitable[dict[str, float]]]) -> list[Row]:
    figures = await step(
        f"stats screen over {sizes.stored_messages:,} messages",
        lambda: stats_query.measure(messages=sizes.stored_messages, dialogs=sizes.stored_messages // 50),
    )
    return [
        Row(f"stats screen over {sizes.stored_messages:,} messages, {name.split(', ')[1]}, s", f"{value:.2f}")
        for name, value in figures.items()
        if name.startswith("stats screen") and name.endswith("median")
    ]


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    gigabytes = int(memory) / 1024 / 1024
    return f"{os.cpu_count()} CPUs ({cpu}), {gigabytes:.0f} GB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a few minutes")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    print(f"machine: {_machine()}")
    print(f"sizes: {sizes}")
    rows = asyncio.run(_rows(sizes, lambda line: print(line, flush=True)))
    print()
    print("| figure | measured | target |")
    print("|---|---|---|")
    for row in rows:
        print(f"| {row.figure} | {row.value} | {row.target}{_mark(row.met)} |")


if __name__ == "__main__":
    main()
