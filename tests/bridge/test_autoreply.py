"""Auto-reply end to end: off-hours buyers get one answer per interval; managers are never talked over."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.bridge.conftest import Bridge
from tuberry.domain.schedule import Schedule
from tuberry.storage.models import Dialog, Workspace
from tuberry.storage.types import utcnow

TEXT = "Здравствуйте, {buyer_name}! Сейчас мы не на связи, ответим {next_open}."


def _hours(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


def closed_now() -> dict[str, object]:
    """Open one hour a day, starting an hour from now: closed at the moment, bounded intervals."""
    now = datetime.now(UTC)
    hours = _hours(now + timedelta(hours=1), now + timedelta(hours=2))
    return Schedule.parse("UTC", [hours] * 7).to_dict()


def open_now() -> dict[str, object]:
    now = datetime.now(UTC)
    hours = _hours(now - timedelta(hours=2), now + timedelta(hours=2))
    return Schedule.parse("UTC", [hours] * 7).to_dict()


async def configure(
    bridge: Bridge, *, mode: str = "schedule", schedule: dict[str, object] | None = None
) -> None:
    async with bridge.db.session() as session:
        workspace = await session.get(Workspace, bridge.workspace_id)
        assert workspace is not None
        workspace.auto_reply_enabled = True
        workspace.auto_reply_mode = mode
        workspace.auto_reply_schedule = schedule
        workspace.auto_reply_text = TEXT
        await session.commit()


def auto_replies(bridge: Bridge, chat: str) -> list[str]:
    return [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)]


async def test_off_hours_buyer_gets_one_auto_reply_mirrored_in_the_topic(bridge: Bridge) -> None:
    await configure(bridge, schedule=closed_now())
    chat = bridge.new_chat(buyer="Анна")
    bridge.avito.buyer_sends(chat, "Добрый вечер, вы работаете?")

    await bridge.until(lambda: len(auto_replies(bridge, chat)) == 1, "the auto-reply on Avito")
    sent = auto_replies(bridge, chat)[0]
    assert sent.startswith("Здравствуйте, Анна! Сейчас мы не на связи, ответим ")
    assert "{" not in sent
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("автоответ" in t.lower() for t in bridge.texts(topic)), "the mirror")

    bridge.avito.buyer_sends(chat, "Ау?")  # the same off-hours interval
    await bridge.until(lambda: any("Ау?" in t for t in bridge.texts(topic)), "the second message")
    await bridge.settle(2.0)
    assert len(auto_replies(bridge, chat)) == 1
    assert sum("автоответ" in t.lower() for t in bridge.texts(topic)) == 1


async def test_a_manager_answering_within_the_delay_is_not_talked_over(bridge: Bridge) -> None:
    bridge.services.config = replace(bridge.services.config, auto_reply_delay=3.0)
    await configure(bridge, schedule=closed_now())
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Есть доставка?")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("доставка" in t for t in bridge.texts(topic)), "the buyer's message")
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Да, есть", thread_id=topic)

    await bridge.until(lambda: auto_replies(bridge, chat) == ["Да, есть"], "the manager's reply on Avito")
    await asyncio.sleep(4.0)  # past the auto-reply delay
    assert auto_replies(bridge, chat) == ["Да, есть"]


async def test_no_auto_reply_during_working_hours(bridge: Bridge) -> None:
    await configure(bridge, schedule=open_now())
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's message")
    await bridge.settle(2.0)
    assert auto_replies(bridge, chat) == []


async def test_the_next_off_hours_interval_gets_an_answer_again(bridge: Bridge) -> None:
    await configure(bridge, schedule=closed_now())
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    await bridge.until(lambda: len(auto_replies(bridge, chat)) == 1, "the first auto-reply")
    await bridge.settle(1.0)

    # Pretend that auto-reply went out in the previous night, before the last opening hour.
    dialog = await bridge.dialog(chat)
    async with bridge.db.session() as session:
        row = await session.get(Dialog, dialog.id)
        assert row is not None
        row.last_auto_reply_at = utcnow() - timedelta(hours=30)
        await session.commit()
    bridge.avito.buyer_sends(chat, "второе")
    await bridge.until(lambda: len(auto_replies(bridge, chat)) == 2, "the auto-reply of the new interval")


async def test_always_mode_answers_once_a_day(bridge: Bridge) -> None:
    await configure(bridge, mode="always")
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "первое")
    await bridge.until(lambda: len(auto_replies(bridge, chat)) == 1, "the auto-reply")
    bridge.avito.buyer_sends(chat, "второе")
    await bridge.settle(2.0)
    assert len(auto_replies(bridge, chat)) == 1


async def test_a_worker_restart_neither_loses_nor_doubles_a_pending_auto_reply(bridge: Bridge) -> None:
    bridge.services.config = replace(bridge.services.config, auto_reply_delay=2.0)
    await configure(bridge, schedule=closed_now())
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "ночью")

    async def planned() -> bool:
        try:
            return (await bridge.dialog(chat)).auto_reply_due_at is not None
        except AssertionError:
            return False

    await bridge.until(planned, "the auto-reply planned")
    await bridge.stop_worker()
    await asyncio.sleep(2.5)
    await bridge.start_worker()
    await bridge.until(lambda: len(auto_replies(bridge, chat)) == 1, "the auto-reply after the restart")
    await bridge.settle(2.0)
    assert len(auto_replies(bridge, chat)) == 1
