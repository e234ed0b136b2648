"""The scaled-out shape under a burst: `tuberry bot` and three `tuberry worker`s on one PostgreSQL and Redis.

    .venv/bin/python -m bench.scaled --accounts 50 --chats 10 --messages 20 --workers 3

`accounts` shops (a client bot in a forum group of its own and an Avito account each) are onboarded in a
new PostgreSQL database; the processes start (pacing off, as against a local server, AVITO_POLL_INTERVAL
0.5 s, as in bench/throughput.py); every buyer writes at once; then a manager answers in every topic.
Printed: messages a second both ways, and what was lost or shown twice (both must be 0).
Needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter

from bench.process import Stack, onboarded, tuberry

SETTINGS = {"AVITO_POLL_INTERVAL": "0.5", "TELEGRAM_GROUP_RATE": "0"}
LIMIT = 1800.0


async def measure(
    accounts: int = 50, chats: int = 10, messages: int = 20, workers: int = 3
) -> dict[str, float]:
    """Figures by name: to_telegram_per_s, to_avito_per_s, lost, duplicates, replies_lost, replies_doubled."""
    commands = ["bot"] + ["worker"] * workers
    async with (
        onboarded(accounts, kind="postgresql") as stack,
        tuberry(stack, commands, settings=SETTINGS) as procs,
    ):
        tg = stack.tg
        bots = [shop.bot for shop in stack.shops]
        while not all(tg.calls("getUpdates", bot=bot) for bot in bots):  # noqa: ASYNC110 (other processes)
            await asyncio.sleep(0.1)
        return await _run(stack, procs, chats, messages)


async def _run(
    stack: Stack, procs: list[asyncio.subprocess.Process], chats: int, messages: int
) -> dict[str, float]:
    tg, avito = stack.tg, stack.avito
    chat_ids = [
        avito.add_chat(shop.account, buyer_name=f"Покупатель {c}")
        for shop in stack.shops
        for c in range(chats)
    ]
    texts = [f"m{n}-{round_}." for round_ in range(messages) for n in range(len(chat_ids))]
    start = time.perf_counter()
    for round_ in range(messages):
        for n, chat in enumerate(chat_ids):
            avito.buyer_sends(chat, f"m{n}-{round_}.")

    def shown() -> Counter[str]:
        lines: Counter[str] = Counter()
        for shop in stack.shops:
            for message in tg.sent(shop.group, bot=shop.bot):
                lines.update(line.strip() for line in str(message.get("text", "")).splitlines())
        return lines

    counts = shown()
    while any(counts[text] == 0 for text in texts) and time.perf_counter() - start < LIMIT:
        if any(proc.returncode is not None for proc in procs):
            raise SystemExit(f"a process exited; see the logs in {stack.workdir}")
        await asyncio.sleep(1.0)
        counts = shown()
    inbound = time.perf_counter() - start
    await asyncio.sleep(2.0)  # a late duplicate would show now
    counts = shown()

    threads = [
        (shop, thread)
        for shop in stack.shops
        for thread in {m.get("message_thread_id") for m in tg.sent(shop.group, bot=shop.bot)}
        if thread
    ]
    start = time.perf_counter()
    for shop, thread in threads:
        tg.user_sends(shop.bot, shop.group, shop.manager, f"ответ {shop.group} {thread}", thread_id=thread)

    def replies() -> Counter[str]:
        return Counter(m["content"]["text"] for chat in chat_ids for m in avito.sent_via_api(chat))

    while sum(1 for n in replies().values() if n) < len(threads) and time.perf_counter() - start < LIMIT:  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    outbound = time.perf_counter() - start
    await asyncio.sleep(2.0)
    answered = replies()
    wanted = {f"ответ {shop.group} {thread}" for shop, thread in threads}
    return {
        "messages": len(texts),
        "to_telegram_per_s": len(texts) / inbound,
        "lost": sum(1 for text in texts if counts[text] == 0),
        "duplicates": sum(1 for text in texts if counts[text] > 1),
        "replies": len(threads),
        "to_avito_per_s": len(threads) / outbound,
        "replies_lost": sum(1 for text in wanted if answered[text] == 0),
        "replies_doubled": sum(1 for text in wanted if answered[text] > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--chats", type=int, default=10, help="chats per account")
    parser.add_argument("--messages", type=int, default=20, help="messages per chat")
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    f = asyncio.run(measure(args.accounts, args.chats, args.messages, args.workers))
    print(f"tuberry bot + {args.workers} tuberry workers, PostgreSQL, {args.accounts} accounts and bots")
    print(
        f"Avito → Telegram: {f['messages']:.0f} messages, {f['to_telegram_per_s']:.1f} msg/s; "
        f"lost {f['lost']:.0f}, shown twice {f['duplicates']:.0f}"
    )
    print(
        f"Telegram → Avito: {f['replies']:.0f} replies, {f['to_avito_per_s']:.1f} msg/s; "
        f"lost {f['replies_lost']:.0f}, sent twice {f['replies_doubled']:.0f}"
    )


if __name__ == "__main__":
    main()
