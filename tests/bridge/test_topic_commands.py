"""Commands in a dialog's topic: /help, /note, /block, and who may use them (issue 12)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tests.fakes.avito import error_body
from tuberry.app.owner_language import set_language
from tuberry.storage.models import AuditEntry, ClientBot


async def dialog_topic(bridge: Bridge, buyer: str = "Анна", **kwargs: Any) -> tuple[str, int]:
    chat = bridge.new_chat(buyer=buyer, **kwargs)
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    return chat, topic


def member(bridge: Bridge, name: str, **kwargs: Any) -> dict[str, Any]:
    person = bridge.tg.add_user(name, **kwargs)
    bridge.tg.add_member(bridge.group_id, person)
    return person


def says(bridge: Bridge, person: dict[str, Any], text: str, topic: int) -> dict[str, Any]:
    return bridge.tg.user_sends(bridge.bot, bridge.group_id, person, text, thread_id=topic)


def answers_to(bridge: Bridge, said: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        m
        for m in bridge.tg.sent(bridge.group_id, bot=bridge.bot)
        if (m.get("reply_to_message") or {}).get("message_id") == said["message_id"]
    ]


async def answer_to(bridge: Bridge, said: dict[str, Any]) -> str:
    found = await bridge.until(lambda: answers_to(bridge, said), f"the answer to {said.get('text')!r}")
    return str(found[0].get("text") or "")


async def list_managers(bridge: Bridge, *people: dict[str, Any]) -> None:
    async with bridge.db.session() as session:
        row = await session.get(ClientBot, bridge.bot_row_id)
        assert row is not None
        row.manager_ids = [p["id"] for p in people]
        await session.commit()


async def audit(bridge: Bridge, prefix: str) -> list[AuditEntry]:
    async with bridge.db.session() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [e for e in rows if e.action.startswith(prefix)]


async def test_help_note_and_block_in_russian(bridge: Bridge) -> None:
    chat, topic = await dialog_topic(bridge, "Анна")
    maxim = bridge.manager  # nobody is listed: every member may

    help_text = await answer_to(bridge, says(bridge, maxim, "/help", topic))
    assert "Команды в теме покупателя" in help_text
    for command in ("/block", "/close", "/note", "/q", "/help", "@shop_helper_bot"):
        assert command in help_text

    assert "Напишите заметку после команды" in await answer_to(bridge, says(bridge, maxim, "/note", topic))
    note = await answer_to(bridge, says(bridge, maxim, "/note перезвонить после 18:00 <важно>", topic))
    assert "Заметка от Максим" in note and "перезвонить после 18:00 <важно>" in note
    [posted] = [m for m in bridge.topic_messages(topic) if "Заметка от" in (m.get("text") or "")]
    await bridge.until(lambda: posted["message_id"] in bridge.tg.pinned(bridge.group_id), "the note pinned")

    blocked = await answer_to(bridge, says(bridge, maxim, "/block мошенник, просит предоплату", topic))
    assert "Покупатель заблокирован на Авито" in blocked and "Анна" in blocked and "мошенничество" in blocked
    buyer = bridge.avito.chat(chat)["users"][1]["id"]
    item = bridge.avito.chat(chat)["context"]["value"]["id"]
    assert bridge.avito.blacklisted[bridge.account.user_id] == [
        {"user_id": buyer, "context": {"reason_id": 2, "item_id": item}}
    ]
    [entry] = await audit(bridge, "dialog.block")
    assert entry.action == "dialog.block" and entry.actor_telegram_id == maxim["id"]
    assert entry.details["reason_id"] == 2 and "предоплату" in entry.details["words"]

    # None of it went to the buyer: not the commands, not the note.
    await bridge.settle()
    assert bridge.avito.sent_via_api(chat) == []


async def test_commands_speak_the_owners_english(bridge: Bridge) -> None:
    assert await set_language(bridge.services, bridge.owner["id"], "en")
    chat, topic = await dialog_topic(bridge, "Ann")
    maxim = bridge.manager

    help_text = await answer_to(bridge, says(bridge, maxim, "/help", topic))
    assert "Commands in a buyer's topic" in help_text and "/close" in help_text
    assert "Write the note after the command" in await answer_to(bridge, says(bridge, maxim, "/note", topic))
    note = await answer_to(bridge, says(bridge, maxim, "/note call back at 6", topic))
    assert "Note from Максим" in note
    blocked = await answer_to(bridge, says(bridge, maxim, "/block", topic))
    assert "The buyer is blocked on Avito" in blocked and "Reason: other" in blocked
    [entry] = bridge.avito.blacklisted[bridge.account.user_id]
    assert entry["context"]["reason_id"] == 4
    spam = await answer_to(bridge, says(bridge, maxim, "/block spam", topic))
    assert "Reason: spam" in spam
    await bridge.settle()
    assert bridge.avito.sent_via_api(chat) == []


async def test_a_member_off_the_list_gets_no_answer_and_nothing_happens(bridge: Bridge) -> None:
    chat, topic = await dialog_topic(bridge)
    irina = member(bridge, "Ирина")
    await list_managers(bridge, bridge.manager)
    tried = [says(bridge, irina, text, topic) for text in ("/help", "/note тест", "/block spam", "/q")]

    # The owner is not listed either, but always may: once their /help is answered, Irina's commands
    # (handled before it, in order) have had their turn.
    assert "Команды в теме покупателя" in await answer_to(bridge, says(bridge, bridge.owner, "/help", topic))
    assert all(answers_to(bridge, said) == [] for said in tried)
    assert bridge.avito.blacklisted == {}
    assert bridge.avito.count("/blacklist") == 0
    assert not [m for m in bridge.topic_messages(topic) if "Заметка" in (m.get("text") or "")]
    assert bridge.avito.sent_via_api(chat) == []


async def test_outside_a_dialog_topic_commands_are_not_answered(bridge: Bridge) -> None:
    _, topic = await dialog_topic(bridge)
    general = bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "/block spam")
    other = bridge.tg.create_topic(bridge.group_id, "Болтовня", by_user=bridge.owner)
    chatter = says(bridge, bridge.manager, "/help", other)
    assert "Команды" in await answer_to(bridge, says(bridge, bridge.manager, "/help", topic))
    assert answers_to(bridge, general) == [] and answers_to(bridge, chatter) == []
    assert bridge.avito.count("/blacklist") == 0


async def test_avito_refusing_a_block_is_shown_with_its_reason(bridge: Bridge) -> None:
    _, topic = await dialog_topic(bridge)
    refusal = error_body(400, "user is already in blacklist")
    bridge.avito.fail_next("/blacklist", 400, body=refusal)
    answer = await answer_to(bridge, says(bridge, bridge.manager, "/block", topic))
    assert "Авито не заблокировал покупателя" in answer and "user is already in blacklist" in answer
    assert bridge.avito.count("/blacklist") == 1  # a refusal is not retried

    # Avito down: retried a few times, then the topic is told.
    bridge.avito.fail_next("/blacklist", 503, times=3)
    answer = await answer_to(bridge, says(bridge, bridge.manager, "/block спам", topic))
    assert "Авито не заблокировал покупателя" in answer and "503" in answer
    assert bridge.avito.count("/blacklist") == 4
    assert bridge.avito.blacklisted == {}
    actions = [e.action for e in await audit(bridge, "dialog.block")]
    assert actions == ["dialog.block.refused", "dialog.block.refused"]

    # A blip is retried and the buyer blocked.
    bridge.avito.fail_next("/blacklist", 500)
    answer = await answer_to(bridge, says(bridge, bridge.manager, "/block", topic))
    assert "Покупатель заблокирован на Авито" in answer
    assert len(bridge.avito.blacklisted[bridge.account.user_id]) == 1


async def test_a_note_stays_when_the_bot_may_not_pin(bridge: Bridge) -> None:
    _, topic = await dialog_topic(bridge)
    bridge.tg.set_bot_rights(bridge.bot, bridge.group_id, {"can_pin_messages": False})
    note = await answer_to(bridge, says(bridge, bridge.manager, "/note позвонить завтра", topic))
    assert "Заметка от Максим" in note and "позвонить завтра" in note
    await bridge.until(
        lambda: any("Закрепить заметку не получилось" in t for t in bridge.texts(topic)), "the pin refusal"
    )
    [posted] = [m for m in bridge.topic_messages(topic) if "Заметка от" in (m.get("text") or "")]
    assert posted["message_id"] not in bridge.tg.pinned(bridge.group_id)  # (the card was pinned before)
