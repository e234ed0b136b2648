"""How long the Stats screen takes over a large history: 1,000,000 stored messages of one workspace.

    .venv/bin/python -m bench.stats_query                          # PostgreSQL, 1,000,000 messages
    .venv/bin/python -m bench.stats_query --messages 100000 --database sqlite

A new database gets one workspace with `--accounts` Avito accounts, `--dialogs` dialogs spread over them and
`--messages` messages over `--history` days up to now, written by the database itself (INSERT … SELECT over a
generated series): the dialogs start one after another, each with its share of the messages in a row, the
buyer's alternating with answers (a manager's reply, every fifth an auto-reply, every seventh from the Avito
app). With planner statistics
gathered (ANALYZE, as autovacuum does after a bulk load), the screen's work for one workspace
(`build_report` of bot/master/dialogs/stats.py: its queries and the first-response maths) runs `--runs`
times for today (the screen's default period) and for 30 days (the longest). Printed: the median and
slowest run of each, in seconds. Needs PostgreSQL for --database postgresql (the default).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import time

from cryptography.fernet import Fernet
from sqlalchemy import text

from bench.stack import bench_database
from tuberry.bot.master.dialogs.stats import PERIODS, build_report
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, ClientBot, Workspace
from tuberry.storage.types import utcnow

SERIES = {
    "postgresql": "SELECT g FROM generate_series(0, :count - 1) AS g",
    "sqlite": (
        "WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g + 1 < :count) SELECT g FROM s"
    ),
}
# The moment of message g: spread evenly over the history, the newest now. Per backend, in its own terms.
AGO = "CAST(:span AS float) * (1 - g / CAST(:count AS float))"  # seconds before now
MOMENT = {
    "postgresql": f"CAST(:now AS timestamptz) - make_interval(secs => {AGO})",
    "sqlite": f"strftime('%Y-%m-%d %H:%M:%f', :now_naive, '-' || ({AGO}) || ' seconds')",
}
BOOL = {"postgresql": ("true", "false"), "sqlite": ("1", "0")}
EMPTY_JSON = {"postgresql": "CAST('{}' AS json)", "sqlite": "'{}'"}


async def _seed(db: Database, kind: str, accounts: int, dialogs: int, messages: int, history: float) -> int:
    """The workspace (its id), its accounts, dialogs and messages."""
    async with db.session() as session:
        workspace = Workspace(owner_telegram_id=7_000_001, title="stats")
        session.add(workspace)
        await session.flush()
        bot = ClientBot(
            workspace_id=workspace.id,
            telegram_bot_id=7_000_001,
            token=f"7000001:{secrets.token_urlsafe(26)}",
            username="stats_bench_bot",
            group_chat_id=-1_007_000_001,
            webhook_secret=secrets.token_urlsafe(8),
        )
        session.add(bot)
        await session.flush()
        rows = [
            AvitoAccount(
                workspace_id=workspace.id,
                bot_id=bot.id,
                client_id=f"client-{n}",
                client_secret="secret",
                avito_user_id=50_000_000 + n,
                name=f"Shop {n}",
                webhook_secret=secrets.token_urlsafe(8),
            )
            for n in range(accounts)
        ]
        session.add_all(rows)
        await session.commit()
        first_account = min(row.id for row in rows)
    true, false = BOOL[kind]
    now = utcnow()
    params = {"count": dialogs, "accounts": accounts, "first": first_account}
    async with db.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO dialogs "
                "(account_id, avito_chat_id, chat_type, card_pinned, read_pending, created_at) "
                f"SELECT :first + g % :accounts, 'u2i-bench-' || g, 'u2i', {false}, {false}, :now "
                f"FROM ({SERIES[kind]}) AS series"
            ),
            params | {"now": now if kind == "postgresql" else now.replace(tzinfo=None)},
        )
        first_dialog = (await connection.execute(text("SELECT min(id) FROM dialogs"))).scalar_one()
        # Message g is the (g % per_dialog)-th of dialog g // per_dialog, whose messages follow each other in
        # time: dialogs start one after another over the history. Even turns are the buyer's.
        await connection.execute(
            text(
                "INSERT INTO messages (dialog_id, direction, origin, kind, text, content, avito_message_id, "
                "avito_created_at, part, tg_state, avito_state, is_auto_reply, attempts, created_at) "
                "SELECT dialog_id, "
                "CASE WHEN turn % 2 = 0 THEN 'in' ELSE 'out' END, "
                "CASE WHEN turn % 2 = 0 OR turn % 7 = 1 THEN 'avito' WHEN turn % 5 = 1 THEN 'auto' "
                "ELSE 'manager' END, "
                f"'text', 'bench', {EMPTY_JSON[kind]}, "
                "CASE WHEN turn % 2 = 0 OR turn % 7 = 1 THEN 'm' || g END, "
                "CASE WHEN turn % 2 = 0 OR turn % 7 = 1 THEN at END, "
                "0, 'delivered', CASE WHEN turn % 2 = 0 THEN 'received' ELSE 'sent' END, "
                f"CASE WHEN turn % 2 = 1 AND turn % 7 != 1 AND turn % 5 = 1 THEN {true} ELSE {false} END, "
                "0, at "
                f"FROM (SELECT g, :first_dialog + g / :per_dialog AS dialog_id, g % :per_dialog AS turn, "
                f"{MOMENT[kind]} AS at FROM ({SERIES[kind]}) AS series) AS generated"
            ),
            {
                "count": messages,
                "per_dialog": max(1, messages // dialogs),
                "first_dialog": first_dialog,
                "span": history * 86400,
                "now": now,
                "now_naive": now.replace(tzinfo=None).isoformat(sep=" "),
            },
        )
        await connection.execute(text("ANALYZE"))
    return workspace.id


async def _time_report(db: Database, workspace_id: int, days: int, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await build_report(db, workspace_id, days, utcnow())
        times.append(time.perf_counter() - started)
    return times


async def measure(
    database: str = "postgresql",
    messages: int = 1_000_000,
    dialogs: int = 20_000,
    accounts: int = 20,
    history: float = 365.0,
    runs: int = 5,
) -> dict[str, float]:
    """The Stats screen's time by period over a database of `messages` messages (figures by name)."""
    crypto.install_keys([Fernet.generate_key().decode()])
    figures: dict[str, float] = {}
    async with bench_database(database) as url:
        db = Database(url)
        try:
            started = time.perf_counter()
            workspace_id = await _seed(db, database, accounts, dialogs, messages, history)
            figures["stored messages"] = float(messages)
            figures["seconds to fill the database"] = time.perf_counter() - started
            for days in (PERIODS[0], PERIODS[-1]):
                times = await _time_report(db, workspace_id, days, runs)
                figures[f"stats screen s, {days} day(s), median"] = statistics.median(times)
                figures[f"stats screen s, {days} day(s), max"] = max(times)
        finally:
            await db.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--dialogs", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--history", type=float, default=365.0, help="days the messages spread over")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    figures = asyncio.run(
        measure(args.database, args.messages, args.dialogs, args.accounts, args.history, args.runs)
    )
    print(
        f"database={args.database}: {args.messages} messages in {args.dialogs} dialogs of {args.accounts} "
        f"accounts over {args.history:g} days, one workspace; {args.runs} runs per period"
    )
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"  {name:<{width}}  {value:10.3f}")


if __name__ == "__main__":
    main()
