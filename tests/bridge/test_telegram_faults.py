"""Avito → Telegram when Telegram's network or the media misbehave: every message arrives once, in order."""

from __future__ import annotations

import pytest

from tests.bridge.conftest import Bridge
from tests.fakes.telegram_state import GENERAL_TOPIC_ID
from tuberry.jobs.sweep import GRACE

# What is under test is the job's handling of Telegram, not storage: one backend is enough.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

# The lost-job sweep only takes work pending longer than GRACE: arriving sooner proves the job itself retried.
BEFORE_THE_SWEEP = GRACE.total_seconds() - 2


async def _topic_with_a_first_text(bridge: Bridge) -> tuple[str, int]:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: "Здравствуйте" in bridge.texts(topic), "the first text")
    return chat, topic


async def test_a_dropped_connection_is_retried_and_the_message_arrives_once(bridge: Bridge) -> None:
    chat, topic = await _topic_with_a_first_text(bridge)
    bridge.tg.drop_connection_next("sendMessage")
    bridge.avito.buyer_sends(chat, "Ещё продаёте?")
    await bridge.until(lambda: "Ещё продаёте?" in bridge.texts(topic), "the text", timeout=BEFORE_THE_SWEEP)
    await bridge.settle()
    assert bridge.texts(topic)[1:] == ["Здравствуйте", "Ещё продаёте?"]  # after the card


async def test_a_dropped_connection_while_opening_the_topic_is_retried(bridge: Bridge) -> None:
    bridge.tg.drop_connection_next("createForumTopic")
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Добрый день")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: "Добрый день" in bridge.texts(topic), "the text", timeout=BEFORE_THE_SWEEP)
    await bridge.settle()
    topics = [t for t in bridge.tg.topics(bridge.group_id) if t["message_thread_id"] != GENERAL_TOPIC_ID]
    assert [t["message_thread_id"] for t in topics] == [topic]
    assert bridge.texts(topic)[1:] == ["Добрый день"]  # after the card
