"""Managers' replies reach Avito in the order they were written, once each, whatever fails on the way."""

from __future__ import annotations

from tests.bridge.conftest import Bridge


async def _dialog_topic(bridge: Bridge) -> tuple[str, int]:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    return chat, topic


async def test_a_503_on_the_first_reply_does_not_let_the_second_overtake_it(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    # Only the send endpoint (POST …/v1/…/messages) fails, once; reads of the chat go through.
    bridge.avito.fail_next(f"/v1/accounts/{bridge.account.user_id}/chats/{chat}/messages", 503, times=1)
    first = bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Первый ответ", thread_id=topic)
    second = bridge.tg.user_sends(
        bridge.bot, bridge.group_id, bridge.manager, "Второй ответ", thread_id=topic
    )

    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 2, "both replies on Avito", timeout=20)
    await bridge.until(
        lambda: all(bridge.tg.reactions(bridge.group_id, m["message_id"]) for m in (first, second)),
        "a reaction on both replies",
    )
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Первый ответ", "Второй ответ"]


async def test_replies_written_in_a_burst_arrive_in_order(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    texts = [f"ответ {n}" for n in range(6)]
    for text in texts:
        bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, text, thread_id=topic)
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == len(texts), "every reply on Avito")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == texts
