"""The fake Avito (and the client's requests) against Avito's own OpenAPI documents.

The fake is only worth something if it answers like Avito, so its raw JSON is validated against the
schemas of Avito's documents vendored in tests/avito/openapi (source and date in its README) with
OpenAPI 3.0 semantics (`nullable`, int32/int64 formats).
Where the documents are known to be wrong (API-NOTES §3.3, §3.4, §4.1) the test says so and checks
the part that is right.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.fakes.avito import FakeAccount, FakeAvito
from tuberry.avito import AvitoClient

SPEC_DIR = Path(__file__).resolve().parent / "openapi"
MESSENGER, AUTH, USER = "messenger.json", "authorization.json", "user.json"
JSON = "application/json"


@cache
def _document(name: str) -> dict[str, Any]:
    return json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))


@cache
def _registry(name: str) -> Registry:
    return Registry().with_resource(
        f"urn:avito:{name}", Resource.from_contents(_document(name), default_specification=DRAFT4)
    )


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def errors_against(name: str, pointer: list[str], instance: Any) -> list[str]:
    """Validation errors of `instance` against the schema at `pointer` inside document `name`."""
    node: Any = _document(name)
    for part in pointer:  # fail loudly if the document does not have what we think it has
        node = node[part]
    fragment = quote("/" + "/".join(_escape(p) for p in pointer))
    validator = OAS30Validator(
        {"$ref": f"urn:avito:{name}#{fragment}"},
        registry=_registry(name),
        format_checker=oas30_format_checker,
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def assert_response(name: str, path: str, method: str, instance: Any, status: str = "200") -> None:
    pointer = ["paths", path, method, "responses", status, "content", JSON, "schema"]
    assert errors_against(name, pointer, instance) == []


def assert_schema(name: str, schema: str, instance: Any) -> None:
    assert errors_against(name, ["components", "schemas", schema], instance) == []


ACC = "/messenger/v1/accounts/{user_id}"


class Api:
    """Raw HTTP against the fake: the point is the fake's JSON, not the client's parsing."""

    def __init__(self, fake: FakeAvito, account: FakeAccount, http: httpx.AsyncClient) -> None:
        self.fake, self.account, self.http = fake, account, http
        self.token = ""

    async def login(self) -> dict[str, Any]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.account.client_id,
            "client_secret": self.account.client_secret,
        }
        resp = await self.http.post("/token", data=form)
        assert resp.status_code == 200
        self.token = resp.json()["access_token"]
        return resp.json()

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        resp = await self.http.request(
            method, path.format(uid=self.account.user_id), headers=headers, **kwargs
        )
        assert resp.status_code == expect, resp.text
        return resp.json() if resp.content else None


@pytest.fixture
async def api(fake_avito: FakeAvito, account: FakeAccount) -> Any:
    async with httpx.AsyncClient(base_url=fake_avito.base_url) as http:
        api = Api(fake_avito, account, http)
        await api.login()
        yield api


def _rich_chat(fake: FakeAvito, account: FakeAccount) -> str:
    """A chat holding one message of every type the list API's enum names, and a quote."""
    chat = fake.add_chat(account, buyer_name="Анна", item_title="Mazda 3 2008", price="300 000 ₽")
    first = fake.buyer_sends(chat, "Здравствуйте, актуально?")
    fake.buyer_sends(chat, "Да?", quote_id=first["id"])
    fake.buyer_sends_image(chat)
    fake.buyer_sends_voice(chat, b"\x00\x00\x00\x18ftypmp42")
    fake.buyer_sends(
        chat,
        type="link",
        content={"link": {"text": "habr.com", "url": "https://habr.com/ru/", "preview": None}},
    )
    fake.buyer_sends(
        chat,
        type="item",
        content={
            "item": {
                "title": "Объявление",
                "item_url": "https://avito.ru/item_url",
                "image_url": "https://avito.ru/image_url.webp",
                "price_string": None,
            }
        },
    )
    fake.buyer_sends(
        chat,
        type="location",
        content={
            "location": {
                "lat": 55.599799,
                "lon": 37.603954,
                "kind": "street",
                "text": "Москва, Варшавское шоссе",
                "title": "Москва, Варшавское шоссе",
            }
        },
    )
    fake.buyer_sends(
        chat, type="call", content={"call": {"status": "missed", "target_user_id": account.user_id}}
    )
    fake.buyer_sends(chat, type="system", content={"flow_id": "seller_audience_discount", "text": "Скидка"})
    gone = fake.buyer_sends(chat, "удалю")
    fake.delete_message(chat, gone["id"])
    fake.seller_sends_from_app(chat, "Актуально")
    return chat


async def test_token_answer_matches_authorization_spec(api: Api) -> None:
    body = await api.login()
    assert_response(AUTH, "/token", "post", body)
    assert body["expires_in"] == 86400 and body["token_type"] == "Bearer"


async def test_token_error_is_oauth_shaped(api: Api) -> None:
    # /token errors are not documented; the fake uses RFC 6749 §5.2 (API-NOTES §1.1, uncertain item 2).
    resp = await api.http.post(
        "/token/",
        data={"grant_type": "client_credentials", "client_id": api.account.client_id, "client_secret": "x"},
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_client"
    assert isinstance(resp.json()["error_description"], str)


async def test_self_matches_user_spec(api: Api) -> None:
    body = await api.call("GET", "/core/v1/accounts/self")
    assert_response(USER, "/core/v1/accounts/self", "get", body)
    assert body["id"] == api.account.user_id


async def test_chats_and_chat_match_messenger_spec(api: Api) -> None:
    chat_id = _rich_chat(api.fake, api.account)
    u2u = api.fake.add_chat(api.account, chat_type="u2u")
    api.fake.buyer_sends(u2u, "привет")
    api.fake.add_chat(api.account)  # a chat without messages has no last_message

    body = await api.call("GET", "/messenger/v2/accounts/{uid}/chats", params={"chat_types": "u2i,u2u"})
    assert_response(MESSENGER, "/messenger/v2/accounts/{user_id}/chats", "get", body)
    assert len(body["chats"]) == 3

    one = await api.call("GET", f"/messenger/v2/accounts/{{uid}}/chats/{chat_id}")
    assert_response(MESSENGER, "/messenger/v2/accounts/{user_id}/chats/{chat_id}", "get", one)
    assert one["context"]["type"] == "item"
    assert one["last_message"]["direction"] == "out"
    assert "chat_type" not in one and "unread_count" not in one  # the spec has neither (API-NOTES §3.2)


async def test_messages_items_match_messenger_spec(api: Api) -> None:
    chat_id = _rich_chat(api.fake, api.account)
    path = "/messenger/v3/accounts/{user_id}/chats/{chat_id}/messages/"
    body = await api.call("GET", f"/messenger/v3/accounts/{{uid}}/chats/{chat_id}/messages/")
    # The spec's Messages schema is a bare array, but the live API wraps it in
    # {"messages": [...], "meta": {"has_more": bool}} (API-NOTES §3.3, A7/A8): validate the wrapper
    # here and every item against the spec's item schema.
    assert set(body) == {"messages", "meta"}
    assert isinstance(body["meta"]["has_more"], bool)
    spec_schema = _document(MESSENGER)["paths"][path]["get"]["responses"]["200"]["content"][JSON]["schema"]
    assert spec_schema == {"$ref": "#/components/schemas/Messages"}
    assert _document(MESSENGER)["components"]["schemas"]["Messages"]["type"] == "array"
    assert errors_against(MESSENGER, ["components", "schemas", "Messages"], body["messages"]) == []
    types = {m["type"] for m in body["messages"]}
    assert types == {"text", "image", "voice", "link", "item", "location", "call", "system", "deleted"}
    assert any("quote" in m for m in body["messages"])
    created = [m["created"] for m in body["messages"]]
    assert created == sorted(created, reverse=True)  # newest first


async def test_send_text_matches_spec(api: Api) -> None:
    chat_id = api.fake.add_chat(api.account)
    body = await api.call(
        "POST",
        f"/messenger/v1/accounts/{{uid}}/chats/{chat_id}/messages",
        json={"type": "text", "message": {"text": "привет"}},
    )
    assert_response(MESSENGER, ACC + "/chats/{chat_id}/messages", "post", body)
    # The spec's x-example shows direction "in"; a message the account sends is "out".
    assert body["direction"] == "out"


async def test_send_text_request_schema_and_limit(api: Api) -> None:
    schema = _document(MESSENGER)["components"]["schemas"]["sendMessageRequestBody"]
    # required: ["url"] in sendMessageRequestBody is a copy-paste bug of the spec (API-NOTES §3.4).
    assert schema["required"] == ["url"]
    assert schema["properties"]["message"]["properties"]["text"]["maxLength"] == 1000
    chat_id = api.fake.add_chat(api.account)
    too_long = {"type": "text", "message": {"text": "я" * 1001}}
    body = await api.call(
        "POST", f"/messenger/v1/accounts/{{uid}}/chats/{chat_id}/messages", expect=400, json=too_long
    )
    assert_schema(MESSENGER, "validatingError", body)
    assert body["error"]["fields"]


async def test_upload_and_send_image_match_spec(api: Api) -> None:
    chat_id = api.fake.add_chat(api.account)
    files = {"uploadfile[]": ("photo.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")}
    uploaded = await api.call("POST", "/messenger/v1/accounts/{uid}/uploadImages", files=files)
    assert_response(MESSENGER, ACC + "/uploadImages", "post", uploaded)
    (image_id,) = uploaded

    sent = await api.call(
        "POST", f"/messenger/v1/accounts/{{uid}}/chats/{chat_id}/messages/image", json={"image_id": image_id}
    )
    assert_response(MESSENGER, ACC + "/chats/{chat_id}/messages/image", "post", sent)
    assert sent["content"]["image"]["sizes"] == uploaded[image_id]

    unknown = await api.call(
        "POST",
        f"/messenger/v1/accounts/{{uid}}/chats/{chat_id}/messages/image",
        expect=400,
        json={"image_id": "1.nope"},
    )
    assert_schema(MESSENGER, "validatingError", unknown)


async def test_upload_takes_only_uploadfile_part(api: Api) -> None:
    files = {"file": ("photo.jpg", b"jpeg", "image/jpeg")}
    body = await api.call("POST", "/messenger/v1/accounts/{uid}/uploadImages", expect=400, files=files)
    assert_schema(MESSENGER, "validatingError", body)


async def test_read_voice_delete_match_spec(api: Api) -> None:
    chat_id = api.fake.add_chat(api.account)
    voice = api.fake.buyer_sends_voice(chat_id, b"voice")
    read = await api.call("POST", f"/messenger/v1/accounts/{{uid}}/chats/{chat_id}/read")
    assert_response(MESSENGER, ACC + "/chats/{chat_id}/read", "post", read)

    voice_id = voice["content"]["voice"]["voice_id"]
    urls = await api.call("GET", "/messenger/v1/accounts/{uid}/getVoiceFiles", params={"voice_ids": voice_id})
    assert_response(MESSENGER, ACC + "/getVoiceFiles", "get", urls)
    assert set(urls["voices_urls"]) == {voice_id}

    mine = api.fake.seller_sends_from_app(chat_id, "ok")
    deleted = await api.call("POST", f"/messenger/v1/accounts/{{uid}}/chats/{chat_id}/messages/{mine['id']}")
    assert_response(MESSENGER, ACC + "/chats/{chat_id}/messages/{message_id}", "post", deleted)
    assert api.fake.messages(chat_id)[-1]["type"] == "deleted"


async def test_webhook_management_and_envelope_match_spec(api: Api, webhook_receiver: Any) -> None:
    ok = await api.call("POST", "/messenger/v3/webhook", json={"url": webhook_receiver.url})
    assert_response(MESSENGER, "/messenger/v3/webhook", "post", ok)
    subs = await api.call("POST", "/messenger/v1/subscriptions")
    # The x-example shows {"ok": true}; the schema (and a captured answer, A10) has the list.
    assert_response(MESSENGER, "/messenger/v1/subscriptions", "post", subs)
    assert subs == {"subscriptions": [{"url": webhook_receiver.url, "version": "3"}]}

    chat_id = _rich_chat(api.fake, api.account)
    await api.fake.flush_webhooks()
    assert webhook_receiver.bodies[0] == {}  # the reachability probe
    envelopes = webhook_receiver.bodies[1:]
    assert len(envelopes) == len(api.fake.messages(chat_id))
    for envelope in envelopes:
        # The 201 "response" of postWebhookV3 documents what arrives at the webhook.
        assert_response(MESSENGER, "/messenger/v3/webhook", "post", envelope, status="201")
        assert envelope["version"] == "v3.0.0"  # the spec example says "v1.1"; real payloads v3.0.0

    gone = await api.call("POST", "/messenger/v1/webhook/unsubscribe", json={"url": webhook_receiver.url})
    assert_response(MESSENGER, "/messenger/v1/webhook/unsubscribe", "post", gone)


@pytest.mark.parametrize(
    ("status", "schema"),
    [
        (400, "badRequestError"),
        (402, "purchasingError"),
        (403, "forbiddenError"),
        (404, "notFoundError"),
        (500, "serviceError"),
        (503, "serviceUnavailableError"),
    ],
)
async def test_injected_errors_use_spec_bodies(api: Api, status: int, schema: str) -> None:
    api.fake.fail_next("/chats", status)
    body = await api.call("GET", "/messenger/v2/accounts/{uid}/chats", expect=status)
    assert_schema(MESSENGER, schema, body)
    example = _document(MESSENGER)["components"]["schemas"][schema]["properties"]["error"]["properties"]
    assert body["error"]["message"] == example["message"]["example"]


async def test_real_errors_use_spec_bodies(api: Api, fake_avito: FakeAvito) -> None:
    body = await api.call("GET", "/messenger/v2/accounts/{uid}/chats", params={"limit": "101"}, expect=400)
    assert_schema(MESSENGER, "validatingError", body)
    body = await api.call("GET", "/messenger/v2/accounts/{uid}/chats/u2i-unknown", expect=404)
    assert_schema(MESSENGER, "notFoundError", body)
    body = await api.call("GET", "/messenger/v2/accounts/1/chats", expect=403)  # another user_id
    assert_schema(MESSENGER, "forbiddenError", body)
    fake_avito.expire_tokens()
    body = await api.call("GET", "/core/v1/accounts/self", expect=401)
    assert_response(USER, "/core/v1/accounts/self", "get", body, status="401")


def _spec_routes() -> list[tuple[str, re.Pattern[str]]]:
    routes = []
    for name in (MESSENGER, AUTH, USER):
        for path, item in _document(name)["paths"].items():
            clean = path.replace("\u200e", "")  # authorization.json tells /token variants apart by LRMs
            pattern = re.escape(clean).replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern)
            routes.extend((m.upper(), re.compile(pattern + "$")) for m in item if m in ("get", "post"))
    return routes


async def test_client_uses_spec_paths_and_request_schemas(
    fake_avito: FakeAvito, account: FakeAccount, webhook_receiver: Any
) -> None:
    """Every request the client makes is a method + path of the spec, with spec-valid JSON bodies."""
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        seen.append(request)

    chat_id = fake_avito.add_chat(account)
    voice = fake_avito.buyer_sends_voice(chat_id, b"voice")
    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        client = AvitoClient(fake_avito.base_url, http=http)
        session = client.session(account.client_id, account.client_secret)
        uid = (await session.self_info()).id
        await session.list_chats(uid)
        await session.get_chat(uid, chat_id)
        await session.list_messages(uid, chat_id)
        await session.send_text(uid, chat_id, "привет")
        image_id = (await session.upload(uid, b"\xff\xd8\xff jpeg")).id
        await session.send_image(uid, chat_id, image_id)
        await session.mark_read(uid, chat_id)
        await session.voice_urls(uid, [voice["content"]["voice"]["voice_id"]])
        buyer = fake_avito.chat(chat_id)["users"][1]["id"]
        await session.blacklist(uid, buyer, 2, item_id=fake_avito.chat(chat_id)["context"]["value"]["id"])
        await session.subscribe_webhook(webhook_receiver.url)
        await session.subscriptions()
        await session.unsubscribe_webhook(webhook_receiver.url)

    routes = _spec_routes()
    bodies = {
        "/messages": "sendMessageRequestBody",
        "/messages/image": "sendImageMessageRequestBody",
        "/webhook": "webhookSubscribeRequestBody",
        "/webhook/unsubscribe": "webhookSubscribeRequestBody",
        "/blacklist": "addBlacklistRequestBody",
    }
    for request in seen:
        path = request.url.path
        assert any(m == request.method and p.match(path) for m, p in routes), f"{request.method} {path}"
        schema = next((s for suffix, s in bodies.items() if path.endswith(suffix)), None)
        if schema is not None:
            body = json.loads(request.content)
            errors = errors_against(MESSENGER, ["components", "schemas", schema], body)
            # Drop the spec's bogus required "url" of sendMessageRequestBody (API-NOTES §3.4).
            assert [e for e in errors if "'url' is a required property" not in e] == []
    chats_query = next(r.url.params for r in seen if r.url.path.endswith("/chats"))
    assert chats_query["chat_types"] == "u2i,u2u"  # never rely on the u2i-only default
    assert [e["context"]["reason_id"] for e in fake_avito.blacklisted[account.user_id]] == [2]


def test_the_validation_is_not_vacuous() -> None:
    """Guard: the $ref resolution really reaches the schemas (a broken chat is reported)."""
    broken = {"chats": [{"id": 1, "users": [{"id": 2**40}], "last_message": {"content": {"text": 5}}}]}
    errors = errors_against(MESSENGER, ["components", "schemas", "Chats"], broken)
    assert len(errors) == 3, errors
    assert errors_against(MESSENGER, ["components", "schemas", "MessageContent"], {"text": None}) == []
