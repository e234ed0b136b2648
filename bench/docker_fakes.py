"""The fake Telegram and Avito servers for bench/docker_smoke.sh, reachable from its containers.

    .venv/bin/python -m bench.docker_fakes --listen 172.31.240.1 --master-token 123:ABC

The fakes listen on 127.0.0.1 with random ports (tests/fakes); containers on a Docker bridge cannot reach
the host's loopback, so each fake gets a plain TCP relay on `--listen` (the bridge's gateway address: the
host side of the smoke test's own network, nothing outside the machine) at a fixed port. The master bot
is registered with `--master-token`, so `tuberry bot`'s getMe at start answers. Prints `ready` when both
relays listen; runs until SIGTERM or SIGINT.

With `--database-url` and `--secret-key` (the stack's PostgreSQL and SECRET_KEY), SIGUSR1 plays one
conversation through the running stack: a workspace with a client bot in a forum group and an Avito account
is written to the database (the cabinet's result, without clicking through it), a buyer writes, the
message must reach a topic; a manager answers in the topic, the answer must reach Avito. Prints
`relay ok ...` with the times, or `relay failed ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time
from urllib.parse import urlsplit

from bench.shop import open_shop
from tests.fakes.avito import FakeAvito
from tests.fakes.telegram import FakeTelegram
from tuberry.storage import crypto
from tuberry.storage.db import Database

RELAY_TIMEOUT = 120.0


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


async def _relay(listen: str, port: int, target: str) -> asyncio.Server:
    """Forward every connection on listen:port to the fake at `target` (its base URL)."""
    where = urlsplit(target)

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            fake_reader, fake_writer = await asyncio.open_connection(where.hostname, where.port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, fake_writer), _pipe(fake_reader, client_writer))

    return await asyncio.start_server(handle, listen, port)


async def relay(telegram: FakeTelegram, avito: FakeAvito, database_url: str, secret_key: str) -> str:
    """One buyer message into its topic and one manager reply back to Avito, through the stack."""
    crypto.install_keys([secret_key])
    db = Database(database_url)
    try:
        shop = await open_shop(db, telegram, avito, username="smoke_client_bot", title="Smoke")
    finally:
        await db.dispose()
    bot, group, manager, account = shop.bot, shop.group, shop.manager, shop.account
    chat = avito.add_chat(account, buyer_name="Покупатель")
    question, answer = "Здравствуйте! Товар ещё продаётся?", "Да, продаётся."
    start = time.monotonic()
    avito.buyer_sends(chat, question)
    arrived = await telegram.wait_until(
        lambda: next((m for m in telegram.sent(group, bot=bot) if m.get("text") == question), None),
        RELAY_TIMEOUT,
        message="the buyer's message did not reach a topic",
    )
    inbound = time.monotonic() - start
    start = time.monotonic()
    telegram.user_sends(bot, group, manager, answer, thread_id=arrived["message_thread_id"])
    await telegram.wait_until(
        lambda: [m for m in avito.sent_via_api(chat) if answer in str(m)],
        RELAY_TIMEOUT,
        message="the manager's reply did not reach Avito",
    )
    outbound = time.monotonic() - start
    in_topics = sum(m.get("text") == question for m in telegram.sent(group, bot=bot))
    at_avito = sum(answer in str(m) for m in avito.sent_via_api(chat))
    if (in_topics, at_avito) != (1, 1):
        raise AssertionError(f"the question is {in_topics}× in the group, the answer {at_avito}× at Avito")
    return f"buyer → topic {inbound:.1f} s, reply → Avito {outbound:.1f} s"


async def main(args: argparse.Namespace) -> None:
    telegram, avito = FakeTelegram(), FakeAvito()
    await telegram.start()
    await avito.start()
    telegram.add_bot(args.master_token, "tuberry_smoke_bot")
    servers = [
        await _relay(args.listen, args.telegram_port, telegram.base_url),
        await _relay(args.listen, args.avito_port, avito.base_url),
    ]
    print(f"telegram http://{args.listen}:{args.telegram_port} avito http://{args.listen}:{args.avito_port}")
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    relays: set[asyncio.Task[None]] = set()

    async def play() -> None:
        try:
            print(f"relay ok: {await relay(telegram, avito, args.database_url, args.secret_key)}", flush=True)
        except Exception as exc:  # the smoke script reads this line, whatever failed
            print(f"relay failed: {exc!r}", flush=True)

    if args.database_url:
        loop.add_signal_handler(signal.SIGUSR1, lambda: relays.add(loop.create_task(play())))
    await stop.wait()
    for server in servers:
        server.close()
    await telegram.stop()
    await avito.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", required=True, help="address the relays listen on (the bridge gateway)")
    parser.add_argument("--master-token", required=True)
    parser.add_argument("--telegram-port", type=int, default=18081)
    parser.add_argument("--avito-port", type=int, default=18082)
    parser.add_argument("--database-url", help="the stack's database, for the relay on SIGUSR1")
    parser.add_argument("--secret-key", help="the stack's SECRET_KEY, for the relay on SIGUSR1")
    asyncio.run(main(parser.parse_args()))
