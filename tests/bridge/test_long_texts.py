"""Avito → Telegram: a buyer's text of any length and any characters reaches the topic whole, as written."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tuberry.storage.models import User

HEADERS = {
    "ru": "⚠️ Telegram не принял вложение, показываем текстом:",
    "en": "⚠️ Telegram did not accept the attachment, here it is as text:",
}


def awkward_text(length: int, seed: int = 12) -> str:
    """What HTML escaping lengthens, mixed with Cyrillic, with no space for the splitter to cut at."""
    rng = random.Random(seed)
    return "".join(rng.choice("<>&\"'<>&\"'ёжЩ") for _ in range(length))


async def speak(bridge: Bridge, language: str) -> None:
    async with bridge.db.session() as session:
        owner = await session.scalar(select(User).where(User.telegram_user_id == bridge.owner["id"]))
        assert owner is not None
        owner.language = language
        await session.commit()


def shown_after(bridge: Bridge, topic: int, skip: int) -> list[str]:
    """The texts the topic shows (as parsed by Telegram, entities decoded), after the first `skip`."""
    return bridge.texts(topic)[skip:]


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_long_text_full_of_html_characters_arrives_whole(bridge: Bridge, language: str) -> None:
    await speak(bridge, language)
    chat = bridge.new_chat()
    buyer = awkward_text(4000)
    bridge.avito.buyer_sends(chat, buyer)

    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: len("".join(shown_after(bridge, topic, 1))) >= len(buyer), "the buyer's text")
    await bridge.settle()
    assert shown_after(bridge, topic, 1) == [buyer]  # 4000 characters shown: one message


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_refused_long_text_arrives_whole_as_the_fallback(bridge: Bridge, language: str) -> None:
    await speak(bridge, language)
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "привет")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: "привет" in bridge.texts(topic), "the first message")

    bridge.tg.fail_next("sendMessage", 400, "Bad Request: message can't be sent")
    buyer = awkward_text(3000, seed=3)
    bridge.avito.buyer_sends(chat, buyer)
    await bridge.until(lambda: len("".join(shown_after(bridge, topic, 2))) >= len(buyer), "the fallback")
    await bridge.settle()
    shown = shown_after(bridge, topic, 2)
    assert shown[0].startswith(HEADERS[language])
    # The splitter may cut after the header line, whose line break it drops.
    assert "".join(shown).removeprefix(HEADERS[language]).lstrip("\n") == buyer
