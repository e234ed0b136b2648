"""How many sends the pacer lets into one group, with several workers competing for it.

    .venv/bin/python -m bench.pacing --rate 20 --workers 4 --seconds 60

Each worker loops like a delivery job with a backlog: ask for a slot, send on 0, otherwise sleep the wait
(at most `--poll` seconds). Printed: sends in the first 60 s and the most sends any 60-second window held
(Telegram allows `TELEGRAM_GROUP_RATE` in any minute). Needs Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

from redis.asyncio import Redis

from tuberry.storage.pacing import Pacer, telegram_limits

REDIS_URL = "redis://127.0.0.1:6379/0"


async def _worker(pacer: Pacer, until: float, poll: float, sent: list[float]) -> None:
    while time.monotonic() < until:
        wait = await pacer.acquire(chat_id=-1001, bot_id=7)
        if wait == 0:
            sent.append(time.monotonic())
        else:
            await asyncio.sleep(min(wait, poll))


async def main(rate: float, workers: int, seconds: float, poll: float) -> None:
    redis = Redis.from_url(REDIS_URL)
    prefix = f"tuberry-bench-{uuid.uuid4().hex[:8]}"
    group, bot = telegram_limits(group_per_minute=rate, bot_per_second=30)
    pacers = [Pacer(redis, prefix, group, bot) for _ in range(workers)]
    sent: list[float] = []
    start = time.monotonic()
    await asyncio.gather(*(_worker(pacer, start + seconds, poll, sent) for pacer in pacers))
    sent.sort()
    first_minute = sum(1 for t in sent if t - start < 60)
    busiest = max((sum(1 for u in sent if t <= u < t + 60) for t in sent), default=0)
    print(f"rate {rate:g}/min, {workers} workers, {seconds:g} s: {len(sent)} sends")
    print(f"first 60 s: {first_minute} sends; busiest 60-second window: {busiest} sends")
    async for key in redis.scan_iter(match=f"{prefix}*"):
        await redis.delete(key)
    await redis.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--poll", type=float, default=0.2, help="longest sleep between asks")
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.workers, args.seconds, args.poll))
