"""While a group's Telegram budget is spent, the buyer's texts at the head of a topic's queue go together.

Each run here is one delivery job called directly with a pacer of a real limit. A spent budget is one send in
any window of a few seconds, the window's one send taken just before the run: each check finds it spent (a
send fills the window again), and each wait is short enough to be slept inside the job. The topic and its
card exist already (posted by the bridge's worker, which paces nothing), so every slot goes to the buyer's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import idle, job_ctx
from tuberry.app.i18n import translator
from tuberry.app.topic_texts import combined
from tuberry.domain.render import TEXT_LIMIT
from tuberry.jobs.deliver import deliver_to_telegram
from tuberry.jobs.poll import poll_account
from tuberry.jobs.runtime import Runtime
from tuberry.storage.models import Direction, Message, Origin, TgState
from tuberry.storage.pacing import Limit, Pacer
from tuberry.storage.types import utcnow

SPENT = Limit(1, 3)  # a window shorter than the longest wait slept in a job (topic_sender.MAX_INLINE_WAIT)


def _paced_ctx(bridge: Bridge, group: Limit) -> dict[str, Any]:
    """A worker's ctx whose pacer allows `group` sends into the group (the bot unlimited)."""
    pacer = Pacer(bridge.services.queue.redis, bridge.services.config.redis_prefix, group, Limit(0, 1))
    return {**job_ctx(bridge), "rt": Runtime(services=bridge.services, pacer=pacer, budget=60)}


async def _spent_ctx(bridge: Bridge) -> dict[str, Any]:
    """A worker's ctx with the group's budget spent right now."""
    ctx = _paced_ctx(bridge, SPENT)
    assert await ctx["rt"].pacer.acquire(bridge.group_id, bridge.bot_row_id) == 0
    return ctx


async def _topic_with_waiting(bridge: Bridge, *later: str | None) -> tuple[str, int, int]:
    """A topic with its card and a first text; then, with the worker stopped, the buyer writes `later` (None:
    a photo) and a poll stores it all as pending. Returns the chat, the dialog id and the topic."""
    chat = bridge.new_chat(buyer="Анна")
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: "Здравствуйте" in bridge.texts(topic), "the first text")
    await idle(bridge)
    for text in later:
        if text is None:
            bridge.avito.buyer_sends_image(chat)
        else:
            bridge.avito.buyer_sends(chat, text)
    await poll_account(job_ctx(bridge), bridge.account_row_id)
    dialog = await bridge.dialog(chat)
    return chat, dialog.id, topic


def _new_messages(bridge: Bridge, topic: int) -> list[dict[str, Any]]:
    return bridge.topic_messages(topic)[2:]  # after the card and the first text


async def _rows(bridge: Bridge, dialog_id: int) -> list[Message]:
    """The buyer's messages after the first, in the order they were written."""
    async with bridge.db.session() as session:
        rows = await session.scalars(
            select(Message)
            .where(Message.dialog_id == dialog_id, Message.direction == Direction.IN)
            .order_by(Message.avito_created_at, Message.id)
        )
        return list(rows)[1:]


def _assert_each_once_in_order(shown: str, texts: list[str]) -> None:
    at = 0
    for text in texts:
        assert shown.count(text) == 1, f"{text[:30]!r} shown {shown.count(text)} times"
        found = shown.index(text)
        assert found >= at, f"{text[:30]!r} out of order"
        at = found + len(text)


async def _assert_rows_point_at_their_carriers(bridge: Bridge, dialog_id: int, texts: list[str]) -> None:
    rows = await _rows(bridge, dialog_id)
    for row, text in zip([r for r in rows if r.kind == "text"], texts, strict=True):
        assert row.tg_state == TgState.DELIVERED
        assert row.tg_message_id is not None
        carrier = bridge.tg.message(bridge.group_id, row.tg_message_id)
        assert carrier is not None and text in carrier["text"]


async def test_a_spent_budget_sends_the_waiting_texts_as_one_message_each_row_pointing_at_it(
    bridge: Bridge,
) -> None:
    texts = [f"вопрос номер {n}" for n in range(6)]
    _, dialog_id, topic = await _topic_with_waiting(bridge, *texts)

    assert await deliver_to_telegram(await _spent_ctx(bridge), dialog_id) == "done"

    messages = _new_messages(bridge, topic)
    assert len(messages) == 1  # together, in the next send
    shown = messages[0]["text"]
    _assert_each_once_in_order(shown, texts)
    assert shown.count("Анна") == len(texts)  # each part under its time and sender line
    await _assert_rows_point_at_their_carriers(bridge, dialog_id, texts)
    assert {row.tg_message_id for row in await _rows(bridge, dialog_id)} == {messages[0]["message_id"]}


async def test_a_photo_between_texts_stays_a_message_of_its_own_in_order(bridge: Bridge) -> None:
    before, after = [f"до фото {n}" for n in range(4)], ["после фото 1", "после фото 2"]
    _, dialog_id, topic = await _topic_with_waiting(bridge, *before, None, *after)

    assert await deliver_to_telegram(await _spent_ctx(bridge), dialog_id) == "done"

    messages = _new_messages(bridge, topic)
    assert [("photo" in m) for m in messages] == [False, True, False]
    _assert_each_once_in_order(messages[0]["text"], before)
    _assert_each_once_in_order(messages[2]["text"], after)
    await _assert_rows_point_at_their_carriers(bridge, dialog_id, before + after)
    photo_row = next(row for row in await _rows(bridge, dialog_id) if row.kind == "image")
    assert photo_row.tg_state == TgState.DELIVERED and photo_row.tg_message_id == messages[1]["message_id"]


async def test_texts_too_long_for_one_message_together_are_split_and_nothing_is_lost(bridge: Bridge) -> None:
    texts = [f"{n}: " + " ".join(f"слово{n}-{w}" for w in range(150)) for n in range(5)]  # ~1,600 each
    _, dialog_id, topic = await _topic_with_waiting(bridge, *texts)

    assert await deliver_to_telegram(await _spent_ctx(bridge), dialog_id) == "done"

    messages = _new_messages(bridge, topic)
    assert 1 < len(messages) < len(texts)
    assert all(len(m["text"]) <= TEXT_LIMIT for m in messages)
    _assert_each_once_in_order("\n".join(m["text"] for m in messages), texts)
    await _assert_rows_point_at_their_carriers(bridge, dialog_id, texts)


async def test_with_budget_to_spare_each_message_is_a_message_of_its_own(bridge: Bridge) -> None:
    texts = [f"вопрос номер {n}" for n in range(6)]
    _, dialog_id, topic = await _topic_with_waiting(bridge, *texts)

    assert await deliver_to_telegram(_paced_ctx(bridge, Limit(20, 60)), dialog_id) == "done"

    messages = _new_messages(bridge, topic)
    assert [m["text"] for m in messages] == texts
    await _assert_rows_point_at_their_carriers(bridge, dialog_id, texts)
    assert len({row.tg_message_id for row in await _rows(bridge, dialog_id)}) == len(texts)


def test_a_part_longer_than_a_message_goes_alone_and_every_message_is_carried_once() -> None:
    t = translator("ru")
    bodies = ["коротко 1", "длинно " * 1000, "коротко 2", "коротко 3"]
    messages = [
        Message(
            id=n,
            direction=Direction.IN,
            origin=Origin.AVITO,
            kind="text",
            content={"text": body},
            avito_created_at=utcnow() - timedelta(days=1) + timedelta(seconds=n),
        )
        for n, body in enumerate(bodies)
    ]

    together = combined(t, messages, None, ZoneInfo("Europe/Moscow"))

    assert [[m.id for m in part.messages] for part in together] == [[0], [1], [2, 3]]
    assert all("Покупатель" in part.text for part in together)  # the sender line without a buyer's name
    assert all(len(part.text) <= TEXT_LIMIT for part in (together[0], together[2]))
