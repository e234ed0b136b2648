"""A topic is a working ticket: its icon shows whether the buyer waits, was answered or the topic is closed;
/close closes it and the buyer's next message opens it again. Icons come from the fake's copy of Telegram's
forum icon set (tests/fakes/telegram_state.FORUM_ICONS), where the defaults are ❗️, ✅ and, with no 🔒 or 💤
in the set, 🏁."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from arq import Retry
from sqlalchemy import select

from tests.bridge.conftest import REDIS_URL, Bridge
from tests.jobs.conftest import idle, job_ctx
from tuberry.bot.composition import worker_factory
from tuberry.jobs.poll import poll_account
from tuberry.jobs.topic_icon import set_topic_icon
from tuberry.storage.models import ClientBot, User, Workspace

WAITING = "5379748062124056162"  # ❗️
ANSWERED = "5237699328843200968"  # ✅
CLOSED = "5408906741125490282"  # 🏁


async def _dialog_topic(bridge: Bridge, text: str = "Здравствуйте", buyer: str = "Анна") -> tuple[str, int]:
    chat = bridge.new_chat(buyer=buyer)
    bridge.avito.buyer_sends(chat, text)
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: text in bridge.texts(topic), "the buyer's text in the topic")
    return chat, topic


def _says(bridge: Bridge, person: dict[str, Any], text: str, topic: int) -> dict[str, Any]:
    return bridge.tg.user_sends(bridge.bot, bridge.group_id, person, text, thread_id=topic)


def _icon(bridge: Bridge, topic: int) -> str | None:
    return bridge.tg.topic_icon(bridge.group_id, topic)


def _topic(bridge: Bridge, topic: int) -> dict[str, Any]:
    return next(t for t in bridge.tg.topics(bridge.group_id) if t["message_thread_id"] == topic)


async def _answered(bridge: Bridge, chat: str, topic: int) -> None:
    _says(bridge, bridge.manager, "Да, в наличии.", topic)
    await bridge.until(lambda: bridge.avito.sent_via_api(chat), "the reply on Avito")
    await bridge.until(lambda: _icon(bridge, topic) == ANSWERED, "the answered icon")


async def test_a_new_topic_shows_waiting_and_a_reply_makes_it_answered(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    [(_, created)] = bridge.tg.calls("createForumTopic")
    assert created["icon_custom_emoji_id"] == WAITING  # set with the topic: no edit for it
    assert _icon(bridge, topic) == WAITING

    await _answered(bridge, chat, topic)
    bridge.avito.buyer_sends(chat, "А доставка есть?")
    await bridge.until(lambda: _icon(bridge, topic) == WAITING, "waiting again")
    assert "А доставка есть?" in bridge.texts(topic)
    assert bridge.tg.icon_changes(bridge.group_id, topic) == [ANSWERED, WAITING]
    await bridge.until(_stored(bridge, chat, WAITING), "the icon stored")


def _stored(bridge: Bridge, chat: str, icon: str) -> Any:
    async def stored() -> bool:
        return (await bridge.dialog(chat)).topic_icon == icon

    return stored


async def test_close_closes_the_topic_and_the_buyer_reopens_it(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    await _answered(bridge, chat, topic)

    command = _says(bridge, bridge.manager, "/close", topic)
    await bridge.until(lambda: _topic(bridge, topic)["closed"], "the topic closed")
    answers = [
        m["text"]
        for m in bridge.topic_messages(topic)
        if m.get("reply_to_message", {}).get("message_id") == command["message_id"]
    ]
    assert answers == ["🔒 Тема закрыта. Новое сообщение покупателя откроет её снова."]
    await bridge.until(lambda: _icon(bridge, topic) == CLOSED, "the closed icon")
    assert (await bridge.dialog(chat)).closed_at is not None
    assert "/close" not in [m["content"].get("text") for m in bridge.avito.sent_via_api(chat)]

    bridge.avito.buyer_sends(chat, "Я передумала, беру!")
    await bridge.until(lambda: "Я передумала, беру!" in bridge.texts(topic), "the message in the same topic")
    assert not _topic(bridge, topic)["closed"]
    assert len(bridge.tg.topics(bridge.group_id)) == 1
    await bridge.until(lambda: _icon(bridge, topic) == WAITING, "waiting after reopening")
    assert (await bridge.dialog(chat)).closed_at is None
    assert bridge.tg.icon_changes(bridge.group_id, topic) == [ANSWERED, CLOSED, WAITING]


async def test_a_dialog_that_flips_while_the_worker_is_away_gets_one_edit_to_the_latest(
    bridge: Bridge,
) -> None:
    chat, topic = await _dialog_topic(bridge)  # waiting, set with the topic
    await bridge.stop_worker()
    _says(bridge, bridge.manager, "Да, в наличии.", topic)  # answered...
    _says(bridge, bridge.manager, "/close", topic)  # ...then closed, before any icon job ran
    await bridge.until(lambda: _topic(bridge, topic)["closed"], "the topic closed")
    await bridge.start_worker()

    await bridge.until(lambda: bridge.avito.sent_via_api(chat), "the reply on Avito")
    await bridge.until(_stored(bridge, chat, CLOSED), "the closed icon stored")
    await bridge.settle()
    assert bridge.tg.icon_changes(bridge.group_id, topic) == [CLOSED]  # never the answered one in between
    assert len(bridge.tg.calls("editForumTopic")) == 1


async def test_an_icon_steps_aside_while_messages_wait_for_the_group(bridge: Bridge) -> None:
    """The icon of one topic waits for the messages of another topic of the same group."""
    closing, closed_topic = await _dialog_topic(bridge, "Здравствуйте", "Анна")
    busy, busy_topic = await _dialog_topic(bridge, "Добрый день", "Борис")
    await idle(bridge)
    _says(bridge, bridge.manager, "/close", closed_topic)  # wants the closed icon
    await bridge.until(lambda: _topic(bridge, closed_topic)["closed"], "the topic closed")
    for n in range(1, 4):
        bridge.avito.buyer_sends(busy, f"вопрос {n}")
    await poll_account(job_ctx(bridge), bridge.account_row_id)  # stored, not yet posted

    with pytest.raises(Retry):
        await set_topic_icon(job_ctx(bridge), (await bridge.dialog(closing)).id)
    assert bridge.tg.calls("editForumTopic") == []

    calls_before = len(bridge.tg.calls())
    await bridge.start_worker()
    await bridge.until(lambda: _icon(bridge, closed_topic) == CLOSED, "the closed icon")
    assert "вопрос 3" in "\n".join(bridge.texts(busy_topic))
    methods = [name for name, _ in bridge.tg.calls()[calls_before:]]
    assert methods.index("editForumTopic") > max(i for i, m in enumerate(methods) if m == "sendMessage")


async def test_only_managers_and_the_owner_may_close(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    async with bridge.db.session() as session:
        row = await session.get(ClientBot, bridge.bot_row_id)
        assert row is not None
        row.manager_ids = [bridge.manager["id"]]
        await session.commit()
    irina = bridge.tg.add_user("Ирина", language_code="ru")
    bridge.tg.add_member(bridge.group_id, irina)

    shown = bridge.texts(topic)
    _says(bridge, irina, "/close", topic)
    await bridge.settle()
    assert not _topic(bridge, topic)["closed"]
    assert bridge.tg.calls("closeForumTopic") == []
    assert bridge.texts(topic) == shown  # no answer at all
    assert (await bridge.dialog(chat)).closed_at is None

    async with bridge.db.session() as session:  # the owner reads English: so does the confirmation
        owner = await session.scalar(select(User).where(User.telegram_user_id == bridge.owner["id"]))
        assert owner is not None
        owner.language = "en"
        await session.commit()
    command = _says(bridge, bridge.owner, "/close", topic)  # the owner is not listed, and may all the same
    await bridge.until(lambda: _topic(bridge, topic)["closed"], "the topic closed by the owner")
    await bridge.until(lambda: _icon(bridge, topic) == CLOSED, "the closed icon")
    answers = [
        m["text"]
        for m in bridge.topic_messages(topic)
        if m.get("reply_to_message", {}).get("message_id") == command["message_id"]
    ]
    assert answers == ["🔒 Topic closed. The buyer's next message opens it again."]


async def test_without_the_right_to_edit_topics_messages_flow_and_the_icon_is_not_retried(
    bridge: Bridge, caplog: pytest.LogCaptureFixture
) -> None:
    chat, topic = await _dialog_topic(bridge)
    # Telegram refuses every icon edit of this bot (the topic kept from before, or a right taken away).
    bridge.tg.fail_next("editForumTopic", 400, "Bad Request: not enough rights to edit the topic", times=100)
    caplog.set_level(logging.WARNING, logger="tuberry.jobs.topic_icon")

    _says(bridge, bridge.manager, "Да, в наличии.", topic)
    await bridge.until(lambda: bridge.avito.sent_via_api(chat), "the reply on Avito")
    await bridge.until(lambda: bridge.tg.calls("editForumTopic"), "the icon edit tried")
    await bridge.settle(2.5)  # the job's back-off would have tried again by now
    assert len(bridge.tg.calls("editForumTopic")) == 1
    assert _icon(bridge, topic) == WAITING  # as it was
    assert any("cannot set the status icon" in r.getMessage() for r in caplog.records)
    await bridge.until(_stored(bridge, chat, ANSWERED), "settled: no edit until the next change")

    bridge.avito.buyer_sends(chat, "А доставка есть?")
    await bridge.until(lambda: "А доставка есть?" in bridge.texts(topic), "the buyer's next message")
    await bridge.until(lambda: len(bridge.tg.calls("editForumTopic")) == 2, "one try for the next change")
    await bridge.settle(2.5)
    assert len(bridge.tg.calls("editForumTopic")) == 2


async def test_a_burst_of_buyer_messages_goes_before_any_icon_edit(bridge: Bridge) -> None:
    """Three answered topics; with pacing on (Telegram's 20 a minute into a group), each buyer writes four
    messages at once, and Telegram answers the first send with a 429. Every message reaches its topic, in
    order, before the first icon edit."""
    chats = []
    for buyer in ("Анна", "Борис", "Вера"):
        chat, topic = await _dialog_topic(bridge, f"Привет от {buyer}", buyer)
        await _answered(bridge, chat, topic)
        chats.append((chat, topic))
    await bridge.stop_worker()
    bridge.new_worker = worker_factory(bridge.services, REDIS_URL, group_rate=20, bot_rate=30)
    await bridge.start_worker()
    calls_before = len(bridge.tg.calls())

    burst = [f"сообщение {n}" for n in range(1, 5)]
    # Telegram holds the group for two seconds at the burst's first send: every message waits, and so must
    # every icon.
    bridge.tg.fail_next("sendMessage", 429, retry_after=2)
    for chat, _ in chats:
        for text in burst:
            bridge.avito.buyer_sends(chat, text)

    def arrived() -> bool:
        return all("\n".join(bridge.texts(topic)).count("сообщение") >= len(burst) for _, topic in chats)

    await bridge.until(arrived, "every buyer message in its topic")
    for _, topic in chats:
        shown = "\n".join(bridge.texts(topic))
        assert [shown.index(text) for text in burst] == sorted(shown.index(text) for text in burst)
    await bridge.until(
        lambda: all(_icon(bridge, topic) == WAITING for _, topic in chats), "every topic waiting again"
    )
    methods = [name for name, _ in bridge.tg.calls()[calls_before:]]
    last_post = max(i for i, name in enumerate(methods) if name == "sendMessage")
    first_edit = methods.index("editForumTopic")
    assert first_edit > last_post, methods
    for chat, _ in chats:
        await bridge.until(_stored(bridge, chat, WAITING), "the icon stored")


async def test_the_owners_icons_are_the_ones_topics_show(bridge: Bridge) -> None:
    fire, speech = "5312241539987020022", "5417915203100613993"  # 🔥, 💬: as the cabinet stores them
    async with bridge.db.session() as session:
        workspace = await session.get(Workspace, bridge.workspace_id)
        assert workspace is not None
        workspace.topic_icons = {"waiting": fire, "answered": speech}
        await session.commit()

    _, topic = await _dialog_topic(bridge)
    assert _icon(bridge, topic) == fire
    _says(bridge, bridge.manager, "Да, в наличии.", topic)
    await bridge.until(lambda: _icon(bridge, topic) == speech, "the owner's answered icon")
    _says(bridge, bridge.manager, "/close", topic)
    await bridge.until(lambda: _icon(bridge, topic) == CLOSED, "the default closed icon")


async def test_a_topic_closed_and_reopened_by_hand_shows_it(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    await _answered(bridge, chat, topic)

    bridge.tg.close_topic(bridge.group_id, topic, by_user=bridge.owner)  # in Telegram's own menu
    await bridge.until(lambda: _icon(bridge, topic) == CLOSED, "the closed icon")
    assert (await bridge.dialog(chat)).closed_at is not None
    bridge.tg.reopen_topic(bridge.group_id, topic, by_user=bridge.owner)
    await bridge.until(lambda: _icon(bridge, topic) == ANSWERED, "answered again")
    assert (await bridge.dialog(chat)).closed_at is None
    assert bridge.tg.icon_changes(bridge.group_id, topic) == [ANSWERED, CLOSED, ANSWERED]
