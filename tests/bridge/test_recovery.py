"""Faults on the way: restarts, expired tokens, deleted topics, 429s and 5xx lose and double nothing."""

from __future__ import annotations

from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tuberry.storage.models import AvitoState, Direction, Message, Origin, TgState


async def test_worker_restart_redelivers_nothing(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    for n in range(3):
        bridge.avito.buyer_sends(chat, f"сообщение {n}")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: sum("сообщение" in t for t in bridge.texts(topic)) == 3, "three messages")

    await bridge.stop_worker()
    await bridge.start_worker()
    bridge.avito.buyer_sends(chat, "после перезапуска")
    await bridge.until(lambda: any("после перезапуска" in t for t in bridge.texts(topic)), "the new message")
    await bridge.settle()
    texts = bridge.texts(topic)
    assert sum("сообщение" in t for t in texts) == 3
    assert sum("после перезапуска" in t for t in texts) == 1


async def test_avito_token_is_refreshed_after_a_401(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("первое" in t for t in bridge.texts(topic)), "the first message")
    tokens_before = bridge.avito.token_requests

    bridge.avito.expire_tokens()
    bridge.avito.buyer_sends(chat, "после истечения токена")
    await bridge.until(lambda: any("истечения" in t for t in bridge.texts(topic)), "the message after expiry")
    assert bridge.avito.token_requests == tokens_before + 1


async def test_a_deleted_topic_is_recreated_on_the_next_message(bridge: Bridge) -> None:
    chat = bridge.new_chat(buyer="Вера")
    bridge.avito.buyer_sends(chat, "раз")
    old_topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("раз" in t for t in bridge.texts(old_topic)), "the first message")

    bridge.tg.delete_topic(bridge.group_id, old_topic)
    bridge.avito.buyer_sends(chat, "два")

    async def moved() -> bool:
        return (await bridge.dialog(chat)).topic_id not in (None, old_topic)

    await bridge.until(moved, "a new topic")
    new_topic = await bridge.topic_of(chat)
    await bridge.until(
        lambda: any("два" in t for t in bridge.texts(new_topic)), "the message in the new topic"
    )
    assert "Вера" in bridge.texts(new_topic)[0]  # the card again


async def test_telegram_429_is_waited_out_and_the_message_arrives_once(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "раз")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("раз" in t for t in bridge.texts(topic)), "the first message")

    bridge.tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    bridge.avito.buyer_sends(chat, "после флуда")
    await bridge.until(
        lambda: any("после флуда" in t for t in bridge.texts(topic)), "the message after a 429"
    )
    await bridge.settle()
    assert sum("после флуда" in t for t in bridge.texts(topic)) == 1


async def test_avito_5xx_on_send_is_retried_and_sent_once(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")

    bridge.avito.fail_next("/messages", 503, times=1)
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Ответ сквозь сбой", thread_id=topic)
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "the reply after a 503", timeout=20)
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Ответ сквозь сбой"]


async def test_a_send_interrupted_after_avito_accepted_it_is_not_sent_twice(bridge: Bridge) -> None:
    """A worker died after Avito accepted the text and before the id was stored: the retry adopts it."""
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    await bridge.stop_worker()

    dialog = await bridge.dialog(chat)
    api = bridge.services.avito.session(bridge.account.client_id, bridge.account.client_secret)
    await api.send_text(bridge.account.user_id, chat, "Уже ушло")  # what the dead worker managed to do
    from tuberry.storage.types import utcnow

    async with bridge.db.session() as session:
        session.add(
            Message(
                dialog_id=dialog.id,
                direction=Direction.OUT,
                origin=Origin.MANAGER,
                kind="text",
                text="Уже ушло",
                source_tg_message_id=999_999,
                part=0,
                tg_message_id=999_999,
                tg_state=TgState.SOURCE,
                avito_state=AvitoState.SENDING,
                sent_at=utcnow(),
            )
        )
        await session.commit()
    await bridge.start_worker()
    await bridge.services.queue.send(dialog.id)

    async def settled() -> bool:
        async with bridge.db.session() as session:
            row = await session.scalar(select(Message).where(Message.source_tg_message_id == 999_999))
            return row is not None and row.avito_state == AvitoState.SENT

    await bridge.until(settled, "the interrupted send settled")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Уже ушло"]
    assert not any(
        "Уже ушло" in t for t in bridge.texts(topic)
    )  # and the echo is not shown as an app message


async def test_work_lost_with_redis_is_recovered_from_the_database(bridge: Bridge) -> None:
    """Messages stored but whose delivery job vanished (Redis restart) are found by the sweep."""
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("первое" in t for t in bridge.texts(topic)), "the first message")
    await bridge.stop_worker()
    dialog = await bridge.dialog(chat)
    from datetime import timedelta

    from tuberry.storage.types import utcnow

    async with bridge.db.session() as session:
        session.add(
            Message(
                dialog_id=dialog.id,
                direction=Direction.IN,
                origin=Origin.AVITO,
                kind="text",
                text="потерянное",
                content={"text": "потерянное"},
                avito_message_id="lost-1",
                avito_created_at=utcnow(),
                tg_state=TgState.PENDING,
                avito_state=AvitoState.RECEIVED,
                created_at=utcnow() - timedelta(minutes=1),
            )
        )
        await session.commit()
    # Redis restarted empty: the queue and every job key of this installation are gone.
    redis = bridge.services.queue.redis
    prefix = bridge.services.config.redis_prefix
    keys = [key async for key in redis.scan_iter(match=f"arq:*{prefix}*")]
    await redis.delete(bridge.services.queue.name, *keys)
    await bridge.start_worker()
    await bridge.until(
        lambda: any("потерянное" in t for t in bridge.texts(topic)), "the recovered message", timeout=25
    )


async def test_a_closed_topic_is_reopened_for_the_next_message(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "раз")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("раз" in t for t in bridge.texts(topic)), "the first message")

    bridge.tg.close_topic(bridge.group_id, topic)
    bridge.avito.buyer_sends(chat, "после закрытия")
    await bridge.until(
        lambda: any("после закрытия" in t for t in bridge.texts(topic)), "the message in the same topic"
    )
    assert not next(t for t in bridge.tg.topics(bridge.group_id) if t["message_thread_id"] == topic).get(
        "is_closed"
    )


async def test_an_account_that_loses_messenger_access_stops_and_the_owner_is_told(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "раз")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("раз" in t for t in bridge.texts(topic)), "the first message")

    bridge.account.no_messenger = True  # the tariff ran out: 403 on every Messenger call

    def alerts() -> list[str]:
        return [m.get("text") or "" for m in bridge.tg.sent(bridge.owner["id"], bot=bridge.master)]

    await bridge.until(lambda: alerts(), "the owner told")
    assert len(alerts()) == 1
    assert "Магазин Ольги" in alerts()[0] and "Мессенджер" in alerts()[0] and "start=acc_" in alerts()[0]
    await bridge.settle()
    assert len(alerts()) == 1  # polling stopped: told once, not every interval
