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
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
from cryptography.fernet import Fernet
from prometheus_client import REGISTRY

from bench.shop import open_shop
from bench.throughput import PG_ADMIN, REDIS_URL, _database
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.app.services import Config
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_receivers, open_services, worker_factory
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade

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


async def run(chats: int, messages: int, rate: int, kind: str, gap: float) -> None:
    crypto.install_keys([Fernet.generate_key().decode()])
    url, pg_name = await _database(kind, Path(tempfile.mkdtemp()))
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    tg, avito = FakeTelegram(), FakeAvito()
    created = _note_created(tg)
    await tg.start()
    await avito.start()
    prefix = f"tuberry-bench-{uuid.uuid4().hex[:8]}"
    config = Config(avito_poll_interval=0.5, auto_reply_delay=60, redis_prefix=prefix)
    try:
        async with open_services(
            db, REDIS_URL, config, telegram_api_base=tg.base_url, avito_api_base=avito.base_url
        ) as services:
            shop = await open_shop(db, tg, avito, username="burst_bot", title="Burst")
            receivers = build_receivers(services, build_client_dispatcher(services), poll_timeout=1)
            await receivers.sync()
            worker = worker_factory(services, REDIS_URL, group_rate=rate, bot_rate=30)()
            task = asyncio.create_task(worker.main())
            retries_before = _retry_afters()
            try:
                await _burst(tg, avito, shop, chats, messages, rate, kind, created, gap)
                print(f"429 answers from Telegram: {_retry_afters() - retries_before:g}")
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                await receivers.close()
                keys = [key async for key in services.queue.redis.scan_iter(match=f"*{prefix}*")]
                if keys:
                    await services.queue.redis.delete(*keys)
    finally:
        await db.dispose()
        await avito.stop()
        await tg.stop()
        if pg_name:
            with contextlib.suppress(Exception):
                admin = await asyncpg.connect(PG_ADMIN)
                await admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
                await admin.close()


async def _burst(
    tg: FakeTelegram,
    avito: FakeAvito,
    shop: Any,
    chats: int,
    messages: int,
    rate: int,
    kind: str,
    created: list[tuple[float, str]],
    gap: float,
) -> None:
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
    print(f"database={kind} TELEGRAM_GROUP_RATE={rate} chats={chats} messages/chat={messages} gap={gap}s")
    print(f"all {len(texts)} texts in their topics after {done:.1f} s, in {carriers} Telegram messages")
    print(f"texts shown other than once: {duplicates}")
    print(
        f"messages created in the group: {len(creating)}; "
        f"busiest {WINDOW:g}-second window: {_busiest_window(creating)} (allowed {rate})"
    )
    print("  by method: " + ", ".join(f"{method} {count}" for method, count in sorted(methods.items())))


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
    asyncio.run(run(args.chats, args.messages, args.rate, args.database, args.gap))


if __name__ == "__main__":
    main()
