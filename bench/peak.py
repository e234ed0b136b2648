"""Peak memory of `tuberry run` while it relays a large backlog for many sellers.

    .venv/bin/python -m bench.peak --accounts 50 --chats 10 --messages 20

`accounts` shops (a client bot in a forum group of its own and an Avito account each) are onboarded in an
SQLite database; `tuberry run` starts as a subprocess (Redis at 127.0.0.1:6379, pacing off as against a
local server, AVITO_POLL_INTERVAL=1); then every buyer writes at once: `messages` texts into each of
`chats` chats per account (10,000 by default). Printed: seconds until every text reached the fake Telegram,
RSS at the end and the process's high-water mark (VmHWM), sampled every 0.2 s, and its CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.process import cpu_seconds, onboarded, status_mb, tuberry_run

SETTINGS = {"AVITO_POLL_INTERVAL": "1", "TELEGRAM_GROUP_RATE": "0"}


async def measure(accounts: int = 50, chats: int = 10, messages: int = 20) -> dict[str, float]:
    """Figures by name: seconds, messages, rss_end, peak_rss (MB), cpu (seconds)."""
    async with onboarded(accounts) as stack:
        tg, avito = stack.tg, stack.avito
        async with tuberry_run(stack, settings=SETTINGS) as proc:
            bots = [shop.bot for shop in stack.shops]
            # Every client bot polls Telegram once it runs: the relay starts from a process at rest.
            while not all(tg.calls("getUpdates", bot=bot) for bot in bots):  # noqa: ASYNC110 (another process)
                await asyncio.sleep(0.1)
            chat_ids = [
                avito.add_chat(shop.account, buyer_name=f"Покупатель {c}")
                for shop in stack.shops
                for c in range(chats)
            ]
            total = len(chat_ids) * messages
            start = time.perf_counter()
            for round_ in range(messages):
                for n, chat in enumerate(chat_ids):
                    avito.buyer_sends(chat, f"m{n}-{round_}.")
            peak = 0.0
            while len(tg.calls("sendMessage")) - accounts * chats < total:  # cards are sendMessage calls too
                if proc.returncode is not None or time.perf_counter() - start > 1800:
                    raise SystemExit(f"not relayed: see {stack.workdir / 'run.log'}")
                peak = max(peak, status_mb(proc.pid, "VmRSS"))
                await asyncio.sleep(0.2)
            seconds = time.perf_counter() - start
            return {
                "messages": total,
                "seconds": seconds,
                "rss_end": status_mb(proc.pid, "VmRSS"),
                "peak_rss": max(peak, status_mb(proc.pid, "VmHWM")),
                "cpu": cpu_seconds(proc.pid),
            }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--chats", type=int, default=10, help="chats per account")
    parser.add_argument("--messages", type=int, default=20, help="messages per chat")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.accounts, args.chats, args.messages))
    print(
        f"tuberry run, SQLite, {args.accounts} accounts and bots, "
        f"{figures['messages']:.0f} buyer messages at once"
    )
    print(
        f"all relayed in {figures['seconds']:.0f} s; RSS at the end {figures['rss_end']:.0f} MB, "
        f"peak {figures['peak_rss']:.0f} MB; CPU {figures['cpu']:.0f} s"
    )


if __name__ == "__main__":
    main()
