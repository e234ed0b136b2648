"""Throughput and latency of the bridge, in one process, against the local fake servers.

    .venv/bin/python -m bench.throughput --accounts 50 --chats 10 --messages 20 --database postgresql
    .venv/bin/python -m bench.throughput --accounts 5 --chats 4 --messages 10 --rate 50   # a steady stream

`accounts` shops (a workspace, a client bot in a forum group of its own, an Avito account each: 50 bots for
50 accounts) get `messages` buyer texts into each of their `chats` Avito chats: all at once (a burst: the
throughput figure), or `--rate` a second spread over the chats (latency of a steady stream, once every chat's
topic exists: a first text into each chat is waited for before the stream starts). Pacing is off,
as against a local server; one worker (or `--workers`). Printed: messages a second until every text is in its
topic (topics and cards included), the latency from the buyer's send to the fake Telegram receiving the
sendMessage (p50/p95/p99), and the same towards Avito for one manager reply per chat.
Needs Redis on 127.0.0.1:6379 (and PostgreSQL for --database postgresql).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time
from typing import Any

from aiohttp import web

from bench.shop import Shop, open_shop
from bench.stack import REDIS_URL, bench_services
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_avito_webhooks, build_receivers, worker_factory
from tuberry.bot.web import build_web_app
from tuberry.bot.webhooks import WebhookReceivers


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _note_sends(tg: FakeTelegram) -> dict[str, float]:
    """When each text first reached the fake Telegram in an accepted sendMessage (cheaper than scanning every
    group's messages while the bridge runs in the same process)."""
    arrived: dict[str, float] = {}
    invoke = tg._invoke

    async def timed(bot: Any, method: str, raw: dict[str, Any], files: dict[str, Any]) -> tuple[int, Any]:
        status, body = await invoke(bot, method, raw, files)
        if status == 200 and method.lower() == "sendmessage":
            for line in str(raw.get("text", "")).splitlines():
                arrived.setdefault(line.strip(), time.perf_counter())
        return status, body

    tg._invoke = timed  # type: ignore[method-assign]
    return arrived


def _note_replies(avito: FakeAvito) -> list[float]:
    """When each message sent through the API reached the fake Avito (counting them by scanning every chat
    every few milliseconds cost the bridge a tenth of the process's CPU)."""
    sent: list[float] = []
    append = avito._append

    def noted(*args: Any, via_api: bool = False, **kwargs: Any) -> dict[str, Any]:
        if via_api:
            sent.append(time.perf_counter())
        return append(*args, via_api=via_api, **kwargs)

    avito._append = noted  # type: ignore[method-assign]
    return sent


async def _until(condition: Any, what: str, limit: float = 900) -> None:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > limit:
            raise SystemExit(f"{what}: not done after {limit:g} s")
        await asyncio.sleep(0.02)


async def measure(
    accounts: int = 50,
    chats: int = 10,
    messages: int = 20,
    kind: str = "postgresql",
    workers: int = 1,
    rate: float = 0.0,
    webhooks: bool = False,
) -> dict[str, float]:
    """Figures by name: to_telegram_per_s, to_avito_per_s, latency_p50/p95/p99 (seconds). With `webhooks`,
    Avito's webhooks bring the buyers' messages and Telegram's bring the managers' (PUBLIC_URL set; the
    reconciliation poll every 5 minutes), instead of polling Avito every 0.5 s and long-polling Telegram."""
    tg, avito = FakeTelegram(), FakeAvito()
    arrived = _note_sends(tg)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    hooks = {"public_url": f"http://127.0.0.1:{sock.getsockname()[1]}", "avito_poll_interval": 300.0}
    async with bench_services(kind, tg, avito, **(hooks if webhooks else {})) as (db, services):
        shops = [
            await open_shop(db, tg, avito, username=f"bench{n}_bot", title=f"Bench {n}")
            for n in range(accounts)
        ]
        receivers = build_receivers(services, build_client_dispatcher(services))
        avito_hooks = build_avito_webhooks(services, recheck=0)
        runner: web.AppRunner | None = None
        if isinstance(receivers, WebhookReceivers) and avito_hooks is not None:
            runner = web.AppRunner(build_web_app(services, receivers.routes() + avito_hooks.routes()))
            await runner.setup()
            await web.SockSite(runner, sock).start()
        await receivers.sync()
        if avito_hooks is not None:
            await avito_hooks.sync()
        new_worker = worker_factory(services, REDIS_URL, group_rate=0, bot_rate=0)
        tasks = [asyncio.create_task(w.main()) for w in [new_worker() for _ in range(workers)]]
        try:
            return await _run(tg, avito, shops, chats, messages, rate, arrived)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if avito_hooks is not None:
                await avito_hooks.close()
            await receivers.close()
            if runner is not None:
                await runner.cleanup()
            sock.close()


async def _run(
    tg: FakeTelegram,
    avito: FakeAvito,
    shops: list[Shop],
    chats: int,
    messages: int,
    rate: float,
    arrived: dict[str, float],
) -> dict[str, float]:
    chat_ids = [
        (shop, avito.add_chat(shop.account, buyer_name=f"Покупатель {c}"))
        for shop in shops
        for c in range(chats)
    ]
    if rate:
        # A steady stream into topics that exist: each chat's topic, card and pin are made first.
        for n, (_, chat) in enumerate(chat_ids):
            avito.buyer_sends(chat, f"w{n}.")
        await _until(lambda: all(f"w{n}." in arrived for n in range(len(chat_ids))), "the warm-up texts")
    sent_at: dict[str, float] = {}
    start = time.perf_counter()
    for round_ in range(messages):
        for n, (_, chat) in enumerate(chat_ids):
            text = f"m{n}-{round_}."
            if rate:
                await asyncio.sleep(max(0.0, start + len(sent_at) / rate - time.perf_counter()))
            sent_at[text] = time.perf_counter()
            avito.buyer_sends(chat, text)
    await _until(lambda: all(text in arrived for text in sent_at), "buyers' texts into topics")
    inbound = max(arrived[text] for text in sent_at) - start
    latencies = [arrived[text] - sent_at[text] for text in sent_at]

    threads: list[tuple[Shop, int]] = []
    for shop in shops:
        topics = {m.get("message_thread_id") for m in tg.sent(shop.group, bot=shop.bot)}
        threads += [(shop, thread) for thread in topics if thread]
    replied = _note_replies(avito)
    start = time.perf_counter()
    for shop, thread in threads:
        tg.user_sends(shop.bot, shop.group, shop.manager, f"ответ в {thread}", thread_id=thread)

    await _until(lambda: len(replied) >= len(threads), "managers' replies to Avito")
    outbound = time.perf_counter() - start
    return {
        "to_telegram_messages": len(sent_at),
        "to_telegram_per_s": len(sent_at) / inbound,
        "latency_p50": percentile(latencies, 50),
        "latency_p95": percentile(latencies, 95),
        "latency_p99": percentile(latencies, 99),
        "to_avito_messages": len(threads),
        "to_avito_per_s": len(threads) / outbound,
    }


def print_figures(figures: dict[str, float], label: str) -> None:
    print(label)
    print(
        f"Avito → Telegram: {figures['to_telegram_messages']:.0f} messages, "
        f"{figures['to_telegram_per_s']:.1f} msg/s (topics and cards included)"
    )
    print(
        f"  latency buyer send → sendMessage: p50 {figures['latency_p50'] * 1000:.0f} ms, "
        f"p95 {figures['latency_p95'] * 1000:.0f} ms, p99 {figures['latency_p99'] * 1000:.0f} ms"
    )
    print(
        f"Telegram → Avito: {figures['to_avito_messages']:.0f} replies, {figures['to_avito_per_s']:.1f} msg/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--chats", type=int, default=10, help="chats per account")
    parser.add_argument("--messages", type=int, default=20, help="messages per chat")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.0, help="buyers' messages a second (0: a burst)")
    parser.add_argument("--webhooks", action="store_true", help="Avito and Telegram push (PUBLIC_URL set)")
    args = parser.parse_args()
    figures = asyncio.run(
        measure(
            args.accounts, args.chats, args.messages, args.database, args.workers, args.rate, args.webhooks
        )
    )
    label = (
        f"database={args.database} workers={args.workers} accounts={args.accounts} "
        f"chats/account={args.chats} "
        f"messages/chat={args.messages} rate={args.rate or 'burst'} webhooks={args.webhooks}"
    )
    print_figures(figures, label)


if __name__ == "__main__":
    main()
