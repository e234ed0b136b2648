"""One Avito account: its token (lazy, cached, renewed) and the Messenger calls.

Paths and quirks follow Avito's OpenAPI documents and API-NOTES PART I; the one-line comments name
the quirk. The token and the client secret never appear in logs or reprs.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pydantic import ValidationError

from .errors import AvitoBadRequest, AvitoError, AvitoTokenRejected
from .models import AccountInfo, Chat, Message, UploadedImage
from .responses import M, decode, parse
from .tokens import AccessToken, LoadToken, OnToken, TokenSlot, usable

if TYPE_CHECKING:
    from .client import AvitoClient

log = logging.getLogger(__name__)

TEXT_LIMIT = 1000  # sendMessageRequestBody: "максимум 1000 символов"
UPLOAD_LIMIT = 24 * 1024 * 1024  # uploadImages: at most 24 MB
MAX_LIMIT = 100  # limit 1..100 on chats and messages
MAX_OFFSET = 1000  # offset 0..1000 on chats and messages
TOLERATED_REJECTIONS = 3  # renewed tokens answered 401 in a row before the account counts as unauthorized


def _seg(value: str | int) -> str:
    """One path segment, escaped: chat ids contain "~" and are opaque (API-NOTES §3.1)."""
    return quote(str(value), safe="")


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be 1..{MAX_LIMIT}")
    if not 0 <= offset <= MAX_OFFSET:
        raise ValueError(f"offset must be 0..{MAX_OFFSET}")


def _each(model: type[M], items: Any, where: str) -> list[M]:
    """The readable records of a list answer. One odd record must not hide the others: it is logged with
    its id and left out (a chat then stays unread until Avito answers it readably; the poll retries)."""
    parsed: list[M] = []
    for item in items if isinstance(items, list) else []:
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            ident = item.get("id") if isinstance(item, dict) else None
            log.warning(
                "skipped an unreadable %s %r %s (%d errors)", model.__name__, ident, where, exc.error_count()
            )
    return parsed


class AvitoSession:
    """One Avito account: its token (lazy, cached, refreshed) and the Messenger calls.

    The token lives in a `TokenSlot` that every session of the same credentials in this process shares
    (`AvitoClient.session`), so concurrent jobs renew it once. It is renewed when it expires within five
    minutes, and when a call answers 401 (the call is then repeated once). Before renewing, `load_token`
    is asked for the stored token: another process may have renewed it already. `on_token` is awaited
    after every new token so the caller can store it (encrypted); its exceptions propagate.

    A 401 with the renewed token is AvitoTokenRejected (retryable) up to `TOLERATED_REJECTIONS` renewed
    tokens in a row, then AvitoUnauthorized. A 403 also gets one renewal, because after expiry Avito may
    answer 403 instead of 401 (API-NOTES §5.3); a token that has been answered 403 once is not renewed
    again for that reason, so an account without Messenger does not cost a token request per call.
    """

    def __init__(
        self,
        client: AvitoClient,
        client_id: str,
        client_secret: str,
        *,
        slot: TokenSlot | None = None,
        token: AccessToken | None = None,
        on_token: OnToken | None = None,
        load_token: LoadToken | None = None,
    ) -> None:
        self._client = client
        self.client_id = client_id
        self._client_secret = client_secret
        self._slot = slot if slot is not None else TokenSlot()
        self._slot.offer(token)
        self._on_token = on_token
        self._load_token = load_token

    def __repr__(self) -> str:
        return f"AvitoSession(client_id={self.client_id!r}, token={self._slot.token!r})"

    @property
    def token(self) -> AccessToken | None:
        return self._slot.token

    async def access_token(self) -> AccessToken:
        """A token valid for at least five more minutes, fetching one if needed."""
        return (await self._valid_token())[0]

    # ---------------------------------------------------------------- account

    async def self_info(self) -> AccountInfo:
        """GET /core/v1/accounts/self: the account's user_id (`id`) and name."""
        return parse(AccountInfo, await self._call("GET", "/core/v1/accounts/self"))

    # ---------------------------------------------------------------- chats and messages

    async def list_chats(
        self,
        user_id: int,
        *,
        chat_types: Sequence[str] = ("u2i", "u2u"),
        unread_only: bool = False,
        limit: int = 100,
        offset: int = 0,
        item_ids: Sequence[int] | None = None,
    ) -> list[Chat]:
        """getChatsV2. Types are always sent: Avito's default is u2i only (API-NOTES §3.2)."""
        _check_page(limit, offset)
        params: dict[str, str | int] = {
            "chat_types": ",".join(chat_types),
            "unread_only": "true" if unread_only else "false",
            "limit": limit,
            "offset": offset,
        }
        if item_ids:
            params["item_ids"] = ",".join(str(i) for i in item_ids)
        body = await self._call("GET", f"/messenger/v2/accounts/{_seg(user_id)}/chats", params=params)
        chats = body.get("chats") if isinstance(body, dict) else None
        return _each(Chat, chats, f"of user {user_id}")

    async def get_chat(self, user_id: int, chat_id: str) -> Chat:
        """getChatByIdV2: the chat with its item context and last message."""
        body = await self._call("GET", f"/messenger/v2/accounts/{_seg(user_id)}/chats/{_seg(chat_id)}")
        return parse(Chat, body)

    async def list_messages(
        self, user_id: int, chat_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Message]:
        """getMessagesV3, newest first as served. Does not mark the chat read (see mark_read)."""
        _check_page(limit, offset)
        path = f"/messenger/v3/accounts/{_seg(user_id)}/chats/{_seg(chat_id)}/messages/"
        body = await self._call("GET", path, params={"limit": limit, "offset": offset})
        # The spec declares a bare array; the live API answers {"messages": [...], "meta": ...}.
        items = body.get("messages") if isinstance(body, dict) else body
        return _each(Message, items, f"in chat {chat_id}")

    async def send_text(self, user_id: int, chat_id: str, text: str) -> Message:
        """postSendMessage. Empty texts and texts over 1000 characters are refused before sending
        (AvitoBadRequest with status None): split long texts first."""
        # Refused here with the error Avito would answer, without the round trip.
        if not text.strip():
            raise AvitoBadRequest(None, "empty message", {"message.text": "required"})
        if len(text) > TEXT_LIMIT:
            limit = f"at most {TEXT_LIMIT} characters, got {len(text)}"
            raise AvitoBadRequest(None, f"text too long: {limit}", {"message.text": limit})
        path = f"/messenger/v1/accounts/{_seg(user_id)}/chats/{_seg(chat_id)}/messages"
        body = await self._call("POST", path, json={"type": "text", "message": {"text": text}})
        return self._sent_message(body, user_id, "text")

    async def upload(self, user_id: int, data: bytes, filename: str = "image.jpg") -> UploadedImage:
        """uploadImages (one image per request, part `uploadfile[]`); returns the image id and its size URLs
        (to recognise the sent image later)."""
        if not data or len(data) > UPLOAD_LIMIT:
            raise AvitoBadRequest(None, "image must be 1 byte to 24 MB", {"uploadfile[]": "size"})
        mime = mimetypes.guess_type(filename)[0] or "image/jpeg"
        files = {"uploadfile[]": (filename, data, mime)}
        body = await self._call("POST", f"/messenger/v1/accounts/{_seg(user_id)}/uploadImages", files=files)
        # The answer is {image_id: {size: url}}; the id is its only key.
        if not isinstance(body, dict) or not body:
            raise AvitoError(200, "uploadImages answered without an image id")
        image_id, sizes = next(iter(body.items()))
        urls = (
            frozenset(u for u in sizes.values() if isinstance(u, str))
            if isinstance(sizes, dict)
            else frozenset()
        )
        return UploadedImage(id=str(image_id), urls=urls)

    async def send_image(self, user_id: int, chat_id: str, image_id: str) -> Message:
        """postSendImageMessage with the id from `upload` (store the id between the two calls)."""
        path = f"/messenger/v1/accounts/{_seg(user_id)}/chats/{_seg(chat_id)}/messages/image"
        body = await self._call("POST", path, json={"image_id": image_id})
        return self._sent_message(body, user_id, "image")

    async def delete_message(self, user_id: int, chat_id: str, message_id: str) -> None:
        """deleteMessage (a POST); the message stays, with type `deleted`. Within an hour only."""
        path = f"/messenger/v1/accounts/{_seg(user_id)}/chats/{_seg(chat_id)}/messages/{_seg(message_id)}"
        await self._call("POST", path)

    async def mark_read(self, user_id: int, chat_id: str) -> None:
        """chatRead: the only way to clear unread; fetching messages does not."""
        await self._call("POST", f"/messenger/v1/accounts/{_seg(user_id)}/chats/{_seg(chat_id)}/read")

    async def voice_urls(self, user_id: int, voice_ids: list[str]) -> dict[str, str]:
        """getVoiceFiles: voice_id → link (Opus in MP4, valid for one hour)."""
        if not voice_ids:
            return {}
        params = [("voice_ids", v) for v in voice_ids]
        body = await self._call("GET", f"/messenger/v1/accounts/{_seg(user_id)}/getVoiceFiles", params=params)
        urls = body.get("voices_urls") if isinstance(body, dict) else None
        if not isinstance(urls, dict):
            return {}
        return {str(k): v for k, v in urls.items() if isinstance(v, str)}

    async def download(self, url: str) -> bytes:
        """Download a voice or image link (without the token)."""
        return await self._client.download(url)

    async def blacklist(
        self, user_id: int, buyer_id: int, reason_id: int, item_id: int | None = None
    ) -> None:
        """postBlacklistV2: the buyer can no longer write to the account. `reason_id`: 1 spam, 2 fraud,
        3 insults, 4 other (API-NOTES §3.10); `item_id` is the chat's item, when it has one."""
        context: dict[str, int] = {"reason_id": reason_id}
        if item_id is not None:
            context["item_id"] = item_id
        body = {"users": [{"user_id": buyer_id, "context": context}]}
        await self._call("POST", f"/messenger/v2/accounts/{_seg(user_id)}/blacklist", json=body)

    # ---------------------------------------------------------------- webhooks

    async def subscribe_webhook(self, url: str) -> None:
        """postWebhookV3. Avito then POSTs every message (the account's own too) to `url`."""
        await self._call("POST", "/messenger/v3/webhook", json={"url": url})

    async def unsubscribe_webhook(self, url: str) -> None:
        await self._call("POST", "/messenger/v1/webhook/unsubscribe", json={"url": url})

    async def subscriptions(self) -> list[str]:
        """getSubscriptions (a POST). Other integrations' URLs are listed too: leave them alone."""
        body = await self._call("POST", "/messenger/v1/subscriptions")
        subs = body.get("subscriptions") if isinstance(body, dict) else None
        if not isinstance(subs, list):
            return []
        return [s["url"] for s in subs if isinstance(s, dict) and isinstance(s.get("url"), str)]

    # ---------------------------------------------------------------- plumbing

    @staticmethod
    def _sent_message(body: Any, user_id: int, type_: str) -> Message:
        if not isinstance(body, dict):
            raise AvitoError(200, "send answered without the message")
        # The send-text answer has no author_id in the spec (API-NOTES §3.4): it is the account.
        data = {"author_id": user_id, "direction": "out", "type": type_, "is_read": True, **body}
        return parse(Message, data)

    async def _valid_token(self) -> tuple[AccessToken, bool]:
        """The token to use and whether it was fetched just now."""
        current = self._slot.token
        if current is not None and usable(current):
            return current, False
        async with self._slot.lock:
            return await self._renew_locked(None)

    async def _replace_rejected(self, rejected: AccessToken) -> tuple[AccessToken, bool]:
        async with self._slot.lock:
            return await self._renew_locked(rejected)

    async def _renew_locked(self, rejected: AccessToken | None) -> tuple[AccessToken, bool]:
        """Under the slot's lock: a token another job or process renewed meanwhile, else a new one."""
        current = self._slot.token
        if current is not None and usable(current, rejected):
            return current, False
        if self._load_token is not None:
            stored = await self._load_token()
            if stored is not None and usable(stored, rejected):
                self._slot.token = stored
                return stored, False
        return await self._fetch_locked(), True

    async def _fetch_locked(self) -> AccessToken:
        token = await self._client.fetch_token(self.client_id, self._client_secret)
        self._slot.token = token
        log.info("avito token renewed for client %s…", self.client_id[:4])
        if self._on_token is not None:
            await self._on_token(token)
        return token

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        slot = self._slot
        token, fresh = await self._valid_token()
        resp = await self._client.send(method, path, token=token, **kwargs)
        status = resp.status_code
        if status == 401 or (status == 403 and not fresh and token != slot.forbidden):
            token, _ = await self._replace_rejected(token)
            resp = await self._client.send(method, path, token=token, **kwargs)
            status = resp.status_code
            if status == 401:
                self._count_rejection(token)
        if status == 403:
            slot.forbidden = token
        if status != 401:
            slot.rejections, slot.rejected = 0, None
        return decode(resp)

    def _count_rejection(self, token: AccessToken) -> None:
        """A renewed token answered 401. Counted once per token (concurrent calls share one), and raised as
        retryable until `TOLERATED_REJECTIONS` tokens in a row were refused."""
        slot = self._slot
        if token != slot.rejected:
            slot.rejected, slot.rejections = token, slot.rejections + 1
        if slot.rejections <= TOLERATED_REJECTIONS:
            raise AvitoTokenRejected(401, "Avito refused a token it has just issued")
