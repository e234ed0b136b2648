"""Telegram → Avito: a manager's reply in the topic reaches the buyer once; what Avito can't take is said."""

from __future__ import annotations

import logging

import pytest

from tests.bridge.conftest import Bridge
from tests.samples import jpeg


async def _dialog_topic(bridge: Bridge, buyer: str = "Анна") -> tuple[str, int]:
    chat = bridge.new_chat(buyer=buyer)
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    return chat, topic


async def test_manager_text_reaches_avito_once_and_gets_a_reaction(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    reply = bridge.tg.user_sends(
        bridge.bot, bridge.group_id, bridge.manager, "Добрый день! Да, в наличии.", thread_id=topic
    )

    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "the reply on Avito")
    await bridge.until(
        lambda: bool(bridge.tg.reactions(bridge.group_id, reply["message_id"])), "the reaction"
    )
    await bridge.settle()
    sent = bridge.avito.sent_via_api(chat)
    assert [m["content"]["text"] for m in sent] == ["Добрый день! Да, в наличии."]
    # The echo of our own send comes back through the list API and is not posted by the bot again.
    assert not any("в наличии" in t for t in bridge.texts(topic))


async def test_manager_photo_with_caption_becomes_image_then_text(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    picture = jpeg()
    bridge.tg.user_sends(
        bridge.bot, bridge.group_id, bridge.manager, thread_id=topic, photo=picture, caption="Вот фото"
    )

    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 2, "image and caption on Avito")
    await bridge.settle()
    sent = bridge.avito.sent_via_api(chat)
    assert [m["type"] for m in sent] == ["image", "text"]
    assert sent[1]["content"]["text"] == "Вот фото"
    assert list(bridge.avito.uploaded_images.values()) == [picture]


async def test_long_text_is_split_at_word_boundaries(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    words = " ".join(f"слово{n}" for n in range(400))  # ~3000 characters
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, words, thread_id=topic)
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) >= 3, "the parts on Avito")
    await bridge.settle()
    parts = [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)]
    assert all(len(p) <= 1000 for p in parts)
    assert " ".join(parts).split() == words.split()


async def test_unsupported_media_gets_a_short_reply_and_is_not_sent(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, thread_id=topic, sticker=True)
    await bridge.until(
        lambda: any("только текст и изображения" in t for t in bridge.texts(topic)), "the explanation"
    )
    assert bridge.avito.sent_via_api(chat) == []


async def test_commands_general_topic_and_other_chats_are_not_relayed(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "/getid", thread_id=topic)
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "в общий чат")
    bridge.tg.user_sends(bridge.bot, bridge.manager["id"], bridge.manager, "в личку боту")
    await bridge.until(lambda: any("ID" in t for t in bridge.texts(topic)), "the /getid answer")
    await bridge.settle()
    assert bridge.avito.sent_via_api(chat) == []
    answer = next(t for t in bridge.texts(topic) if "ID" in t)
    assert str(bridge.group_id) in answer and str(topic) in answer


async def test_a_permanent_refusal_by_avito_gets_a_reply_saying_why(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    bridge.avito.fail_next("/messages", 403, times=5)
    reply = bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Ответ", thread_id=topic)
    await bridge.until(
        lambda: any("Не доставлено в Авито" in t for t in bridge.texts(topic)), "the failure reply"
    )
    failure = next(m for m in bridge.topic_messages(topic) if "Не доставлено" in (m.get("text") or ""))
    assert failure["reply_to_message"]["message_id"] == reply["message_id"]
    assert "Мессенджеру" in failure["text"]  # says why: no Messenger access
    assert bridge.avito.sent_via_api(chat) == []
    assert not bridge.tg.reactions(bridge.group_id, reply["message_id"])


async def test_avito_refusing_with_markup_in_its_words_is_reported_verbatim(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    words = "text must not contain <script> & <b>tags</b>"
    bridge.avito.fail_next("/messages", 400, body={"error": {"code": 400, "message": words}})
    reply = bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Ответ <b>", thread_id=topic)
    await bridge.until(
        lambda: any("Не доставлено в Авито" in t for t in bridge.texts(topic)), "the failure reply"
    )
    failure = next(m for m in bridge.topic_messages(topic) if "Не доставлено" in (m.get("text") or ""))
    assert words in failure["text"]
    assert failure["reply_to_message"]["message_id"] == reply["message_id"]
    assert bridge.avito.sent_via_api(chat) == []


async def test_a_photo_whose_download_fails_leaves_no_bot_token_in_the_log(
    bridge: Bridge, caplog: pytest.LogCaptureFixture
) -> None:
    chat, topic = await _dialog_topic(bridge)
    caplog.set_level(logging.DEBUG)
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, thread_id=topic, photo=jpeg())
    bridge.tg.lose_files()

    await bridge.until(
        lambda: any(r.levelno >= logging.WARNING and r.exc_info for r in caplog.records), "the failure logged"
    )
    await bridge.settle()
    secret = bridge.bot.token.split(":")[1]
    assert secret not in caplog.text
    assert bridge.avito.sent_via_api(chat) == []
