"""One poll run at a time, with the worker stopped: what a poll reads, and what it leaves, decides what the
group sees."""

from __future__ import annotations

from datetime import timedelta

import pytest
from arq import Retry
from sqlalchemy import func, select, update

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import idle, job_ctx
from tuberry.jobs.deliver import deliver_to_telegram
from tuberry.jobs.poll import poll_account
from tuberry.jobs.send import send_to_avito
from tuberry.storage.models import AvitoAccount, AvitoState, Message, Origin

FROM_APP = "Отправлено из приложения Avito"


async def _dialog_topic(bridge: Bridge) -> tuple[str, int, int]:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    return chat, topic, (await bridge.dialog(chat)).id


async def _reply_stored(bridge: Bridge, topic: int, text: str) -> None:
    """A manager answers in the topic; the client bot stores the reply (no worker sends it)."""
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, text, thread_id=topic)

    async def stored() -> bool:
        async with bridge.db.session() as session:
            return await session.scalar(select(Message.id).where(Message.text == text)) is not None

    await bridge.until(stored, "the reply stored")


async def _messages(bridge: Bridge, dialog_id: int) -> int:
    async with bridge.db.session() as session:
        count = await session.scalar(select(func.count(Message.id)).where(Message.dialog_id == dialog_id))
        return int(count or 0)


async def test_a_chat_whose_last_message_is_our_own_reply_imports_nothing(bridge: Bridge) -> None:
    chat, topic, dialog_id = await _dialog_topic(bridge)
    await idle(bridge)
    await _reply_stored(bridge, topic, "Да, в наличии")
    assert await send_to_avito(job_ctx(bridge), dialog_id) == "sent 1 message(s)"
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Да, в наличии"]
    shown, stored = bridge.texts(topic), await _messages(bridge, dialog_id)

    assert await poll_account(job_ctx(bridge), bridge.account_row_id) == "0 dialogs updated"
    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"
    assert await _messages(bridge, dialog_id) == stored
    assert bridge.texts(topic) == shown  # the reply is not shown back as written in the Avito app


async def test_a_seller_message_read_while_a_reply_is_in_flight_waits_for_the_reply(bridge: Bridge) -> None:
    chat, topic, dialog_id = await _dialog_topic(bridge)
    await idle(bridge)
    await _reply_stored(bridge, topic, "Ответ менеджера")
    async with bridge.db.session() as session:  # as if a worker died between marking it and sending it
        await session.execute(
            update(Message).where(Message.origin == Origin.MANAGER).values(avito_state=AvitoState.SENDING)
        )
        await session.commit()
    bridge.avito.seller_sends_from_app(chat, "Из приложения")

    with pytest.raises(Retry):  # one of ours may be among the new messages: read again soon
        await poll_account(job_ctx(bridge), bridge.account_row_id)
    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"
    assert not any("Из приложения" in t for t in bridge.texts(topic))

    assert await send_to_avito(job_ctx(bridge), dialog_id) == "sent 1 message(s)"
    assert await poll_account(job_ctx(bridge), bridge.account_row_id) == "1 dialogs updated"
    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"
    from_app = [t for t in bridge.texts(topic) if "Из приложения" in t or "Ответ менеджера" in t]
    assert len(from_app) == 1 and from_app[0].startswith(FROM_APP) and "Из приложения" in from_app[0]


async def test_a_first_poll_skips_a_chat_quiet_for_over_a_day_and_reads_it_from_then_on(
    bridge: Bridge,
) -> None:
    await idle(bridge)
    async with bridge.db.session() as session:  # an account never polled before
        await session.execute(
            update(AvitoAccount).where(AvitoAccount.id == bridge.account_row_id).values(last_success_at=None)
        )
        await session.commit()
    two_days = timedelta(days=2).total_seconds()
    bridge.avito.advance_clock(-two_days)
    chat = bridge.new_chat(buyer="Вера")
    bridge.avito.buyer_sends(chat, "давнее")
    bridge.avito.advance_clock(two_days)

    assert await poll_account(job_ctx(bridge), bridge.account_row_id) == "0 dialogs updated"
    dialog = await bridge.dialog(chat)
    assert dialog.topic_id is None and await _messages(bridge, dialog.id) == 0

    bridge.avito.buyer_sends(chat, "новое")
    assert await poll_account(job_ctx(bridge), bridge.account_row_id) == "1 dialogs updated"
    assert await deliver_to_telegram(job_ctx(bridge), dialog.id) == "done"
    topic = await bridge.topic_of(chat)
    texts = bridge.texts(topic)
    assert "Вера" in texts[0] and texts[1:] == ["новое"]
