"""Avito media Telegram cannot take as it is: what stands in for it, without the topic getting stuck."""

from __future__ import annotations

import pytest

from tests.bridge.conftest import Bridge

# What is under test is how a message is posted, not storage: one backend is enough.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

# Opus in an MP4 container as far as its first bytes go, then nothing a decoder can read.
BROKEN_VOICE = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A isomiso2" + b"\x5a" * 2000


async def _topic_with_a_first_text(bridge: Bridge) -> tuple[str, int]:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: "Здравствуйте" in bridge.texts(topic), "the first text")
    return chat, topic


async def test_a_photo_url_that_always_times_out_is_uploaded_and_the_topic_moves_on(bridge: Bridge) -> None:
    bridge.services.bots.session.timeout = 1  # seconds: Telegram's fetch of the URL outlasts every request
    chat, topic = await _topic_with_a_first_text(bridge)
    sizes = bridge.avito.buyer_sends_image(chat)["content"]["image"]["sizes"]
    for url in sizes.values():  # before any await: the worker has not seen the message yet
        bridge.tg.stall_url(url)
    bridge.avito.buyer_sends(chat, "Видно фото?")
    await bridge.until(lambda: "Видно фото?" in bridge.texts(topic), "the text after the photo", timeout=60)
    await bridge.settle()
    messages = bridge.topic_messages(topic)[1:]  # after the card
    assert [("photo" in m, m.get("text")) for m in messages] == [
        (False, "Здравствуйте"),
        (True, None),
        (False, "Видно фото?"),
    ]
    assert bridge.tg.file_bytes(messages[1]["photo"][-1]["file_id"]).startswith(b"\x89PNG")  # uploaded


async def test_a_voice_note_that_cannot_be_converted_arrives_as_the_original_file(bridge: Bridge) -> None:
    chat, topic = await _topic_with_a_first_text(bridge)
    bridge.avito.buyer_sends_voice(chat, BROKEN_VOICE)
    bridge.avito.buyer_sends(chat, "Послушайте")
    await bridge.until(lambda: "Послушайте" in bridge.texts(topic), "the text after the voice note")
    await bridge.settle()
    messages = bridge.topic_messages(topic)[1:]  # after the card
    assert [m.get("text") for m in messages] == ["Здравствуйте", None, "Послушайте"]
    audio = messages[1]["audio"]
    assert audio["file_name"] == "voice.m4a"
    assert bridge.tg.file_bytes(audio["file_id"]) == BROKEN_VOICE  # the file itself, not a link that expires


async def test_a_voice_note_avito_cannot_serve_becomes_a_line(bridge: Bridge) -> None:
    chat, topic = await _topic_with_a_first_text(bridge)
    bridge.avito.fail_next("/_files/voice/", 404)
    bridge.avito.buyer_sends_voice(chat, BROKEN_VOICE)
    await bridge.until(lambda: any("послушать" in t for t in bridge.texts(topic)), "the line for the voice")
    await bridge.settle()
    assert not any("audio" in m or "voice" in m for m in bridge.topic_messages(topic))


async def test_a_voice_file_telegram_refuses_as_audio_arrives_as_a_document(bridge: Bridge) -> None:
    chat, topic = await _topic_with_a_first_text(bridge)
    bridge.tg.fail_next("sendAudio", 400, "Bad Request: AUDIO_INVALID")
    bridge.avito.buyer_sends_voice(chat, BROKEN_VOICE)
    await bridge.until(lambda: any("document" in m for m in bridge.topic_messages(topic)), "the file")
    await bridge.settle()
    files = [m for m in bridge.topic_messages(topic) if "document" in m or "audio" in m]
    assert len(files) == 1
    assert bridge.tg.file_bytes(files[0]["document"]["file_id"]) == BROKEN_VOICE
