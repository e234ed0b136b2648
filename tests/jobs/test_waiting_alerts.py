"""Waiting alerts: one alert per wait in the dialog's topic, mentioning the managers (the owner when no list
is set), a digest in General at most once per threshold; nothing off-hours, after an auto-reply or in a closed
topic. Time moves through the stored timestamps (`waiting_since`, `waiting_alerted_at`, the digest's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from arq import Retry
from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import idle, job_ctx
from tuberry.domain.schedule import Schedule
from tuberry.jobs.sweep import tick
from tuberry.jobs.waiting_alerts import waiting_alerts
from tuberry.storage.models import ClientBot, Dialog, Workspace
from tuberry.storage.types import utcnow

ALERT = "⏰ Покупатель ждёт ответа уже"
DIGEST = "⏰ Ждут ответа:"
GENERAL = 1


def _hours(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


async def schedule(bridge: Bridge, *, open_now: bool) -> None:
    """Working hours around now (or starting in an hour); the auto-reply stays off."""
    now = datetime.now(UTC)
    if open_now:
        hours = _hours(now - timedelta(hours=2), now + timedelta(hours=2))
    else:
        hours = _hours(now + timedelta(hours=1), now + timedelta(hours=2))
    async with bridge.db.session() as session:
        workspace = await session.get(Workspace, bridge.workspace_id)
        assert workspace is not None
        workspace.auto_reply_schedule = Schedule.parse("UTC", [hours] * 7).to_dict()
        await session.commit()


async def waiting(bridge: Bridge, buyer: str, item: str) -> tuple[int, int]:
    """A buyer's message delivered into its topic: (dialog id, topic id)."""
    chat = bridge.new_chat(buyer=buyer, item=item)
    bridge.avito.buyer_sends(chat, f"Вопрос от {buyer}")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any(buyer in t for t in bridge.texts(topic)), "the buyer's message")
    dialog = await bridge.dialog(chat)
    assert dialog.waiting_since is not None
    return dialog.id, topic


async def store(bridge: Bridge, model: Any, row_id: int, **values: Any) -> None:
    async with bridge.db.session() as session:
        row = await session.get(model, row_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        await session.commit()


async def waited(bridge: Bridge, dialog_id: int, minutes: float) -> None:
    await store(bridge, Dialog, dialog_id, waiting_since=utcnow() - timedelta(minutes=minutes))


def alerts(bridge: Bridge, topic: int) -> list[dict[str, Any]]:
    return [m for m in bridge.topic_messages(topic) if (m.get("text") or "").startswith(ALERT)]


def digests(bridge: Bridge) -> list[str]:
    return [
        m.get("text") or ""
        for m in bridge.tg.sent(bridge.group_id, GENERAL)
        if DIGEST in (m.get("text") or "")
    ]


def mentioned(message: dict[str, Any]) -> list[int]:
    return [e["user"]["id"] for e in message.get("entities") or [] if e["type"] == "text_mention"]


async def run(bridge: Bridge) -> str:
    return await waiting_alerts(job_ctx(bridge), bridge.bot_row_id)


async def test_one_alert_per_wait_mentioning_the_owner_and_one_digest_per_threshold(bridge: Bridge) -> None:
    await schedule(bridge, open_now=True)
    anna, anna_topic = await waiting(bridge, "Анна", "Велосипед")
    boris, boris_topic = await waiting(bridge, "Борис", "Самокат")
    await idle(bridge)  # no sweep running the job alongside
    await waited(bridge, anna, 20)
    await waited(bridge, boris, 5)  # under the default 15 minutes

    assert await run(bridge) == "1 alert(s)"
    [alert] = alerts(bridge, anna_topic)
    assert alert["text"] == f"{ALERT} 20 мин. Ольга"
    assert mentioned(alert) == [bridge.owner["id"]]  # no manager list: the owner
    assert alerts(bridge, boris_topic) == []
    [digest] = digests(bridge)
    assert "Анна · Велосипед — 20 мин" in digest and "Борис" not in digest
    assert await run(bridge) == "0 alert(s)"
    assert len(alerts(bridge, anna_topic)) == 1 and len(digests(bridge)) == 1

    await waited(bridge, boris, 16)
    assert await run(bridge) == "1 alert(s)"
    assert len(alerts(bridge, boris_topic)) == 1
    assert len(digests(bridge)) == 1  # the last digest is younger than the threshold

    async with bridge.db.session() as session:
        bot = await session.get(ClientBot, bridge.bot_row_id)
        assert bot is not None and bot.waiting_digest_at is not None
        digest_at = bot.waiting_digest_at
    await store(bridge, ClientBot, bridge.bot_row_id, waiting_digest_at=digest_at - timedelta(minutes=16))
    assert await run(bridge) == "0 alert(s)"
    assert len(digests(bridge)) == 2
    assert "Ждут ответа: 2" in digests(bridge)[-1]
    await run(bridge)
    assert len(digests(bridge)) == 2  # nothing alerted since: no digest however old the last one

    # Answered, then a new wait that outlasts the threshold: alerted again, once.
    await store(
        bridge,
        Dialog,
        anna,
        waiting_alerted_at=utcnow() - timedelta(hours=1),
        waiting_since=utcnow() - timedelta(minutes=30),
    )
    assert await run(bridge) == "1 alert(s)"
    assert len(alerts(bridge, anna_topic)) == 2


async def test_the_listed_managers_are_mentioned(bridge: Bridge) -> None:
    await schedule(bridge, open_now=True)
    dialog, topic = await waiting(bridge, "Анна", "Велосипед")
    await idle(bridge)
    manager = bridge.manager["id"]
    await store(
        bridge, ClientBot, bridge.bot_row_id, manager_ids=[manager], manager_names={str(manager): "Максим"}
    )
    await waited(bridge, dialog, 61)

    assert await run(bridge) == "1 alert(s)"
    [alert] = alerts(bridge, topic)
    assert alert["text"] == f"{ALERT} 1 ч 1 мин. Максим"
    assert mentioned(alert) == [manager]


async def test_no_alert_off_hours_after_an_auto_reply_in_a_closed_topic_or_switched_off(
    bridge: Bridge,
) -> None:
    await schedule(bridge, open_now=True)
    replied, replied_topic = await waiting(bridge, "Анна", "Велосипед")
    closed, closed_topic = await waiting(bridge, "Борис", "Самокат")
    due, due_topic = await waiting(bridge, "Вера", "Коляска")
    await idle(bridge)
    for dialog in (replied, closed, due):
        await waited(bridge, dialog, 30)
    await store(bridge, Dialog, replied, last_auto_reply_at=utcnow() - timedelta(minutes=29))
    await store(bridge, Dialog, closed, closed_at=utcnow())

    await schedule(bridge, open_now=False)
    assert await run(bridge) == "off-hours"
    await store(bridge, Workspace, bridge.workspace_id, waiting_alerts_enabled=False)
    await schedule(bridge, open_now=True)
    assert await run(bridge) == "alerts off"
    assert digests(bridge) == []

    await store(bridge, Workspace, bridge.workspace_id, waiting_alerts_enabled=True)
    assert await run(bridge) == "1 alert(s)"
    assert len(alerts(bridge, due_topic)) == 1
    assert alerts(bridge, replied_topic) == [] and alerts(bridge, closed_topic) == []
    assert "Вера" in digests(bridge)[0] and "Анна" not in digests(bridge)[0]


async def test_a_failed_post_is_retried_and_posted_once(bridge: Bridge) -> None:
    await schedule(bridge, open_now=True)
    dialog, topic = await waiting(bridge, "Анна", "Велосипед")
    await idle(bridge)
    await waited(bridge, dialog, 20)
    bridge.tg.fail_next("sendMessage", 502)
    with pytest.raises(Retry):  # a Telegram outage hands the job back to arq for a retry
        await run(bridge)
    assert alerts(bridge, topic) == []
    assert await run(bridge) == "1 alert(s)"
    assert await run(bridge) == "0 alert(s)"
    assert len(alerts(bridge, topic)) == 1


async def test_the_sweep_queues_the_alerts_of_due_dialogs(bridge: Bridge) -> None:
    await schedule(bridge, open_now=True)
    dialog, topic = await waiting(bridge, "Анна", "Велосипед")
    await waited(bridge, dialog, 20)
    await tick(job_ctx(bridge))  # a fresh tick sweeps at once; the running worker takes the job
    await bridge.until(lambda: alerts(bridge, topic), "the alert")
    await bridge.until(lambda: digests(bridge), "the digest")
    async with bridge.db.session() as session:
        alerted = await session.scalar(select(Dialog.waiting_alerted_at).where(Dialog.id == dialog))
    assert alerted is not None
    await tick(job_ctx(bridge))
    await bridge.settle()
    assert len(alerts(bridge, topic)) == 1 and len(digests(bridge)) == 1
