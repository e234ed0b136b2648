"""Managers' replies reach Avito in the order they were written, once each, whatever fails on the way."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import idle
from tuberry.storage.models import AvitoState, Message
from tuberry.storage.types import utcnow


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


async def test_a_reply_avito_keeps_failing_for_two_hours_is_given_up_and_the_manager_told(
    bridge: Bridge,
) -> None:
    """Transient failures are retried (1 s doubling to a minute) for two hours from when the manager wrote;
    then the reply fails and the manager reads why in the topic instead of waiting for ever."""
    chat, topic = await _dialog_topic(bridge)
    await idle(bridge)
    bridge.avito.fail_next(f"/v1/accounts/{bridge.account.user_id}/chats/{chat}/messages", 503, times=100)
    reply = bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Старый ответ", thread_id=topic)

    async def stored() -> Message | None:
        async with bridge.db.session() as session:
            return await session.scalar(
                select(Message).where(Message.source_tg_message_id == reply["message_id"])
            )

    await bridge.until(stored, "the reply stored by the client bot while no worker runs")
    async with bridge.db.session() as session:
        row = await session.scalar(select(Message).where(Message.source_tg_message_id == reply["message_id"]))
        assert row is not None
        row.created_at = utcnow() - timedelta(hours=2, minutes=1)
        await session.commit()
    await bridge.start_worker()

    await bridge.until(
        lambda: any("Не доставлено в Авито" in t for t in bridge.texts(topic)), "the manager told why"
    )
    assert bridge.avito.sent_via_api(chat) == []
    assert (await stored()).avito_state == AvitoState.FAILED  # type: ignore[union-attr]
