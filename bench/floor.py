"""The bare-relay floor: how fast the fakes let the least possible relay go, with no database and no queue.

    .venv/bin/python -m bench.floor --accounts 50 --chats 10 --messages 20

Towards Telegram: per account, a token, one chat-list GET, one messages GET per chat, one sendMessage per
message into the account's group (no topics, no cards, nothing stored). Towards Avito: the managers' replies
come in through each bot's getUpdates (as Tuberry's polling receives them) and each is one POST. Both run
with the concurrency Tuberry's worker has (at most 50 requests at once), over the same fakes (tests/fakes)
as bench/throughput.py, so the ratio of the two is what Tuberry's own work costs (Tuberry also sets a
reaction, the topic's icon and marks the chat read for each reply). Prints messages a second both ways.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.fakes.avito import FakeAccount, FakeAvito
from tests.fakes.telegram import FakeBot, FakeTelegram

CONCURRENCY = 50  # the worker's max_jobs (jobs/worker.py)


@dataclass(frozen=True)
class _Seller:
    account: FakeAccount
    chats: list[str]
    token: str  # the bot's
    group: int
    bot: FakeBot
    manager: dict[str, Any]


async def _token(client: httpx.AsyncClient, avito: FakeAvito, account: FakeAccount) -> str:
    answer = await client.post(
        f"{avito.base_url}/token",
        data={
            "grant_type": "client_credentials",
            "client_id": account.client_id,
            "client_secret": account.client_secret,
        },
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def _relay_chat(
    client: httpx.AsyncClient, avito: FakeAvito, tg: FakeTelegram, seller: _Seller, chat: str, auth: str
) -> int:
    headers = {"Authorization": f"Bearer {auth}"}
    base = f"{avito.base_url}/messenger/v3/accounts/{seller.account.user_id}/chats/{chat}/messages/"
    answer = await client.get(base, params={"limit": 100}, headers=headers)
    answer.raise_for_status()
    texts = [m["content"].get("text", "") for m in reversed(answer.json()["messages"])]
    for text in texts:
        sent = await client.post(
            f"{tg.base_url}/bot{seller.token}/sendMessage", json={"chat_id": seller.group, "text": text}
        )
        sent.raise_for_status()
    return len(texts)


async def _to_telegram(
    client: httpx.AsyncClient, avito: FakeAvito, tg: FakeTelegram, sellers: list[_Seller]
) -> int:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def seller_run(seller: _Seller) -> int:
        auth = await _token(client, avito, seller.account)
        listed = await client.get(
            f"{avito.base_url}/messenger/v2/accounts/{seller.account.user_id}/chats",
            headers={"Authorization": f"Bearer {auth}"},
        )
        listed.raise_for_status()

        async def one(chat: str) -> int:
            async with gate:
                return await _relay_chat(client, avito, tg, seller, chat, auth)

        return sum(await asyncio.gather(*(one(chat) for chat in seller.chats)))

    return sum(await asyncio.gather(*(seller_run(seller) for seller in sellers)))


async def _to_avito(
    client: httpx.AsyncClient, avito: FakeAvito, tg: FakeTelegram, sellers: list[_Seller]
) -> int:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def reply(seller: _Seller, auth: str, text: str) -> None:
        chat = text.removeprefix("ответ в ")
        async with gate:
            url = f"{avito.base_url}/messenger/v1/accounts/{seller.account.user_id}/chats/{chat}/messages"
            body = {"type": "text", "message": {"text": text}}
            answer = await client.post(url, json=body, headers={"Authorization": f"Bearer {auth}"})
            answer.raise_for_status()

    async def seller_run(seller: _Seller, auth: str) -> None:
        """Long-poll the bot until every chat's reply has come in and gone out."""
        offset, replied = 0, 0
        while replied < len(seller.chats):
            answer = await client.post(
                f"{tg.base_url}/bot{seller.token}/getUpdates", json={"offset": offset, "timeout": 25}
            )
            answer.raise_for_status()
            updates = answer.json()["result"]
            if updates:
                offset = updates[-1]["update_id"] + 1
            texts = [u["message"]["text"] for u in updates if "message" in u and "text" in u["message"]]
            await asyncio.gather(*(reply(seller, auth, text) for text in texts))
            replied += len(texts)

    tokens = [await _token(client, avito, seller.account) for seller in sellers]
    for seller in sellers:
        for chat in seller.chats:
            tg.user_sends(seller.bot, seller.group, seller.manager, f"ответ в {chat}")
    await asyncio.gather(*(seller_run(seller, auth) for seller, auth in zip(sellers, tokens, strict=True)))
    return sum(len(seller.chats) for seller in sellers)


async def measure(accounts: int = 50, chats: int = 10, messages: int = 20) -> dict[str, float]:
    """Messages a second of the bare relay both ways."""
    tg, avito = FakeTelegram(), FakeAvito()
    await tg.start()
    await avito.start()
    try:
        sellers: list[_Seller] = []
        for n in range(accounts):
            owner, manager = tg.add_user(f"Владелец {n}"), tg.add_user(f"Менеджер {n}")
            bot = tg.add_bot(username=f"floor_{n}_bot")
            group = tg.create_group(f"Floor {n}", is_forum=True, owner=owner)
            tg.add_bot_to_group(bot, group, by_user=owner, admin=True)
            tg.add_member(group, manager)
            account = avito.add_account()
            chat_ids = [avito.add_chat(account, buyer_name=f"Покупатель {c}") for c in range(chats)]
            sellers.append(_Seller(account, chat_ids, bot.token, group, bot, manager))
        for i in range(messages):
            for seller in sellers:
                for chat in seller.chats:
                    avito.buyer_sends(chat, f"{chat}-{i}")
        limits = httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            start = time.perf_counter()
            relayed = await _to_telegram(client, avito, tg, sellers)
            inbound = time.perf_counter() - start
            start = time.perf_counter()  # the replies are written at once: the clock runs from their writing
            replied = await _to_avito(client, avito, tg, sellers)
            outbound = time.perf_counter() - start
    finally:
        await avito.stop()
        await tg.stop()
    return {
        "to_telegram_messages": relayed,
        "to_telegram_per_s": relayed / inbound,
        "to_avito_messages": replied,
        "to_avito_per_s": replied / outbound,
    }


def _print(figures: dict[str, Any]) -> None:
    print(
        f"bare relay, Avito → Telegram: {figures['to_telegram_messages']:.0f} messages, "
        f"{figures['to_telegram_per_s']:.0f} msg/s"
    )
    print(
        f"bare relay, Telegram → Avito: {figures['to_avito_messages']:.0f} replies, "
        f"{figures['to_avito_per_s']:.0f} msg/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=50)
    parser.add_argument("--chats", type=int, default=10, help="chats per account")
    parser.add_argument("--messages", type=int, default=20, help="messages per chat")
    args = parser.parse_args()
    _print(asyncio.run(measure(args.accounts, args.chats, args.messages)))


if __name__ == "__main__":
    main()
