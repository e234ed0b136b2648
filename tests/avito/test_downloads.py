"""Media downloads (buyers' images, voice notes): capped in size, redirected only within Avito's hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.fakes.avito import FakeAvito
from tuberry.avito import AvitoClient, AvitoDownloadRefused
from tuberry.avito.client import DOWNLOAD_LIMIT


class ForeignHost:
    """A server that is not Avito's, reached by another host name than the fake's."""

    def __init__(self) -> None:
        self.hits = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _file(self, request: web.Request) -> web.Response:
        self.hits += 1
        return web.Response(body=b"not from avito")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/file", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://localhost:{self._runner.addresses[0][1]}/file"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def foreign() -> AsyncIterator[ForeignHost]:
    host = ForeignHost()
    await host.start()
    try:
        yield host
    finally:
        await host.stop()


async def test_a_file_over_the_cap_is_refused(fake_avito: FakeAvito, avito_client: AvitoClient) -> None:
    url = fake_avito.serve_file(b"\0" * (DOWNLOAD_LIMIT + 1))
    with pytest.raises(AvitoDownloadRefused) as refused:
        await avito_client.download(url)
    assert not refused.value.retryable


async def test_a_stream_without_a_length_is_cut_at_the_cap(
    fake_avito: FakeAvito, avito_client: AvitoClient
) -> None:
    url = fake_avito.serve_file(b"\1" * 300_000, chunked=True)
    with pytest.raises(AvitoDownloadRefused):
        await avito_client.download(url, limit=200_000)
    assert await avito_client.download(url, limit=300_000) == b"\1" * 300_000


async def test_a_redirect_to_another_host_is_not_followed(
    fake_avito: FakeAvito, avito_client: AvitoClient, foreign: ForeignHost
) -> None:
    with pytest.raises(AvitoDownloadRefused) as refused:
        await avito_client.download(fake_avito.redirect_to(foreign.url))
    assert not refused.value.retryable
    assert foreign.hits == 0


async def test_a_redirect_within_avito_is_followed(fake_avito: FakeAvito, avito_client: AvitoClient) -> None:
    target = fake_avito.serve_file(b"voice bytes")
    assert await avito_client.download(fake_avito.redirect_to(target)) == b"voice bytes"


def test_avito_media_hosts_are_allowed_and_look_alikes_are_not() -> None:
    client = AvitoClient("https://api.avito.ru")
    assert client.is_avito_host("img.k.avito.ru") and client.is_avito_host("www.avito.st")
    assert not client.is_avito_host("avito.ru.example.com") and not client.is_avito_host("notavito.ru")
