"""Fixtures: a FakeAvito per test, one account on it, and the client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.fakes.avito import FakeAccount, FakeAvito
from tuberry.avito import AvitoClient, AvitoSession


@pytest.fixture
async def fake_avito() -> AsyncIterator[FakeAvito]:
    fake = FakeAvito()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def account(fake_avito: FakeAvito) -> FakeAccount:
    return fake_avito.add_account(name="Велосипеды у дома")


@pytest.fixture
async def avito_client(fake_avito: FakeAvito) -> AsyncIterator[AvitoClient]:
    client = AvitoClient(fake_avito.base_url, timeout=5.0)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def session(avito_client: AvitoClient, account: FakeAccount) -> AvitoSession:
    return avito_client.session(account.client_id, account.client_secret)


class WebhookReceiver:
    """A tiny HTTP endpoint that records what the fake POSTs to it."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        self.headers.append(dict(request.headers))
        return web.json_response({"ok": True})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/avito/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/avito/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()
