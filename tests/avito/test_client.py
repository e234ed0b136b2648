"""AvitoClient / AvitoSession against FakeAvito: tokens, errors, Messenger calls, webhooks."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.fakes.avito import FakeAccount, FakeAvito
from tuberry.avito import (
    AccessToken,
    AvitoBadRequest,
    AvitoClient,
    AvitoError,
    AvitoForbidden,
    AvitoInvalidCredentials,
    AvitoNotFound,
    AvitoPaymentRequired,
    AvitoRateLimited,
    AvitoServerError,
    AvitoSession,
    AvitoTokenRejected,
    AvitoUnauthorized,
    AvitoUnavailable,
    parse_webhook,
)
from tuberry.avito.session import TOLERATED_REJECTIONS

# ---------------------------------------------------------------------------- tokens


async def test_token_is_fetched_lazily_and_cached(fake_avito: FakeAvito, session: AvitoSession) -> None:
    assert fake_avito.token_requests == 0
    info = await session.self_info()
    await session.list_chats(info.id)
    await session.list_chats(info.id, unread_only=True)
    assert fake_avito.token_requests == 1
    assert session.token is not None
    assert session.token.expires_at - datetime.now(UTC) > timedelta(hours=23)


async def test_concurrent_calls_share_one_token_request(fake_avito: FakeAvito, session: AvitoSession) -> None:
    await asyncio.gather(*(session.self_info() for _ in range(5)))
    assert fake_avito.token_requests == 1


async def test_expired_token_is_refreshed_once_on_401(
    fake_avito: FakeAvito, account: FakeAccount, avito_client: AvitoClient
) -> None:
    stored: list[AccessToken] = []

    async def on_token(token: AccessToken) -> None:
        stored.append(token)

    session = avito_client.session(account.client_id, account.client_secret, on_token=on_token)
    await session.self_info()
    first = session.token
    fake_avito.expire_tokens()
    chats = await session.list_chats(account.user_id)
    assert chats == []
    assert fake_avito.token_requests == 2
    assert fake_avito.count("/chats") == 2  # the 401 and the retry
    assert stored == [first, session.token] and stored[0] != stored[1]


async def test_token_expiring_within_five_minutes_is_renewed_before_the_call(
    fake_avito: FakeAvito, account: FakeAccount, avito_client: AvitoClient
) -> None:
    issued = await avito_client.fetch_token(account.client_id, account.client_secret)
    stored: list[AccessToken] = []

    async def on_token(token: AccessToken) -> None:
        stored.append(token)

    soon = AccessToken(issued.value, datetime.now(UTC) + timedelta(minutes=4))
    session = avito_client.session(account.client_id, account.client_secret, token=soon, on_token=on_token)
    await session.self_info()
    assert fake_avito.token_requests == 2
    assert fake_avito.count("/core/v1/accounts/self") == 1  # renewed before, not after a 401
    assert len(stored) == 1 and stored[0] == session.token != soon


async def test_stored_token_is_used_without_a_token_request(
    fake_avito: FakeAvito, account: FakeAccount, avito_client: AvitoClient
) -> None:
    issued = await avito_client.fetch_token(account.client_id, account.client_secret)
    session = avito_client.session(account.client_id, account.client_secret, token=issued)
    assert (await session.self_info()).id == account.user_id
    assert fake_avito.token_requests == 1


async def test_a_401_after_refresh_is_retryable_until_renewed_tokens_keep_failing(
    fake_avito: FakeAvito, session: AvitoSession
) -> None:
    # Each call: 401 with the held token, then 401 with the renewed one.
    fake_avito.fail_next("/core/v1/accounts/self", 401, times=2 * (TOLERATED_REJECTIONS + 1))
    for _ in range(TOLERATED_REJECTIONS):
        with pytest.raises(AvitoTokenRejected) as rejected:
            await session.self_info()
        assert rejected.value.status == 401 and rejected.value.retryable
    with pytest.raises(AvitoUnauthorized) as err:
        await session.self_info()
    assert err.value.status == 401 and not err.value.retryable


async def test_a_renewed_token_accepted_after_one_401_clears_the_count(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    for _ in range(TOLERATED_REJECTIONS + 1):
        fake_avito.fail_next("/core/v1/accounts/self", 401, times=2)
        with pytest.raises(AvitoTokenRejected):
            await session.self_info()
        assert (await session.self_info()).id == account.user_id


async def test_bad_credentials(
    fake_avito: FakeAvito, account: FakeAccount, avito_client: AvitoClient
) -> None:
    with pytest.raises(AvitoInvalidCredentials) as err:
        await avito_client.fetch_token(account.client_id, "wrong")
    assert err.value.status == 400 and not err.value.retryable
    session = avito_client.session("unknown", "secret")
    with pytest.raises(AvitoInvalidCredentials):
        await session.self_info()


async def test_token_401_oauth_body_is_invalid_credentials(
    fake_avito: FakeAvito, account: FakeAccount, avito_client: AvitoClient
) -> None:
    # The status of a refused /token is undocumented (400 or 401): both mean bad credentials.
    fake_avito.fail_next("/token", 401, body={"error": "invalid_client", "error_description": "bad"})
    with pytest.raises(AvitoInvalidCredentials, match="bad"):
        await avito_client.fetch_token(account.client_id, account.client_secret)


async def test_token_endpoint_down_is_retryable(
    fake_avito: FakeAvito, account: FakeAccount, avito_client: AvitoClient
) -> None:
    fake_avito.fail_next("/token", 503)
    with pytest.raises(AvitoServerError) as err:
        await avito_client.fetch_token(account.client_id, account.client_secret)
    assert err.value.retryable


def test_secrets_are_not_in_reprs(avito_client: AvitoClient) -> None:
    token = AccessToken("s3cr3t-token-value", datetime.now(UTC) + timedelta(hours=1))
    session = avito_client.session("client-id", "client-secret-value", token=token)
    for text in (repr(token), str(token), repr(session), str(session)):
        assert "s3cr3t-token-value" not in text and "client-secret-value" not in text
    with pytest.raises(ValueError):
        AccessToken("x", datetime.now())  # naive datetimes are refused


async def test_secrets_are_not_logged(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await session.self_info()
    fake_avito.expire_tokens()
    await session.list_chats(account.user_id)
    assert session.token is not None
    assert caplog.records  # something was logged, and none of it is secret
    assert account.client_secret not in caplog.text and session.token.value not in caplog.text


# ---------------------------------------------------------------------------- errors


async def test_no_messenger_is_forbidden_without_a_token_request_per_call(
    fake_avito: FakeAvito, avito_client: AvitoClient
) -> None:
    account = fake_avito.add_account(no_messenger=True)
    session = avito_client.session(account.client_id, account.client_secret)
    assert (await session.self_info()).id == account.user_id  # self works without the tariff
    for _ in range(3):
        with pytest.raises(AvitoForbidden) as err:
            await session.list_chats(account.user_id)
        assert err.value.status == 403 and not err.value.retryable
    # One renewal on the first 403 (expiry may look like 403), none after that.
    assert fake_avito.token_requests == 2


async def test_403_with_a_stale_token_recovers_after_one_renewal(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    await session.self_info()
    fake_avito.fail_next("/chats", 403)
    assert await session.list_chats(account.user_id) == []
    assert fake_avito.token_requests == 2


async def test_payment_required(fake_avito: FakeAvito, avito_client: AvitoClient) -> None:
    account = fake_avito.add_account(payment_required=True)
    session = avito_client.session(account.client_id, account.client_secret)
    with pytest.raises(AvitoPaymentRequired) as err:
        await session.list_chats(account.user_id)
    assert err.value.status == 402 and err.value.message == "Payment required"


async def test_employee_key_sees_no_company_chats(fake_avito: FakeAvito, avito_client: AvitoClient) -> None:
    employee = fake_avito.add_account(employee=True)
    chat_id = fake_avito.add_chat(employee)
    fake_avito.buyer_sends(chat_id, "здравствуйте")
    session = avito_client.session(employee.client_id, employee.client_secret)
    assert (await session.self_info()).id == employee.user_id
    assert await session.list_chats(employee.user_id) == []
    with pytest.raises(AvitoForbidden, match="main account"):
        await session.send_text(employee.user_id, chat_id, "ответ")


async def test_other_accounts_user_id_is_forbidden(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    other = fake_avito.add_account()
    with pytest.raises(AvitoForbidden):
        await session.list_chats(other.user_id)


async def test_unknown_chat_is_not_found(account: FakeAccount, session: AvitoSession) -> None:
    with pytest.raises(AvitoNotFound):
        await session.get_chat(account.user_id, "u2i-does~not~exist")


async def test_rate_limited_carries_retry_after(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    fake_avito.fail_next("/chats", 429, retry_after=7)
    with pytest.raises(AvitoRateLimited) as err:
        await session.list_chats(account.user_id)
    assert err.value.retry_after == 7.0 and err.value.retryable and err.value.status == 429
    fake_avito.fail_next("/chats", 429)
    with pytest.raises(AvitoRateLimited) as err:
        await session.list_chats(account.user_id)
    assert err.value.retry_after is None  # Avito may send no Retry-After at all


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retryable(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession, status: int
) -> None:
    fake_avito.fail_next("/messages", status)
    chat_id = fake_avito.add_chat(account)
    with pytest.raises(AvitoServerError) as err:
        await session.list_messages(account.user_id, chat_id)
    assert err.value.status == status and err.value.retryable
    assert "contact support" in err.value.message


async def test_validation_error_keeps_fields(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    chat_id = fake_avito.add_chat(account)
    with pytest.raises(AvitoBadRequest) as err:
        await session.send_image(account.user_id, chat_id, "123.unknown")
    assert "image_id" in err.value.fields and not err.value.retryable


async def test_connection_refused_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AvitoClient(f"http://127.0.0.1:{port}", timeout=2.0) as client:
        with pytest.raises(AvitoUnavailable) as err:
            await client.fetch_token("id", "secret")
    assert err.value.status is None and err.value.retryable
    assert "secret" not in str(err.value)


async def test_timeout_is_unavailable(fake_avito: FakeAvito, account: FakeAccount) -> None:
    fake_avito.delay_next("/token", 0.3)
    async with AvitoClient(fake_avito.base_url, timeout=0.05) as client:
        with pytest.raises(AvitoUnavailable, match="timeout"):
            await client.fetch_token(account.client_id, account.client_secret)


def test_all_errors_are_avito_errors() -> None:
    for cls in (AvitoInvalidCredentials, AvitoUnauthorized, AvitoForbidden, AvitoPaymentRequired):
        assert issubclass(cls, AvitoError)
    for cls in (AvitoNotFound, AvitoBadRequest, AvitoRateLimited, AvitoServerError, AvitoUnavailable):
        assert issubclass(cls, AvitoError)


# ---------------------------------------------------------------------------- Messenger calls


async def test_list_chats_returns_both_types_with_item_and_buyer(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    item_chat = fake_avito.add_chat(account, buyer_name="Анна", item_title="Велосипед", price="15 000 ₽")
    user_chat = fake_avito.add_chat(account, chat_type="u2u", buyer_name="Борис")
    fake_avito.buyer_sends(user_chat, "привет")
    fake_avito.buyer_sends(item_chat, "актуально?")

    chats = await session.list_chats(account.user_id)
    assert [c.id for c in chats] == [item_chat, user_chat]  # most recently updated first
    by_id = {c.id: c for c in chats}
    item = by_id[item_chat]
    assert item.chat_type == "u2i" and item.item_title == "Велосипед" and item.price_string == "15 000 ₽"
    assert item.item_id is not None and item.item_url and "~" in item.id
    buyer = item.buyer(account.user_id)
    assert buyer is not None and buyer.name == "Анна" and buyer.profile_url and buyer.avatar_url
    assert item.last_message is not None and item.last_message.text == "актуально?"
    assert by_id[user_chat].chat_type == "u2u" and by_id[user_chat].item_title is None

    only_items = await session.list_chats(account.user_id, chat_types=("u2i",))
    assert [c.id for c in only_items] == [item_chat]
    with pytest.raises(ValueError):
        await session.list_chats(account.user_id, limit=101)


async def test_get_chat(fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession) -> None:
    chat_id = fake_avito.add_chat(account, item_title="Самокат", item_id=1234567890)
    chat = await session.get_chat(account.user_id, chat_id)
    assert chat.id == chat_id and chat.item_id == 1234567890 and chat.item_title == "Самокат"
    assert chat.last_message is None


async def test_messages_come_newest_first(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    chat_id = fake_avito.add_chat(account)
    first = fake_avito.buyer_sends(chat_id, "раз")
    fake_avito.buyer_sends(chat_id, "два", quote_id=first["id"])
    fake_avito.seller_sends_from_app(chat_id, "три")

    messages = await session.list_messages(account.user_id, chat_id)
    assert [m.text for m in messages] == ["три", "два", "раз"]
    assert [m.direction for m in messages] == ["out", "in", "in"]
    assert messages[0].author_id == account.user_id
    assert messages[1].quote is not None and messages[1].quote.text == "раз"
    assert messages[0].created > messages[1].created > messages[2].created  # even within one second
    page = await session.list_messages(account.user_id, chat_id, limit=1, offset=1)
    assert [m.text for m in page] == ["два"]


async def test_send_text(fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession) -> None:
    chat_id = fake_avito.add_chat(account)
    sent = await session.send_text(account.user_id, chat_id, "Да, актуально")
    assert sent.direction == "out" and sent.type == "text" and sent.text == "Да, актуально"
    assert sent.author_id == account.user_id  # filled in: the answer has no author_id
    assert [m["id"] for m in fake_avito.sent_via_api(chat_id)] == [sent.id]
    assert (await session.send_text(account.user_id, chat_id, "я" * 1000)).text == "я" * 1000
    with pytest.raises(AvitoBadRequest) as err:
        await session.send_text(account.user_id, chat_id, "я" * 1001)
    assert err.value.status is None and "message.text" in err.value.fields and not err.value.retryable
    with pytest.raises(AvitoBadRequest):
        await session.send_text(account.user_id, chat_id, "  ")
    assert len(fake_avito.sent_via_api(chat_id)) == 2  # the refused ones never left


async def test_upload_and_send_image(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    chat_id = fake_avito.add_chat(account)
    data = b"\xff\xd8\xff\xe0" + b"jpeg" * 100
    image_id = (await session.upload(account.user_id, data, "photo.jpg")).id
    assert fake_avito.uploaded_images[image_id] == data
    sent = await session.send_image(account.user_id, chat_id, image_id)
    assert sent.type == "image" and sent.direction == "out" and sent.author_id == account.user_id
    assert sent.image_url is not None and "1280x960" in sent.image_url  # the largest size
    assert await session.download(sent.image_url) == data
    assert fake_avito.sent_via_api(chat_id)[-1]["id"] == sent.id


async def test_buyer_image_can_be_downloaded(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    chat_id = fake_avito.add_chat(account)
    fake_avito.buyer_sends_image(chat_id)
    (message,) = await session.list_messages(account.user_id, chat_id)
    assert message.image_url is not None
    assert (await session.download(message.image_url)).startswith(b"\x89PNG")


async def test_voice_urls_and_download(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    chat_id = fake_avito.add_chat(account)
    audio = b"\x00\x00\x00\x18ftypmp42 opus"
    fake_avito.buyer_sends_voice(chat_id, audio)
    fake_avito.buyer_sends_voice(chat_id, b"second")
    messages = await session.list_messages(account.user_id, chat_id)
    voice_ids = [m.voice_id for m in messages if m.voice_id]
    assert len(voice_ids) == 2

    urls = await session.voice_urls(account.user_id, voice_ids)
    assert set(urls) == set(voice_ids)
    assert await session.download(urls[voice_ids[1]]) == audio  # the older one (newest first)
    assert fake_avito.requests[-2][2] == {"voice_ids": voice_ids}  # a repeated parameter
    assert await session.voice_urls(account.user_id, []) == {}

    fake_avito.advance_clock(3601)  # a voice link works for one hour
    with pytest.raises(AvitoForbidden):
        await session.download(urls[voice_ids[1]])


async def test_mark_read_clears_unread(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    chat_id = fake_avito.add_chat(account)
    fake_avito.buyer_sends(chat_id, "ау")
    assert [c.id for c in await session.list_chats(account.user_id, unread_only=True)] == [chat_id]
    messages = await session.list_messages(account.user_id, chat_id)
    assert not messages[0].is_read
    # Reading messages does not mark the chat read.
    assert [c.id for c in await session.list_chats(account.user_id, unread_only=True)] == [chat_id]
    await session.mark_read(account.user_id, chat_id)
    assert await session.list_chats(account.user_id, unread_only=True) == []
    assert (await session.list_messages(account.user_id, chat_id))[0].is_read


async def test_unknown_and_unsupported_message_types_parse(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    chat_id = fake_avito.add_chat(account)
    fake_avito.buyer_sends(chat_id, type="sticker", content={"sticker": {"id": 7}})
    fake_avito.buyer_sends(chat_id, type="video")  # "an empty object is returned" for video
    gone = fake_avito.buyer_sends(chat_id, "oops")
    fake_avito.delete_message(chat_id, gone["id"])
    deleted, video, sticker = await session.list_messages(account.user_id, chat_id)
    assert (
        sticker.type == "sticker" and not sticker.is_known_type and sticker.content == {"sticker": {"id": 7}}
    )
    assert video.type == "video" and video.content == {} and video.is_known_type
    assert deleted.type == "deleted" and deleted.id == gone["id"] and deleted.text is None


async def test_delete_own_message(fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession) -> None:
    chat_id = fake_avito.add_chat(account)
    sent = await session.send_text(account.user_id, chat_id, "ошибся")
    await session.delete_message(account.user_id, chat_id, sent.id)
    assert fake_avito.messages(chat_id)[-1]["type"] == "deleted"


# ---------------------------------------------------------------------------- webhooks


async def test_webhooks_deliver_every_message_including_the_echo(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession, webhook_receiver: Any
) -> None:
    chat_id = fake_avito.add_chat(account)
    foreign = "https://amojo.amocrm.ru/v1/~external/hooks/avito"
    account.webhooks[foreign] = "3"  # another integration's subscription stays listed
    await session.subscribe_webhook(webhook_receiver.url)
    assert await session.subscriptions() == [foreign, webhook_receiver.url]
    account.webhooks.pop(foreign)

    buyer = fake_avito.buyer_sends(chat_id, "здравствуйте")
    app = fake_avito.seller_sends_from_app(chat_id, "из приложения")
    sent = await session.send_text(account.user_id, chat_id, "через API")
    await fake_avito.flush_webhooks()

    assert webhook_receiver.bodies[0] == {}
    assert parse_webhook({}) is None
    events = [parse_webhook(b) for b in webhook_receiver.bodies[1:]]
    assert all(e is not None for e in events)
    values = [e.message for e in events if e is not None]
    assert [v.id for v in values] == [buyer["id"], app["id"], sent.id]
    assert [v.is_own for v in values] == [False, True, True]  # the echo: author_id == user_id
    assert values[0].to_message().text == "здравствуйте" and values[0].chat_id == chat_id
    assert "x-avito-messenger-signature" in webhook_receiver.headers[1]

    await session.unsubscribe_webhook(webhook_receiver.url)
    assert await session.subscriptions() == []
    fake_avito.buyer_sends(chat_id, "ещё")
    await fake_avito.flush_webhooks()
    assert len(webhook_receiver.bodies) == 4


async def test_unreachable_webhook_failures_are_recorded(
    fake_avito: FakeAvito, account: FakeAccount, session: AvitoSession
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    await session.subscribe_webhook(f"http://127.0.0.1:{port}/hook")
    fake_avito.buyer_sends(fake_avito.add_chat(account), "привет")
    await fake_avito.flush_webhooks()
    assert len(fake_avito.webhook_failures) == 2  # the probe and the message
    assert fake_avito.webhook_failures[0].error
