"""Avito → Telegram: every buyer message in the right topic, once, in order, readable."""

from __future__ import annotations

import asyncio

from tests.bridge.conftest import Bridge
from tests.samples import opus_voice


async def test_buyer_text_arrives_once_in_a_new_topic_with_a_pinned_card(bridge: Bridge) -> None:
    chat = bridge.new_chat(buyer="Анна", item="Велосипед Stels")
    bridge.avito.buyer_sends(chat, "Здравствуйте! Велосипед ещё продаётся?")

    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("ещё продаётся" in t for t in bridge.texts(topic)), "the buyer's text")
    await bridge.settle()

    texts = bridge.texts(topic)
    assert sum("ещё продаётся" in t for t in texts) == 1
    card = bridge.topic_messages(topic)[0]
    assert "Велосипед Stels" in card["text"] and "Анна" in card["text"] and "15 000 ₽" in card["text"]
    assert card["message_id"] in bridge.tg.pinned(bridge.group_id)
    title = next(t["name"] for t in bridge.tg.topics(bridge.group_id) if t["message_thread_id"] == topic)
    assert title == "Анна · Велосипед Stels"
    await bridge.until(
        lambda: all(m["is_read"] for m in bridge.avito.messages(chat) if m["direction"] == "in"),
        "the chat marked read on Avito",
    )


async def test_two_chats_get_two_topics_and_messages_stay_in_order(bridge: Bridge) -> None:
    first, second = bridge.new_chat(buyer="Анна"), bridge.new_chat(buyer="Борис", item="Самокат")
    for n in range(3):
        bridge.avito.buyer_sends(first, f"первый {n}")
        bridge.avito.buyer_sends(second, f"второй {n}")

    topic_1, topic_2 = await bridge.topic_of(first), await bridge.topic_of(second)
    assert topic_1 != topic_2
    await bridge.until(lambda: sum("второй" in t for t in bridge.texts(topic_2)) == 3, "three messages")
    await bridge.until(lambda: sum("первый" in t for t in bridge.texts(topic_1)) == 3, "three messages")
    await bridge.settle()
    assert [t for t in bridge.texts(topic_1) if "первый" in t] == ["первый 0", "первый 1", "первый 2"]
    assert not any("второй" in t for t in bridge.texts(topic_1))


async def test_image_arrives_as_a_photo_by_its_largest_url(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    sizes = bridge.avito.buyer_sends_image(chat)["content"]["image"]["sizes"]
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("photo" in m for m in bridge.topic_messages(topic)), "a photo")
    await bridge.settle()
    assert sum("photo" in m for m in bridge.topic_messages(topic)) == 1
    largest = max(sizes, key=lambda size: int(size.split("x")[0]) * int(size.split("x")[1]))
    assert bridge.tg.calls("sendPhoto")[-1][1]["photo"] == sizes[largest]


async def test_an_image_telegram_cannot_fetch_is_uploaded(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "сейчас пришлю фото")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("пришлю" in t for t in bridge.texts(topic)), "the text")
    bridge.tg.fail_next("sendPhoto", 400, "Bad Request: wrong file identifier/HTTP URL specified")
    bridge.avito.buyer_sends_image(chat)
    await bridge.until(lambda: any("photo" in m for m in bridge.topic_messages(topic)), "the uploaded photo")
    photo = next(m for m in bridge.topic_messages(topic) if "photo" in m)
    assert bridge.tg.file_bytes(photo["photo"][-1]["file_id"]).startswith(b"\x89PNG")


async def test_an_image_nobody_can_fetch_becomes_a_link(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(
        chat, type="image", content={"image": {"sizes": {"640x480": "http://127.0.0.1:9/gone.jpg"}}}
    )
    bridge.tg.fail_next("sendPhoto", 400, "Bad Request: wrong file identifier/HTTP URL specified", times=10)
    topic = await bridge.topic_of(chat)
    await bridge.until(
        lambda: any("http://127.0.0.1:9/gone.jpg" in t for t in bridge.texts(topic)), "the link", timeout=40
    )
    bridge.avito.buyer_sends(chat, "а это текст после")
    await bridge.until(lambda: any("текст после" in t for t in bridge.texts(topic)), "the next message")


async def test_voice_arrives_as_an_ogg_opus_voice_note(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends_voice(chat, opus_voice(1.0))
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("voice" in m for m in bridge.topic_messages(topic)), "a voice note")
    voice = next(m for m in bridge.topic_messages(topic) if "voice" in m)
    assert bridge.tg.file_bytes(voice["voice"]["file_id"]).startswith(b"OggS")


async def test_other_types_are_rendered_and_unknown_types_get_a_fallback(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(
        chat, type="location", content={"location": {"lat": 55.75, "lon": 37.61, "title": "Москва"}}
    )
    bridge.avito.buyer_sends(chat, type="call", content={"call": {"status": "missed", "target_user_id": 1}})
    bridge.avito.buyer_sends(chat, type="hologram", content={"hologram": {}})
    bridge.avito.buyer_sends(chat, "после всего")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("после всего" in t for t in bridge.texts(topic)), "the last text")
    texts = "\n".join(bridge.texts(topic))
    assert "Москва" in texts
    assert "Пропущенный звонок" in texts
    assert "hologram" in texts


async def test_seller_messages_from_the_avito_app_are_marked(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Можно посмотреть сегодня?")
    bridge.avito.seller_sends_from_app(chat, "Да, приезжайте к шести")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("к шести" in t for t in bridge.texts(topic)), "the seller's app message")
    marked = next(t for t in bridge.texts(topic) if "к шести" in t)
    assert marked.startswith("Отправлено из приложения Avito")


async def test_a_message_deleted_later_is_not_relayed_again(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    sent = bridge.avito.buyer_sends(chat, "ой, не туда")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("не туда" in t for t in bridge.texts(topic)), "the text")
    count = len(bridge.topic_messages(topic))
    bridge.avito.delete_message(chat, sent["id"])
    bridge.avito.buyer_sends(chat, "следующее")
    await bridge.until(lambda: any("следующее" in t for t in bridge.texts(topic)), "the next text")
    await bridge.settle()
    assert len(bridge.topic_messages(topic)) == count + 1


async def test_an_idle_account_costs_one_request_per_interval(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "привет")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("привет" in t for t in bridge.texts(topic)), "the message")
    await bridge.settle(1.0)  # the read mark and any follow-up requests are done

    before = len(bridge.avito.requests)
    await asyncio.sleep(3.0)  # about ten poll intervals of 0.3 s
    during = bridge.avito.requests[before:]
    paths = {path for _, path, _ in during}
    assert during, "the account is still polled"
    assert all(path.endswith("/chats") for path in paths), paths  # only the chat list, nothing else
    assert len(during) <= 3.0 / 0.3 + 2  # at most one request per interval
