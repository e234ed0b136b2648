"""A long backlog is delivered in runs that each stop after their time budget and hand over, in order, once:
no run comes near arq's job timeout, where a cancel in the middle of a send could post a message twice."""

from __future__ import annotations

from arq import Retry

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import backlog, job_ctx
from tuberry.jobs.deliver import deliver_to_telegram


async def test_a_backlog_is_delivered_in_budgeted_runs_in_order_once(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("первое" in t for t in bridge.texts(topic)), "the first message")
    texts = [f"очередь {n}" for n in range(5)]
    dialog_id = await backlog(bridge, chat, texts)

    runs, handed_over = 0, 0
    while True:
        runs += 1
        try:
            # A budget already spent: each run posts one message, then hands over.
            assert await deliver_to_telegram(job_ctx(bridge, budget=0), dialog_id) == "done"
            break
        except Retry:
            handed_over += 1
        assert runs <= len(texts) + 1, "the runs do not come to an end"

    assert handed_over == len(texts)
    assert [t for t in bridge.texts(topic) if "очередь" in t] == texts
