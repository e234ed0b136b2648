"""One delivery run at a time, with the worker stopped: what Telegram answers decides what the group sees."""

from __future__ import annotations

import pytest
from arq import Retry
from sqlalchemy import update

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import backlog, idle, job_ctx
from tuberry.jobs.deliver import deliver_to_telegram
from tuberry.jobs.poll import poll_account
from tuberry.storage.models import AccountStatus, AvitoAccount


async def _delivered(bridge: Bridge, chat: str, text: str) -> int:
    """A dialog whose topic shows `text`; the worker keeps running."""
    bridge.avito.buyer_sends(chat, text)
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any(text in t for t in bridge.texts(topic)), f"{text!r} in the topic")
    return topic


async def _stored_without_topic(bridge: Bridge, text: str) -> tuple[str, int]:
    """A buyer's first message, read by a poll run directly: a dialog with a pending message and no topic."""
    await idle(bridge)
    chat = bridge.new_chat(buyer="Вера", item="Самокат")
    bridge.avito.buyer_sends(chat, text)
    await poll_account(job_ctx(bridge), bridge.account_row_id)
    dialog = await bridge.dialog(chat)
    assert dialog.topic_id is None
    return chat, dialog.id


def _live_topics(bridge: Bridge) -> list[int]:
    return [t["message_thread_id"] for t in bridge.tg.topics(bridge.group_id)]


async def test_a_deleted_topic_is_recreated_once_with_its_card_before_the_message(bridge: Bridge) -> None:
    chat = bridge.new_chat(buyer="Вера", item="Самокат")
    old = await _delivered(bridge, chat, "раз")
    dialog_id = await backlog(bridge, chat, ["после удаления"])
    bridge.tg.delete_topic(bridge.group_id, old)

    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"

    new = (await bridge.dialog(chat)).topic_id
    assert new is not None and new != old
    assert _live_topics(bridge) == [new]  # one new topic, not one per try
    texts = bridge.texts(new)
    assert "Вера" in texts[0] and "Самокат" in texts[0]  # the card first
    assert texts[1:] == ["после удаления"]
    assert bridge.tg.pinned(bridge.group_id)[-1] == bridge.topic_messages(new)[0]["message_id"]


async def test_a_rate_limited_card_is_posted_by_the_next_run_into_the_same_topic(bridge: Bridge) -> None:
    _, dialog_id = await _stored_without_topic(bridge, "первое")
    bridge.tg.fail_next("sendMessage", 429, retry_after=1)

    with pytest.raises(Retry):
        await deliver_to_telegram(job_ctx(bridge), dialog_id)
    [topic] = _live_topics(bridge)
    assert bridge.texts(topic) == []  # the topic is there; neither card nor message yet

    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"
    assert _live_topics(bridge) == [topic]
    texts = bridge.texts(topic)
    assert len(texts) == 2 and "Самокат" in texts[0] and texts[1] == "первое"
    assert bridge.tg.pinned(bridge.group_id) == [bridge.topic_messages(topic)[0]["message_id"]]


async def test_a_dropped_connection_on_the_card_is_retried_without_a_second_topic(bridge: Bridge) -> None:
    _, dialog_id = await _stored_without_topic(bridge, "первое")
    bridge.tg.drop_connection_next("sendMessage")

    with pytest.raises(Retry):
        await deliver_to_telegram(job_ctx(bridge), dialog_id)
    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"

    [topic] = _live_topics(bridge)
    texts = bridge.texts(topic)
    assert len(texts) == 2 and "Самокат" in texts[0] and texts[1] == "первое"


async def test_a_closed_topic_that_may_not_be_reopened_gives_way_to_a_new_one(bridge: Bridge) -> None:
    chat = bridge.new_chat(buyer="Вера", item="Самокат")
    old = await _delivered(bridge, chat, "раз")
    dialog_id = await backlog(bridge, chat, ["после закрытия"])
    bridge.tg.close_topic(bridge.group_id, old)
    bridge.tg.fail_next("reopenForumTopic", 400, "Bad Request: not enough rights to manage topics")

    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"

    new = (await bridge.dialog(chat)).topic_id
    assert new not in (None, old)
    assert bridge.texts(old) == [bridge.texts(old)[0], "раз"]  # nothing more in the closed topic
    texts = bridge.texts(new)
    assert "Самокат" in texts[0] and texts[1:] == ["после закрытия"]


async def test_a_paused_accounts_messages_wait_until_it_is_resumed(bridge: Bridge) -> None:
    chat = bridge.new_chat()
    topic = await _delivered(bridge, chat, "раз")
    dialog_id = await backlog(bridge, chat, ["пока на паузе"])

    async def set_status(status: AccountStatus) -> None:
        async with bridge.db.session() as session:
            await session.execute(
                update(AvitoAccount).where(AvitoAccount.id == bridge.account_row_id).values(status=status)
            )
            await session.commit()

    await set_status(AccountStatus.PAUSED)
    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "no target"
    assert not any("пока на паузе" in t for t in bridge.texts(topic))

    await set_status(AccountStatus.ACTIVE)
    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"
    assert [t for t in bridge.texts(topic) if "пока на паузе" in t] == ["пока на паузе"]


async def test_telegram_blips_never_hold_a_buyers_message_back_for_more_than_15_seconds(
    bridge: Bridge,
) -> None:
    """Failures of the topic's set-up and of the message itself count against the message at the head, so
    a few blips in a row must not grow its wait to a minute: retries come at most 15 s apart."""
    _, dialog_id = await _stored_without_topic(bridge, "после сбоев")
    waits = []
    for _ in range(8):
        bridge.tg.fail_next("createForumTopic", 502)
        with pytest.raises(Retry) as retry:
            await deliver_to_telegram(job_ctx(bridge), dialog_id)
        waits.append(retry.value.defer_score / 1000)  # type: ignore[operator]
    assert waits == [1, 2, 4, 8, 15, 15, 15, 15]
    assert await deliver_to_telegram(job_ctx(bridge), dialog_id) == "done"
    [topic] = _live_topics(bridge)
    assert bridge.texts(topic)[1:] == ["после сбоев"]
