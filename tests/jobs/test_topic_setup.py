"""A new topic always gets its card, pinned, before the first message, whatever Telegram answers once."""

from __future__ import annotations

from tests.bridge.conftest import Bridge


async def _card_then_message(bridge: Bridge, chat: str) -> int:
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("первое" in t for t in bridge.texts(topic)), "the buyer's message")
    return topic


async def test_a_429_on_the_card_is_retried_and_the_card_comes_first(bridge: Bridge) -> None:
    bridge.tg.fail_next("sendMessage", 429, retry_after=1)  # the first sendMessage of a new topic: its card
    chat = bridge.new_chat(buyer="Вера", item="Самокат")
    bridge.avito.buyer_sends(chat, "первое")
    topic = await _card_then_message(bridge, chat)
    await bridge.until(lambda: bool(bridge.tg.pinned(bridge.group_id)), "the card pinned")
    await bridge.settle()

    texts = bridge.texts(topic)
    assert "Вера" in texts[0] and "Самокат" in texts[0]
    assert sum("Самокат" in t for t in texts) == 1
    assert sum("первое" in t for t in texts) == 1
    assert bridge.tg.pinned(bridge.group_id) == [bridge.topic_messages(topic)[0]["message_id"]]


async def test_a_429_on_the_pin_is_retried(bridge: Bridge) -> None:
    bridge.tg.fail_next("pinChatMessage", 429, retry_after=1)
    chat = bridge.new_chat(buyer="Вера", item="Самокат")
    bridge.avito.buyer_sends(chat, "первое")
    topic = await _card_then_message(bridge, chat)

    await bridge.until(lambda: bool(bridge.tg.pinned(bridge.group_id)), "the card pinned after the 429")
    await bridge.settle()
    card = bridge.topic_messages(topic)[0]
    assert "Самокат" in (card.get("text") or "")
    assert bridge.tg.pinned(bridge.group_id) == [card["message_id"]]
    assert sum("Самокат" in t for t in bridge.texts(topic)) == 1
