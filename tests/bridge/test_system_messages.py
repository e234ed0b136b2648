"""Whose turn it is (domain.ticket) end to end: a buyer's message makes the dialog wait, a manager's reply
settles it and marks the Avito chat read; Avito's own notices show as one italic line and wait for nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.bridge.conftest import Bridge
from tuberry.domain.schedule import Schedule
from tuberry.storage.models import Workspace

NOTICE = "Покупатель оформил доставку, заказ №123"


async def waiting_since(bridge: Bridge, chat: str) -> datetime | None:
    return (await bridge.dialog(chat)).waiting_since


async def closed_now(bridge: Bridge) -> None:
    """Off-hours with the auto-reply on: a buyer's message would be answered automatically."""
    now = datetime.now(UTC)
    hours = f"{now + timedelta(hours=1):%H:%M}-{now + timedelta(hours=2):%H:%M}"
    async with bridge.db.session() as session:
        workspace = await session.get(Workspace, bridge.workspace_id)
        assert workspace is not None
        workspace.auto_reply_enabled = True
        workspace.auto_reply_schedule = Schedule.parse("UTC", [hours] * 7).to_dict()
        workspace.auto_reply_text = "Мы не на связи"
        await session.commit()


async def test_a_buyer_waits_until_a_manager_answers_and_the_chat_is_read(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Есть в наличии?")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("наличии" in t for t in bridge.texts(topic)), "the buyer's message")
    assert await waiting_since(bridge, chat) is not None
    reads = await bridge.until(lambda: bridge.avito.count(f"/chats/{chat}/read"), "the delivery's read mark")

    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Да, есть", thread_id=topic)
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "the reply on Avito")
    await bridge.until(
        lambda: bridge.avito.count(f"/chats/{chat}/read") == reads + 1, "the reply's read mark"
    )
    assert await waiting_since(bridge, chat) is None

    bridge.avito.buyer_sends(chat, "А доставка?")
    await bridge.until(lambda: waiting_since(bridge, chat), "a new wait")
    bridge.avito.seller_sends_from_app(chat, "Доставка есть")
    await bridge.until(lambda: any("Доставка есть" in t for t in bridge.texts(topic)), "the app's answer")
    assert await waiting_since(bridge, chat) is None  # the seller answered in the Avito app


async def test_avitos_notice_is_one_italic_line_and_nobodys_turn(bridge: Bridge) -> None:
    await closed_now(bridge)
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(
        chat, type="system", content={"text": NOTICE, "flow_id": "sbc_seller_notification"}
    )
    topic = await bridge.topic_of(chat)
    shown = await bridge.until(
        lambda: [m for m in bridge.topic_messages(topic) if NOTICE in (m.get("text") or "")], "the notice"
    )
    message = shown[0]
    assert message["text"] == f"🤖 Авито: {NOTICE}"
    assert [(e["type"], e["offset"]) for e in message["entities"]] == [("italic", 0)]
    await bridge.settle(2.0)  # past the auto-reply delay
    assert bridge.avito.sent_via_api(chat) == []  # no auto-reply to Avito's own notice
    assert await waiting_since(bridge, chat) is None


async def test_a_failed_read_mark_never_holds_up_the_reply_and_is_tried_again(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Есть в наличии?")
    topic = await bridge.topic_of(chat)
    reads = await bridge.until(lambda: bridge.avito.count(f"/chats/{chat}/read"), "the delivery's read mark")
    bridge.avito.fail_next(f"/chats/{chat}/read", 500)

    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Да, есть", thread_id=topic)
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "the reply on Avito")
    await bridge.until(lambda: bridge.avito.count(f"/chats/{chat}/read") == reads + 2, "the read mark again")

    async def read() -> bool:
        return not (await bridge.dialog(chat)).read_pending

    await bridge.until(read, "the chat marked read")
    assert bridge.avito.sent_via_api(chat)[0]["content"]["text"] == "Да, есть"
