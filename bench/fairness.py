"""One workspace's flood against another's single message: how long the quiet one waits.

    .venv/bin/python -m bench.fairness --chats 20 --messages 20 --rate 20 --database sqlite

Workspace A's buyers write `messages` texts into each of `chats` chats at once (400 by default) while a
group of its own takes `--rate` messages a minute (the fake Telegram answers 429 beyond it, pacing is on).
Workspace B is quiet; once A's flood is stored and being delivered, B's buyer writes one message, several
times over. Printed: how long each of B's messages took from the buyer to B's topic (target: ≤ 15 s), how
often B's account was polled during the flood against its interval (a busy account must not starve a
quiet one's polls), and how far A's flood had come meanwhile.
Needs Redis on 127.0.0.1:6379 (and PostgreSQL for --database postgresql).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import statistics
import time
from collections.abc import AsyncIterator

from bench.shop import Shop, open_shop
from bench.stack import REDIS_URL, bench_services
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_receivers, worker_factory

POLL_INTERVAL = 0.5  # bench_services' AVITO_POLL_INTERVAL


@contextlib.asynccontextmanager
async def _polls_of(avito: FakeAvito, user_id: int) -> AsyncIterator[list[float]]:
    """When (to a tenth of a second) the fake Avito was asked for `user_id`'s chat list: a poll begins so."""
    path = f"/messenger/v2/accounts/{user_id}/chats"
    moments: list[float] = []

    def count() -> int:
        return sum(1 for method, asked, _ in avito.requests if method == "GET" and asked == path)

    async def watch() -> None:
        seen = count()
        while True:
            await asyncio.sleep(0.1)
            now = count()
            moments.extend([time.monotonic()] * (now - seen))
            seen = now

    watcher = asyncio.create_task(watch())
    try:
        yield moments
    finally:
        watcher.cancel()


def _shown(tg: FakeTelegram, shop: Shop) -> list[str]:
    return [m.get("text") or "" for m in tg.sent(shop.group, bot=shop.bot)]


async def _arrival(tg: FakeTelegram, shop: Shop, text: str, limit: float) -> float:
    start = time.monotonic()
    while not any(text in body for body in _shown(tg, shop)):
        if time.monotonic() - start > limit:
            raise SystemExit(f"{text!r} not in workspace B's topic after {limit:g} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def measure(
    chats: int = 20, messages: int = 20, rate: int = 20, kind: str = "sqlite", probes: int = 5
) -> dict[str, float]:
    """Figures by name: delay_max/median (B's messages), flood_done (A's texts in topics meanwhile), polls,
    poll_gap_max (the longest time B's account went unpolled), seconds."""
    tg, avito = FakeTelegram(), FakeAvito()
    async with bench_services(kind, tg, avito) as (db, services):
        flood = await open_shop(db, tg, avito, username="flood_bot", title="Flood")
        quiet = await open_shop(db, tg, avito, username="quiet_bot", title="Quiet")
        receivers = build_receivers(services, build_client_dispatcher(services))
        await receivers.sync()
        worker = worker_factory(services, REDIS_URL, group_rate=rate, bot_rate=30)()
        task = asyncio.create_task(worker.main())
        try:
            for shop in (flood, quiet):  # the bots' first words in their groups are no part of the run
                with contextlib.suppress(AssertionError):
                    await tg.wait_until(lambda shop=shop: tg.sent(shop.group, bot=shop.bot), 10)
                tg.rate_limit_group(shop.group, rate)
            quiet_chat = avito.add_chat(quiet.account, buyer_name="Тихий покупатель")
            avito.buyer_sends(quiet_chat, "b-warmup")  # B's topic exists before the flood
            await _arrival(tg, quiet, "b-warmup", 60)
            chat_ids = [avito.add_chat(flood.account, buyer_name=f"Покупатель {n}") for n in range(chats)]
            texts = [f"a{n}-{i:03d}." for i in range(messages) for n in range(chats)]
            for text in texts:
                avito.buyer_sends(chat_ids[int(text[1 : text.index("-")])], text)
            delays: list[float] = []
            progress: list[int] = []
            async with _polls_of(avito, quiet.account.user_id) as polls:
                start = time.monotonic()
                for probe in range(probes):
                    await asyncio.sleep(5)
                    text = f"b-probe-{probe}"
                    avito.buyer_sends(quiet_chat, text)
                    delays.append(await _arrival(tg, quiet, text, 120))
                    shown = _shown(tg, flood)
                    progress.append(sum(1 for t in texts if any(t in body for body in shown)))
            elapsed = time.monotonic() - start
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await receivers.close()
    gaps = [b - a for a, b in itertools.pairwise(polls)]
    return {
        "flood": len(texts),
        "delay_max": max(delays),
        "delay_median": statistics.median(delays),
        "flood_done": progress[-1],
        "polls": len(polls),
        "poll_gap_max": max(gaps, default=0.0),
        "seconds": elapsed,
    }


def print_figures(figures: dict[str, float], chats: int, messages: int, rate: int, kind: str) -> None:
    print(f"database={kind} TELEGRAM_GROUP_RATE={rate} flood={chats} chats x {messages} texts")
    print(
        f"workspace B, buyer to topic during A's flood: max {figures['delay_max']:.1f} s, "
        f"median {figures['delay_median']:.1f} s (target <= 15 s)"
    )
    print(
        f"  A's texts in their topics by B's last message: "
        f"{figures['flood_done']:.0f} of {figures['flood']:.0f}"
    )
    print(
        f"workspace B's account polled {figures['polls']:.0f} times in {figures['seconds']:.0f} s "
        f"(interval {POLL_INTERVAL:g} s; longest gap {figures['poll_gap_max']:.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=20, help="texts per chat of workspace A")
    parser.add_argument("--rate", type=int, default=20, help="TELEGRAM_GROUP_RATE, a minute")
    parser.add_argument("--probes", type=int, default=5, help="workspace B's messages during the flood")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.chats, args.messages, args.rate, args.database, args.probes))
    print_figures(figures, args.chats, args.messages, args.rate, args.database)


if __name__ == "__main__":
    main()
