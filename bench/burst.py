"""A burst into one group with real pacing: how soon it is all in its topics; no minute holds too much.

    .venv/bin/python -m bench.burst --chats 3 --messages 20 --rate 20 --database sqlite

Buyers write `messages` texts into each of `chats` Avito chats of one account, all at once (or one every
`--gap` seconds); one worker with TELEGRAM_GROUP_RATE = `--rate` (a minute) and 30 a second per bot delivers
them into a group whose fake Telegram answers 429 beyond the same rate. Printed: seconds until every text is
in its topic, the Telegram messages that carry them (fewer than the texts when the budget ran out and texts
went together), and the most messages Telegram created (sends and topic creations: what takes a pacing slot)
any 60-second window held.
Needs Redis on 127.0.0.1:6379 (and PostgreSQL for --database postgresql).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections import Counter
from typing import Any

from prometheus_client import REGISTRY

from bench.shop import open_shop
from bench.stack import REDIS_URL, bench_services
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_receivers, worker_factory

# Bot API methods that create a message in the group and take a pacing slot (pins are not paced).
CREATING = {"sendmessage", "sendphoto", "sendvoice", "sendaudio", "senddocument", "createforumtopic"}
WINDOW = 60.0


def _note_created(tg: FakeTelegram) -> list[tuple[float, str]]:
    """When each message-creating call that succeeded (a 429 creates nothing) reached the fake, as Telegram
    counts it, and which it was."""
    created: list[tuple[float, str]] = []
    invoke = tg._invoke

    async def timed(bot: Any, method: str, raw: dict[str, Any], files: dict[str, Any]) -> tuple[int, Any]:
        arrived = time.monotonic()
        status, body = await invoke(bot, method, raw, files)
        if status == 200 and method.lower() in CREATING:
            created.append((arrived, method))
        return status, body

    tg._invoke = timed  # type: ignore[method-assign]
    return created


def _retry_afters() -> float:
    return REGISTRY.get_sample_value("tuberry_telegram_retry_after_total") or 0.0


def _busiest_window(moments: list[float]) -> int:
    """The most moments any half-open window of WINDOW seconds holds."""
    moments = sorted(moments)
    return max((sum(1 for u in moments if t <= u < t + WINDOW) for t in moments), default=0)


async def measure(
    chats: int = 3, messages: int = 20, rate: int = 20, kind: str = "sqlite", gap: float = 0.0
) -> dict[str, float]:
    """Figures by name: seconds (all in topics), carriers, duplicates, busiest_window, retry_afters."""
    tg, avito = FakeTelegram(), FakeAvito()
    created = _note_created(tg)
    async with bench_services(kind, tg, avito) as (db, services):
        shop = await open_shop(db, tg, avito, username="burst_bot", title="Burst")
        receivers = build_receivers(services, build_client_dispatcher(services))
        await receivers.sync()
        worker = worker_factory(services, REDIS_URL, group_rate=rate, bot_rate=30)()
        task = asyncio.create_task(worker.main())
        retries_before = _retry_afters()
        try:
            figures = await _burst(tg, avito, shop, chats, messages, rate, created, gap)
            return figures | {"retry_afters": _retry_afters() - retries_before}
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await receivers.close()


async def _burst(
    tg: FakeTelegram,
    avito: FakeAvito,
    shop: Any,
    chats: int,
    messages: int,
    rate: int,
    created: list[tuple[float, str]],
    gap: float,
) -> dict[str, float]:
    # The bot's first words in the group (that it is connected) are sent unpaced and are no part of the burst:
    # Telegram's own limit (429 beyond `rate` a minute) starts counting after them.
    with contextlib.suppress(AssertionError):
        await tg.wait_until(lambda: tg.sent(shop.group, bot=shop.bot), 10)
    tg.rate_limit_group(shop.group, rate)
    chat_ids = [avito.add_chat(shop.account, buyer_name=f"Покупатель {n}") for n in range(chats)]
    texts = [f"m{n}-{i:03d}." for i in range(messages) for n in range(chats)]
    start = time.monotonic()
    for text in texts:
        avito.buyer_sends(chat_ids[int(text[1 : text.index("-")])], text)
        if gap:
            await asyncio.sleep(gap)

    def shown() -> list[str]:
        return [m.get("text") or "" for m in tg.sent(shop.group, bot=shop.bot)]

    while not all(any(text in body for body in shown()) for text in texts):
        if time.monotonic() - start > 600:
            missing = sum(1 for text in texts if not any(text in body for body in shown()))
            raise SystemExit(f"{missing} of {len(texts)} texts not in the topics after 10 minutes")
        await asyncio.sleep(0.05)
    done = time.monotonic() - start
    await asyncio.sleep(1)  # a late duplicate would show now
    bodies = shown()
    duplicates = sum(1 for text in texts if sum(body.count(text) for body in bodies) != 1)
    creating = [moment for moment, _ in created if moment >= start]
    methods = Counter(method for moment, method in created if moment >= start)
    carriers = sum(1 for body in bodies if any(text in body for text in texts))
    return {
        "texts": len(texts),
        "seconds": done,
        "carriers": carriers,
        "duplicates": duplicates,
        "created": len(creating),
        "busiest_window": _busiest_window(creating),
    } | {f"created_{method}": count for method, count in methods.items()}


def print_figures(
    figures: dict[str, float], chats: int, messages: int, rate: int, kind: str, gap: float
) -> None:
    print(f"database={kind} TELEGRAM_GROUP_RATE={rate} chats={chats} messages/chat={messages} gap={gap}s")
    print(
        f"all {figures['texts']:.0f} texts in their topics after {figures['seconds']:.1f} s, "
        f"in {figures['carriers']:.0f} Telegram messages"
    )
    print(f"texts shown other than once: {figures['duplicates']:.0f}")
    print(
        f"messages created in the group: {figures['created']:.0f}; "
        f"busiest {WINDOW:g}-second window: {figures['busiest_window']:.0f} (allowed {rate})"
    )
    by_method = sorted(
        (k.removeprefix("created_"), v) for k, v in figures.items() if k.startswith("created_")
    )
    print("  by method: " + ", ".join(f"{method} {count:.0f}" for method, count in by_method))
    print(f"429 answers from Telegram: {figures['retry_afters']:g}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=3)
    parser.add_argument("--messages", type=int, default=20, help="texts per chat")
    parser.add_argument("--rate", type=int, default=20, help="TELEGRAM_GROUP_RATE, a minute")
    parser.add_argument("--gap", type=float, default=0.0, help="seconds between buyers' texts (0: at once)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.chats, args.messages, args.rate, args.database, args.gap))
    print_figures(figures, args.chats, args.messages, args.rate, args.database, args.gap)


if __name__ == "__main__":
    main()
