"""Webhook mode (PUBLIC_URL set): client bots receive by Telegram webhook, Avito deliveries trigger polls.

Our aiohttp app listens on 127.0.0.1 with a random port and PUBLIC_URL is its own address, so the fake
Telegram and the fake Avito POST to it as the real services would. AVITO_POLL_INTERVAL is large: anything
that arrives quickly came by webhook, not by the reconciliation poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Dispatcher
from aiohttp import ClientSession, web
from redis.asyncio import Redis

from tests.bridge.conftest import Bridge, open_bridge
from tests.bridge.test_update_inbox import FailsOnce, unreachable
from tuberry.app.accounts import remove_account, set_account_paused
from tuberry.app.bots import disconnect_bot
from tuberry.app.services import Config
from tuberry.bot.avito_webhooks import AvitoWebhooks
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import build_avito_webhooks, build_receivers
from tuberry.bot.web import build_web_app
from tuberry.bot.webhooks import SECRET_HEADER, WebhookReceivers
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade
from tuberry.storage.models import AvitoAccount, ClientBot, TelegramUpdate, UpdateState

POLL_INTERVAL = 30.0  # reconciliation every max(6 × 30, 60) = 180 s: far beyond any wait below
QUICK = 8.0  # a webhook-driven message must be in its topic well before that
OTHER_INTEGRATION = "http://127.0.0.1:9/amocrm/hooks/avito"  # someone else's subscription (port 9: nobody)


@dataclass
class Hooked:
    bridge: Bridge
    receivers: WebhookReceivers
    dispatcher: Dispatcher
    avito_hooks: AvitoWebhooks
    public_url: str
    http: ClientSession
    redis: Redis
    tg_posts: list[tuple[dict[str, str], bytes]] = field(
        default_factory=list
    )  # what the fake Telegram POSTed
    polls: list[tuple[int, bool]] = field(default_factory=list)  # poll_account calls: (account, queued)

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> int:
        async with self.http.post(self.public_url + path, data=body, headers=headers or {}) as resp:
            await resp.read()
            return resp.status

    async def row(self, model: type[Any], row_id: Any) -> Any:
        async with self.bridge.db.session() as session:
            return await session.get(model, row_id)

    def avito_url(self, account: AvitoAccount) -> str:
        return f"{self.public_url}/avito/{account.id}/{account.webhook_secret}"


@pytest.fixture
def backend_url(request: pytest.FixtureRequest) -> str:
    """SQLite unless a test asks for PostgreSQL too (indirect parametrisation)."""
    kind = getattr(request, "param", "sqlite")
    return str(request.getfixturevalue("pg_url" if kind == "postgresql" else "sqlite_url"))


@pytest.fixture
async def hooked(backend_url: str, redis_prefix: str, redis: Redis) -> AsyncIterator[Hooked]:
    await asyncio.to_thread(upgrade, backend_url)
    db = Database(backend_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = Config(public_url=public_url, avito_poll_interval=POLL_INTERVAL, redis_prefix=redis_prefix)
    async with open_bridge(db, config) as bridge:
        bridge.account.webhooks[OTHER_INTEGRATION] = "3"
        async with _hooked(bridge, sock, public_url, redis) as hooked:
            yield hooked
    await db.dispose()


@contextlib.asynccontextmanager
async def _hooked(
    bridge: Bridge, sock: socket.socket, public_url: str, redis: Redis
) -> AsyncIterator[Hooked]:
    services = bridge.services
    dispatcher = build_client_dispatcher(services)
    receivers = build_receivers(services, dispatcher)
    avito_hooks = build_avito_webhooks(services, recheck=0)
    assert isinstance(receivers, WebhookReceivers) and avito_hooks is not None
    http = ClientSession()
    hooked = Hooked(bridge, receivers, dispatcher, avito_hooks, public_url, http, redis)

    async def recording(request: web.Request) -> web.StreamResponse:
        hooked.tg_posts.append((dict(request.headers), await request.read()))
        return await receivers.handle(request)

    poll_account = services.queue.poll_account

    async def counting(account_id: int) -> bool:
        queued = await poll_account(account_id)
        hooked.polls.append((account_id, queued))
        return queued

    services.queue.poll_account = counting  # type: ignore[method-assign]
    app = build_web_app(services, [("POST", "/tg/{bot_id}", recording), *avito_hooks.routes()])
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    await receivers.sync()
    await avito_hooks.sync()
    await bridge.start_worker()
    # The worker's first tick polls the new account at once; later polls are due only after 180 s.
    await bridge.until(
        lambda: _polled(hooked, bridge.account_row_id), "the first (reconciliation) poll", timeout=10
    )
    hooked.polls.clear()
    try:
        yield hooked
    finally:
        await bridge.stop_worker()
        await avito_hooks.close()
        await receivers.close()
        await runner.cleanup()
        await http.close()


async def _polled(hooked: Hooked, account_id: int) -> bool:
    account = await hooked.row(AvitoAccount, account_id)
    return account.last_success_at is not None


def _message_event(account: AvitoAccount, chat_id: str = "u2i-abc") -> bytes:
    value = {
        "id": secrets.token_hex(8),
        "chat_id": chat_id,
        "chat_type": "u2i",
        "user_id": account.avito_user_id,
        "author_id": 1234567,
        "created": 1754382000,
        "type": "text",
        "content": {"text": "Здравствуйте"},
    }
    body = {
        "id": "d1",
        "version": "v3.0.0",
        "timestamp": 1754382000,
        "payload": {"type": "message", "value": value},
    }
    return json.dumps(body).encode()


async def test_client_bots_get_webhooks_with_their_secret(hooked: Hooked) -> None:
    b = hooked.bridge
    row = await hooked.row(ClientBot, b.bot_row_id)
    hook = b.tg.webhook(b.bot)
    assert hook["url"] == f"{hooked.public_url}/tg/{row.id}"
    assert hook["secret_token"] == row.webhook_secret
    assert {"message", "my_chat_member"} <= set(hook["allowed_updates"])
    assert hooked.receivers.running == {row.id}

    # A bot connected at run time (here: by another process) gets its webhook at the next sync.
    other = b.tg.add_bot(username="second_shop_bot")
    async with b.db.session() as session:
        second = ClientBot(
            workspace_id=b.workspace_id,
            telegram_bot_id=other.id,
            token=other.token,
            username=other.username,
            webhook_secret=secrets.token_urlsafe(16),
        )
        session.add(second)
        await session.commit()
    await hooked.receivers.sync()
    assert b.tg.webhook(other)["url"] == f"{hooked.public_url}/tg/{second.id}"
    assert b.tg.webhook(other)["secret_token"] == second.webhook_secret


@pytest.mark.parametrize("backend_url", ["sqlite", "postgresql"], indirect=True)
async def test_buyer_and_manager_messages_travel_by_webhook_once(hooked: Hooked) -> None:
    b = hooked.bridge
    account = await hooked.row(AvitoAccount, b.account_row_id)
    assert set(b.account.webhooks) == {hooked.avito_url(account), OTHER_INTEGRATION}
    chat = b.new_chat(buyer="Анна")
    loop = asyncio.get_running_loop()
    started = loop.time()
    b.avito.buyer_sends(chat, "Здравствуйте! Ещё продаёте?")
    topic = await b.topic_of(chat)
    await b.until(lambda: any("Ещё продаёте" in t for t in b.texts(topic)), "the buyer's text", timeout=QUICK)
    assert loop.time() - started < QUICK
    assert (b.account_row_id, True) in hooked.polls  # the poll came from the webhook, not from the sweep

    reply = b.tg.user_sends(b.bot, b.group_id, b.manager, "Да, в наличии", thread_id=topic)
    await b.until(lambda: len(b.avito.sent_via_api(chat)) == 1, "the reply on Avito", timeout=QUICK)
    # Telegram repeats a delivery it believes failed: the same update again, twice, changes nothing.
    headers, body = next(
        (headers, body)
        for headers, body in hooked.tg_posts
        if json.loads(body).get("message", {}).get("message_id") == reply["message_id"]
    )
    for _ in range(2):
        assert await hooked.post(f"/tg/{b.bot_row_id}", body, {SECRET_HEADER: headers[SECRET_HEADER]}) == 200
    await b.avito.flush_webhooks()
    await b.settle()

    update_id = json.loads(body)["update_id"]
    stored = await hooked.row(TelegramUpdate, (b.bot_row_id, update_id))
    assert stored.state == UpdateState.HANDLED and stored.attempts == 0
    assert [m["content"]["text"] for m in b.avito.sent_via_api(chat)] == ["Да, в наличии"]
    assert sum("Ещё продаёте" in t for t in b.texts(topic)) == 1
    # The echo of our own send came back by webhook too, and is not shown in the topic.
    echoes = [
        d for d in b.avito.webhook_deliveries if d.body.get("payload", {}).get("value", {}).get("author_id")
    ]
    assert any(d.body["payload"]["value"]["author_id"] == b.account.user_id for d in echoes)
    assert not any("в наличии" in t for t in b.texts(topic))
    # Every delivery (the probe `{}` after subscribing, the messages) was answered 200 at once.
    ours = [d for d in b.avito.webhook_deliveries if d.url == hooked.avito_url(account)]
    assert any(d.body == {} for d in ours)
    assert ours and all(d.ok for d in ours)


async def test_a_wrong_secret_token_is_refused_and_nothing_is_relayed(hooked: Hooked) -> None:
    b = hooked.bridge
    chat = b.new_chat()
    b.avito.buyer_sends(chat, "Здравствуйте")
    topic = await b.topic_of(chat)
    await b.until(lambda: any("Здравствуйте" in t for t in b.texts(topic)), "the buyer's text")

    b.bot.webhook_secret = "not-the-secret"  # Telegram now sends a header we never set
    b.tg.user_sends(b.bot, b.group_id, b.manager, "ответ", thread_id=topic)
    await b.until(lambda: b.tg.webhook(b.bot)["pending_update_count"] == 0, "the fake giving up")
    assert "401" in b.tg.webhook(b.bot)["last_error"][1]
    forged = hooked.tg_posts[-1][1]
    assert await hooked.post(f"/tg/{b.bot_row_id}", forged) == 401  # no header at all
    row = await hooked.row(ClientBot, b.bot_row_id)
    assert await hooked.post("/tg/999999", forged, {SECRET_HEADER: row.webhook_secret}) == 401  # unknown bot
    await b.settle()
    assert b.avito.sent_via_api(chat) == []
    update_id = json.loads(forged)["update_id"]
    assert await hooked.row(TelegramUpdate, (b.bot_row_id, update_id)) is None


async def test_a_disconnected_bot_loses_its_webhook(hooked: Hooked) -> None:
    b = hooked.bridge
    row = await hooked.row(ClientBot, b.bot_row_id)
    assert await disconnect_bot(b.services, b.workspace_id, b.owner["id"], row.id)
    assert b.tg.webhook(b.bot)["url"] == ""
    assert hooked.receivers.running == set()
    late = json.dumps({"update_id": 10**6, "message": {}}).encode()
    assert await hooked.post(f"/tg/{row.id}", late, {SECRET_HEADER: row.webhook_secret}) == 401
    await hooked.receivers.sync()
    assert b.tg.webhook(b.bot)["url"] == ""


async def test_avito_subscriptions_follow_the_account_and_leave_other_urls_alone(hooked: Hooked) -> None:
    b = hooked.bridge
    account = await hooked.row(AvitoAccount, b.account_row_id)
    ours = hooked.avito_url(account)
    assert set(b.account.webhooks) == {ours, OTHER_INTEGRATION}

    assert await set_account_paused(b.services, b.workspace_id, b.owner["id"], account.id, True)
    await b.until(lambda: ours not in b.account.webhooks, "unsubscribed on pause")
    await hooked.avito_hooks.sync()
    assert set(b.account.webhooks) == {OTHER_INTEGRATION}

    assert await set_account_paused(b.services, b.workspace_id, b.owner["id"], account.id, False)
    await b.until(lambda: ours in b.account.webhooks, "subscribed again on resume")

    # Removal wipes the credentials; the unsubscribe uses the ones taken before.
    assert await remove_account(b.services, b.workspace_id, b.owner["id"], account.id)
    await b.until(lambda: ours not in b.account.webhooks, "unsubscribed on removal")
    await hooked.avito_hooks.sync()
    assert set(b.account.webhooks) == {OTHER_INTEGRATION}


async def test_avito_deliveries_need_the_path_secret_and_only_trigger_a_poll(hooked: Hooked) -> None:
    b = hooked.bridge
    account = await hooked.row(AvitoAccount, b.account_row_id)
    event = _message_event(account)
    assert await hooked.post(f"/avito/{account.id}/wrong-secret", event) == 404
    assert await hooked.post(f"/avito/999999/{account.webhook_secret}", event) == 404
    assert await hooked.post(f"/avito/x/{account.webhook_secret}", event) == 404
    assert await hooked.post(f"/avito/{account.id}/{account.webhook_secret}", b"{}") == 200  # the probe
    assert hooked.polls == []

    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await hooked.post(f"/avito/{account.id}/{account.webhook_secret}", event) == 200
    assert loop.time() - started < 0.5  # answered without waiting for the poll
    assert hooked.polls[0] == (account.id, True)


async def test_a_delivery_during_a_running_poll_gets_a_poll_after_it(hooked: Hooked) -> None:
    b = hooked.bridge
    first = b.new_chat(buyer="Анна")
    b.avito.buyer_sends(first, "Здравствуйте")
    first_topic = await b.topic_of(first)
    await b.until(lambda: any("Здравствуйте" in t for t in b.texts(first_topic)), "the first chat's text")

    # A poll that has listed the chats (the first one unchanged) and now reads another one, slowly.
    second = b.new_chat(buyer="Борис")
    b.avito.delay_next(second, 3.0)
    b.avito.buyer_sends(second, "Добрый день")
    await b.until(lambda: b.avito.count(second), "the poll reading the second chat")
    b.avito.buyer_sends(first, "А доставка есть?")  # too late for the running poll's list
    await b.avito.flush_webhooks()
    account = await hooked.row(AvitoAccount, b.account_row_id)
    assert (account.id, False) in hooked.polls  # the delivery found that poll still running

    # Long before the reconciliation poll (3 minutes away): the poll after the running one brought it.
    await b.until(
        lambda: any("доставка" in t for t in b.texts(first_topic)), "the text sent meanwhile", QUICK
    )
    second_topic = await b.topic_of(second)
    await b.settle()
    assert sum("доставка" in t for t in b.texts(first_topic)) == 1
    assert sum("Добрый день" in t for t in b.texts(second_topic)) == 1


@pytest.mark.parametrize("backend_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_webhook_update_whose_handling_fails_is_handled_once_despite_redelivery(
    hooked: Hooked,
) -> None:
    b = hooked.bridge
    fault = FailsOnce("Да, в наличии")
    hooked.dispatcher.update.outer_middleware(fault)
    chat = b.new_chat()
    b.avito.buyer_sends(chat, "Здравствуйте")
    topic = await b.topic_of(chat)
    await b.until(lambda: any("Здравствуйте" in t for t in b.texts(topic)), "the buyer's text")

    reply = b.tg.user_sends(b.bot, b.group_id, b.manager, "Да, в наличии", thread_id=topic)
    await b.until(lambda: fault.failed, "the failed handling")
    # Telegram delivers it again meanwhile (it believed the first delivery failed): stored once.
    headers, body = next(
        (headers, body)
        for headers, body in hooked.tg_posts
        if json.loads(body).get("message", {}).get("message_id") == reply["message_id"]
    )
    assert await hooked.post(f"/tg/{b.bot_row_id}", body, {SECRET_HEADER: headers[SECRET_HEADER]}) == 200
    await b.until(lambda: b.avito.sent_via_api(chat), "the reply on Avito", timeout=QUICK)
    await b.settle()
    assert [m["content"]["text"] for m in b.avito.sent_via_api(chat)] == ["Да, в наличии"]
    stored = await hooked.row(TelegramUpdate, (b.bot_row_id, json.loads(body)["update_id"]))
    assert (stored.state, stored.attempts) == (UpdateState.HANDLED, 1)


@pytest.mark.parametrize("backend_url", ["postgresql"], indirect=True)
async def test_ids_no_row_can_have_are_refused_quietly(
    hooked: Hooked, caplog: pytest.LogCaptureFixture
) -> None:
    b = hooked.bridge
    row = await hooked.row(ClientBot, b.bot_row_id)
    account = await hooked.row(AvitoAccount, b.account_row_id)
    update = json.dumps({"update_id": 1, "message": {}}).encode()
    event = _message_event(account)
    caplog.clear()
    for bad in ("99999999999", "2147483648", "²", "-1", "0"):
        assert await hooked.post(f"/avito/{bad}/{account.webhook_secret}", event) == 404
        assert await hooked.post(f"/tg/{bad}", update, {SECRET_HEADER: row.webhook_secret}) == 401
    assert hooked.polls == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if "SELECT" in r.getMessage() or r.exc_info]


@pytest.mark.parametrize("backend_url", ["postgresql"], indirect=True)
async def test_an_update_that_cannot_be_stored_is_refused_so_telegram_delivers_it_again(
    hooked: Hooked, backend_url: str
) -> None:
    b = hooked.bridge
    chat = b.new_chat()
    b.avito.buyer_sends(chat, "Здравствуйте")
    topic = await b.topic_of(chat)
    await b.until(lambda: any("Здравствуйте" in t for t in b.texts(topic)), "the buyer's text")
    row = await hooked.row(ClientBot, b.bot_row_id)
    update = {
        "update_id": 10**6,
        "message": {
            "message_id": 9001,
            "date": 1754382000,
            "chat": {"id": b.group_id, "type": "supergroup", "title": "Продажи", "is_forum": True},
            "from": {"id": b.manager["id"], "is_bot": False, "first_name": b.manager["first_name"]},
            "message_thread_id": topic,
            "is_topic_message": True,
            "text": "Да, в наличии",
        },
    }
    body, headers = json.dumps(update).encode(), {SECRET_HEADER: row.webhook_secret}

    async with unreachable(backend_url):
        assert await hooked.post(f"/tg/{row.id}", body, headers) == 503
    assert await hooked.post(f"/tg/{row.id}", body, headers) == 200  # Telegram's next try
    await b.until(lambda: b.avito.sent_via_api(chat), "the reply on Avito", timeout=QUICK)
    await b.settle()
    assert [m["content"]["text"] for m in b.avito.sent_via_api(chat)] == ["Да, в наличии"]
