"""Avito API client on httpx: the process-wide connection pool, /token, and one HTTP exchange.

`AvitoClient` owns the HTTP connection pool and is shared by the whole process; `AvitoSession`
(session.py) is one Avito account (client_id + client_secret) and its access token; tokens.py reads
/token's answers and responses.py maps Avito's answers to models and typed errors.

Secrets: the client secret and the token never appear in logs, reprs or error messages; logged
URLs lose their query string (voice links are signed).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import httpx

from .errors import AvitoUnavailable
from .responses import error_from_response, public_url
from .session import AvitoSession
from .tokens import TOKEN_PATH, AccessToken, LoadToken, OnToken, TokenSlot, token_from_answer, utcnow

__all__ = ["AccessToken", "AvitoClient", "AvitoSession"]

log = logging.getLogger(__name__)


class AvitoClient:
    """The process-wide Avito API client. `timeout` (seconds) applies to every request."""

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout)
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient(timeout=self._timeout)
        self._slots: dict[tuple[str, str], TokenSlot] = {}

    async def aclose(self) -> None:
        """Close the connection pool, unless it was passed in (then its owner closes it)."""
        if self._owns_http:
            await self._http.aclose()

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

    async def download(self, url: str) -> bytes:
        """GET a file Avito links to (voice, image). No Authorization header: these are CDN links,
        and the token must not travel to other hosts."""
        return (await self._checked("GET", url)).content

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
        try:
            resp = await self._http.request(method, url, headers=headers, timeout=self._timeout, **kwargs)
        except httpx.TimeoutException as exc:
            raise AvitoUnavailable(None, f"timeout: {method} {public_url(url)}") from exc
        except httpx.TransportError as exc:
            raise AvitoUnavailable(
                None, f"{type(exc).__name__} on {method} {public_url(url)}: {exc}"
            ) from exc
        log.debug("avito %s %s -> %s", method, public_url(url), resp.status_code)
        return resp

    async def _checked(self, method: str, url: str) -> httpx.Response:
        resp = await self.send(method, url, follow_redirects=True)
        if not resp.is_success:
            raise error_from_response(resp)
        return resp
