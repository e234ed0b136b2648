"""Polling Avito when its answers disagree or are odd: no buyer message is lost or shown twice."""

from __future__ import annotations

from tests.bridge.conftest import Bridge


async def test_a_message_the_messages_endpoint_shows_late_still_arrives_once(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("первое" in t for t in bridge.texts(topic)), "the first message")

    # Right after a webhook the chat list already shows the new message; the messages read does not yet.
    bridge.avito.lag_messages(chat, reads=1)
    bridge.avito.buyer_sends(chat, "второе, которое видно не сразу")
    await bridge.until(lambda: any("второе" in t for t in bridge.texts(topic)), "the late message")
    await bridge.settle()
    assert sum("второе" in t for t in bridge.texts(topic)) == 1
