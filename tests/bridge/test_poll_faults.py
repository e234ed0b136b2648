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


async def test_one_unreadable_chat_does_not_hold_up_the_others(bridge: Bridge, caplog) -> None:
    odd, fine = bridge.new_chat(buyer="Анна"), bridge.new_chat(buyer="Борис")
    bridge.avito.mangle(odd, last_message={"created": "вчера"})  # a last message without an id
    bridge.avito.buyer_sends(odd, "от Анны")
    bridge.avito.buyer_sends(fine, "от Бориса")

    topic = await bridge.topic_of(fine)
    await bridge.until(lambda: any("от Бориса" in t for t in bridge.texts(topic)), "the readable chat")
    assert any(odd in r.getMessage() for r in caplog.records if r.levelname == "WARNING")

    bridge.avito.unmangle(odd)  # Avito answers it readably again: the next poll imports it
    odd_topic = await bridge.topic_of(odd)
    await bridge.until(lambda: any("от Анны" in t for t in bridge.texts(odd_topic)), "the chat once readable")
    await bridge.settle()
    assert sum("от Анны" in t for t in bridge.texts(odd_topic)) == 1
    assert sum("от Бориса" in t for t in bridge.texts(topic)) == 1


async def test_odd_messages_are_stored_and_shown_by_the_fallback_line(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.mangle(chat, users="никто", created="давно")
    odd = bridge.avito.buyer_sends(chat, "исходный текст")
    bridge.avito.mangle(odd["id"], type=42, content="мусор", created="вчера", is_read="может", quote="нет")
    bridge.avito.buyer_sends(chat, "а это обычный текст")

    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("обычный текст" in t for t in bridge.texts(topic)), "the plain text")
    await bridge.settle()
    texts = bridge.texts(topic)
    fallback = [n for n, t in enumerate(texts) if "Tuberry пока не умеет" in t]
    plain = [n for n, t in enumerate(texts) if "обычный текст" in t]
    assert len(fallback) == 1 and len(plain) == 1 and fallback[0] < plain[0]
