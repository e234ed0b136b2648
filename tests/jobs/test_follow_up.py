"""A message stored while its dialog's job is already taken still goes out at once, not at the next sweep.

arq keeps one job per `_job_id`: while a dialog's delivery (or send) job is queued or running, a second
request for it is a no-op. If that run has already read the database for the last time, the new message
would wait for the sweep (20–35 s). Each request therefore queues a follow-up run behind the current one.
The tests model "a run past its last look" as the dialog's job id taken by a run due a minute from now.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import backlog, idle
from tuberry.storage.models import AvitoState, Message
from tuberry.storage.queue import DELIVER_DIALOG, SEND_TO_AVITO

LATER = 60.0  # seconds: far beyond the wait below, and beyond the sweep's grace


async def _take_job_id(bridge: Bridge, function: str, kind: str, dialog_id: int) -> None:
    queue = bridge.services.queue
    job = await queue.redis.enqueue_job(
        function,
        dialog_id,
        _job_id=f"{bridge.services.config.redis_prefix}:{kind}:{dialog_id}",
        _defer_by=LATER,
        _queue_name=queue.name,
    )
    assert job is not None


async def test_a_buyer_message_stored_while_the_dialogs_delivery_is_taken_arrives_within_seconds(
    bridge: Bridge,
) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Первое" in t for t in bridge.texts(topic)), "the first message")

    dialog_id = await backlog(bridge, chat, ["Второе, пока задача диалога занята"])
    await _take_job_id(bridge, DELIVER_DIALOG, "deliver", dialog_id)
    await bridge.services.queue.deliver(dialog_id)  # what the poll does after storing the message
    await bridge.start_worker()

    await bridge.until(
        lambda: any("Второе" in t for t in bridge.texts(topic)), "the second message", timeout=10
    )


async def test_a_reply_written_while_the_dialogs_send_is_taken_reaches_avito_within_seconds(
    bridge: Bridge,
) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    dialog = await bridge.dialog(chat)
    await idle(bridge)
    await _take_job_id(bridge, SEND_TO_AVITO, "send", dialog.id)
    reply = bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Ответ", thread_id=topic)

    async def stored() -> bool:
        async with bridge.db.session() as session:
            row = await session.scalar(
                select(Message).where(Message.source_tg_message_id == reply["message_id"])
            )
            return row is not None and row.avito_state == AvitoState.PENDING

    await bridge.until(stored, "the reply stored by the client bot while no worker runs")
    await bridge.start_worker()

    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "the reply on Avito", timeout=10)
