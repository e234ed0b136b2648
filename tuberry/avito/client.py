"""Avito API client on httpx: the process-wide connection pool, /token, and one HTTP exchange.

`AvitoClient` owns the HTTP connection pool and is shared by the whole process; `AvitoSession`
(session.py) is one Avito account (client_id + client_secret) and its access token; tokens.py reads
/token's answers and responses.py maps Avito's answers to models and typed errors.

Secrets: the client secret and the token never appear in logs, reprs or error messages; logged
URLs lose their query string (voice links are signed).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Sequence
from typing import Any

import httpx

from .errors import AvitoDownloadRefused, AvitoUnavailable
from .responses import error_from_response, public_url
from .session import AvitoSession
from .tokens import TOKEN_PATH, AccessToken, LoadToken, OnToken, TokenSlot, token_from_answer, utcnow

__all__ = ["AccessToken", "AvitoClient", "AvitoSession"]

log = logging.getLogger(__name__)

# Telegram takes photo uploads up to 10 MB and other files up to 50 MB; Avito serves chat images at most
# 1280x960 and voice notes are minutes of Opus, both far below this. The cap bounds a job's memory.
DOWNLOAD_LIMIT = 20 * 1024 * 1024
MAX_REDIRECTS = 5
# Connection pools of the process's client and the connections each keeps. httpx's pool compares every
# request against each of its connections, and each connection with every other, whenever a request starts
# or ends: its CPU per request grows with the square of its size. Small pools taken in turn keep that cost
# low and still let `LANES * LANE_CONNECTIONS` requests run at once.
LANES = 8
LANE_CONNECTIONS = 4
MEDIA_DOMAINS = ("avito.ru", "avito.st")  # images on img.k.avito.ru, avatars on www.avito.st (API-NOTES §3)


class AvitoClient:
    """The process-wide Avito API client. `timeout` (seconds) applies to every request."""

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 20.0,
        media_domains: Sequence[str] = MEDIA_DOMAINS,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # Downloads may be redirected to these hosts (and their subdomains) only: the API's own host and
        # Avito's media domains.
        self._media_domains = (httpx.URL(self.base_url).host, *media_domains)
        self._timeout = httpx.Timeout(timeout)
        self._owns_http = http is None
        limits = httpx.Limits(max_connections=LANE_CONNECTIONS, max_keepalive_connections=LANE_CONNECTIONS)
        # One TLS context for every lane: each of its own would load the CA bundle again (memory, start-up).
        tls = httpx.create_ssl_context()
        self._lanes = [http] if http is not None else [
            httpx.AsyncClient(timeout=self._timeout, limits=limits, verify=tls) for _ in range(LANES)
        ]  # fmt: skip
        self._next_lane = itertools.cycle(self._lanes)
        self._slots: dict[tuple[str, str], TokenSlot] = {}

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in (then its owner closes it)."""
        if self._owns_http:
            for lane in self._lanes:
                await lane.aclose()

    async def __aenter__(self) -> AvitoClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AvitoClient({self.base_url!r})"

    def session(
        self,
        client_id: str,
        client_secret: str,
        *,
        token: AccessToken | None = None,
        on_token: OnToken | None = None,
        load_token: LoadToken | None = None,
    ) -> AvitoSession:
        """A session for one account. Sessions of the same credentials share one token in this process;
        `token` is a stored one (e.g. decrypted from the database), taken if newer than the shared one;
        `load_token` re-reads the stored token before a renewal, `on_token` stores a new one."""
        # Keyed by the secret too: a session must not borrow a token its own credentials would not get.
        key = (client_id, hashlib.sha256(client_secret.encode()).hexdigest())
        slot = self._slots.setdefault(key, TokenSlot())
        return AvitoSession(
            self, client_id, client_secret, slot=slot, token=token, on_token=on_token, load_token=load_token
        )

    async def fetch_token(self, client_id: str, client_secret: str) -> AccessToken:
        """POST /token (client_credentials). Bad credentials → AvitoInvalidCredentials."""
        issued_at = utcnow()
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        return token_from_answer(await self.send("POST", TOKEN_PATH, data=form), issued_at)

    async def download(self, url: str, *, limit: int = DOWNLOAD_LIMIT) -> bytes:
        """GET a file Avito links to (voice, image), at most `limit` bytes. No Authorization header: these
        are CDN links, and the token must not travel to other hosts. Redirects are followed only to Avito's
        hosts; a larger file or a redirect elsewhere is AvitoDownloadRefused."""
        for _ in range(MAX_REDIRECTS + 1):
            request = self._lanes[0].build_request("GET", url, timeout=self._timeout)
            resp = await self._exchange(request, stream=True)
            try:
                if resp.is_redirect and resp.next_request is not None:
                    target = resp.next_request.url
                    if not self.is_avito_host(target.host):
                        raise AvitoDownloadRefused(
                            resp.status_code, f"redirect to another host: {target.host}"
                        )
                    url = str(target)
                    continue
                if not resp.is_success:
                    await resp.aread()
                    raise error_from_response(resp)
                return await self._capped(resp, url, limit)
            finally:
                await resp.aclose()
        raise AvitoDownloadRefused(None, f"more than {MAX_REDIRECTS} redirects: {public_url(url)}")

    def is_avito_host(self, host: str) -> bool:
        """Avito's API host or one of its media domains (or their subdomains)."""
        return any(host == domain or host.endswith("." + domain) for domain in self._media_domains)

    async def _capped(self, resp: httpx.Response, url: str, limit: int) -> bytes:
        """The body, refused as soon as it is known to exceed `limit` (Content-Length, else while reading)."""
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise AvitoDownloadRefused(
                resp.status_code, f"file of {declared} bytes over {limit}: {public_url(url)}"
            )
        body = bytearray()
        try:
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise AvitoDownloadRefused(
                        resp.status_code, f"file over {limit} bytes: {public_url(url)}"
                    )
        except httpx.TransportError as exc:
            raise AvitoUnavailable(None, f"{type(exc).__name__} reading {public_url(url)}") from exc
        return bytes(body)

    async def _exchange(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send one request; network failures become AvitoUnavailable."""
        where = f"{request.method} {public_url(str(request.url))}"
        try:
            resp = await next(self._next_lane).send(request, stream=stream, follow_redirects=False)
        except httpx.TimeoutException as exc:
            raise AvitoUnavailable(None, f"timeout: {where}") from exc
        except httpx.TransportError as exc:
            raise AvitoUnavailable(None, f"{type(exc).__name__} on {where}: {exc}") from exc
        log.debug("avito %s -> %s", where, resp.status_code)
        return resp

    async def send(
        self,
        method: str,
        path_or_url: str,
        *,
        token: AccessToken | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One HTTP exchange; network failures become AvitoUnavailable. Status codes are not checked."""
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        headers = {"Authorization": f"Bearer {token.value}"} if token is not None else None
        request = self._lanes[0].build_request(method, url, headers=headers, timeout=self._timeout, **kwargs)
        return await self._exchange(request)
