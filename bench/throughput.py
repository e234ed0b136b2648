"""Throughput and latency of the bridge, in one process, against the local fake servers.

    .venv/bin/python -m bench.throughput --chats 20 --messages 10 --database sqlite

Buyers write `messages` texts into each of `chats` Avito chats, all at once (a burst) or one every `--gap`
seconds (latency of a calm stream); the figure is how long until every one is in its topic (pacing off, as
against a local server), and the per-message latency from the buyer's send to the bot posting it. Then
managers answer every chat once and the same is measured towards Avito.
Needs Redis on 127.0.0.1:6379 (and PostgreSQL for --database postgresql).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bench.shop import open_shop
from bench.stack import REDIS_URL, bench_services
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.app.services import Services
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_receivers, worker_factory
from tuberry.storage.db import Database


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(chats: int, messages: int, kind: str, workers: int, gap: float) -> None:
    tg, avito = FakeTelegram(), FakeAvito()
    async with bench_services(kind, tg, avito) as (db, services):
        await _measure(services, db, tg, avito, chats, messages, kind, workers, gap)


async def _measure(
    services: Services,
    db: Database,
    tg: FakeTelegram,
    avito: FakeAvito,
    chats: int,
    messages: int,
    kind: str,
    workers: int,
    gap: float,
) -> None:
    shop = await open_shop(db, tg, avito, username="bench_bot", title="Bench")
    bot, group, manager, account = shop.bot, shop.group, shop.manager, shop.account
    receivers = build_receivers(services, build_client_dispatcher(services), poll_timeout=1)
    await receivers.sync()
    new_worker = worker_factory(services, REDIS_URL, group_rate=0, bot_rate=0)
    pool = [new_worker() for _ in range(workers)]
    tasks = [asyncio.create_task(w.main()) for w in pool]
    try:
        chat_ids = [avito.add_chat(account, buyer_name=f"Покупатель {n}") for n in range(chats)]
        sent_at: dict[str, float] = {}
        arrived: dict[str, float] = {}
        total = chats * messages

        def observe() -> None:
            now = time.perf_counter()
            for message in tg.sent(group, bot=bot):
                text = message.get("text") or ""
                if text in sent_at and text not in arrived:
                    arrived[text] = now

        start = time.perf_counter()
        for round_ in range(messages):
            for n, chat in enumerate(chat_ids):
                text = f"m{n}-{round_}"
                sent_at[text] = time.perf_counter()
                avito.buyer_sends(chat, text)
                deadline = time.perf_counter() + gap
                while time.perf_counter() < deadline:
                    observe()
                    await asyncio.sleep(0.01)
        while len(arrived) < total:
            observe()
            if time.perf_counter() - start > 600:
                raise SystemExit(f"only {len(arrived)} of {total} arrived in 10 minutes")
            await asyncio.sleep(0.01)
        inbound = time.perf_counter() - start
        latencies = [arrived[t] - sent_at[t] for t in sent_at]

        topics = {}
        for message in tg.sent(group, bot=bot):
            topics.setdefault(message.get("message_thread_id"), message)
        threads = [t for t in topics if t]
        start = time.perf_counter()
        for thread in threads:
            tg.user_sends(bot, group, manager, f"ответ в {thread}", thread_id=thread)
        await tg.wait_until(lambda: sum(len(avito.sent_via_api(c)) for c in chat_ids) >= len(threads), 600)
        outbound = time.perf_counter() - start

        print(f"database={kind} workers={workers} chats={chats} messages/chat={messages} gap={gap}s")
        print(
            f"Avito → Telegram: {total} messages in {inbound:.2f} s = {total / inbound:.1f} msg/s "
            f"(incl. {len(threads)} topics created with cards)"
        )
        print(
            f"  latency buyer send → in topic: median {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {_percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
            f"(poll interval 0.5 s)"
        )
        print(
            f"Telegram → Avito: {len(threads)} replies in {outbound:.2f} s "
            f"= {len(threads) / outbound:.1f} msg/s"
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await receivers.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--gap", type=float, default=0.0, help="seconds between buyers' messages (0: a burst)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.chats, args.messages, args.database, args.workers, args.gap))


if __name__ == "__main__":
    main()
