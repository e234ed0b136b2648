"""A message stored while its dialog's job is already taken still goes out at once, not at the next sweep.

arq keeps one job per `_job_id`: while a dialog's delivery (or send) job is queued or running, a second
request for it is a no-op. If that run has already read the database for the last time, the new message
would wait for the sweep (20–35 s). A request while the dialog's job runs therefore queues a follow-up run
behind it. The tests model "a run past its last look" as the dialog's job id taken by a run due a minute from
now and marked in progress, as arq's worker marks a job before it calls the function. A job that only waits
in the queue has read nothing yet: a request then queues nothing more.
"""

from __future__ import annotations

from arq.constants import in_progress_key_prefix
from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import backlog, idle
from tuberry.storage.models import AvitoState, Message
from tuberry.storage.queue import DELIVER_DIALOG, SEND_TO_AVITO

LATER = 60.0  # seconds: far beyond the wait below, and beyond the sweep's grace


async def _take_job_id(
    bridge: Bridge, function: str, kind: str, dialog_id: int, *, running: bool = True
) -> None:
    queue = bridge.services.queue
    job_id = f"{bridge.services.config.redis_prefix}:{kind}:{dialog_id}"
    job = await queue.redis.enqueue_job(
        function, dialog_id, _job_id=job_id, _defer_by=LATER, _queue_name=queue.name
    )
    assert job is not None
    if running:
        await queue.redis.psetex(in_progress_key_prefix + job_id, int(LATER * 1000), b"1")


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


async def test_a_request_while_the_dialogs_job_waits_in_the_queue_adds_no_second_run(bridge: Bridge) -> None:
    """The queued job will read the new message when it runs: a follow-up would only cost a run."""
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Первое" in t for t in bridge.texts(topic)), "the first message")
    dialog_id = await backlog(bridge, chat, ["Второе"])
    await _take_job_id(bridge, DELIVER_DIALOG, "deliver", dialog_id, running=False)
    queued = await bridge.services.queue.depth()

    await bridge.services.queue.deliver(dialog_id)
    await bridge.services.queue.send(dialog_id)

    assert await bridge.services.queue.depth() == queued + 1  # the send's own job, no delivery follow-up
