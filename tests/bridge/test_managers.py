"""Who may answer buyers, chosen in the group: the owner replies `/manager` to a member's message."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tuberry.storage.models import AuditEntry, ClientBot, User


async def _dialog_topic(bridge: Bridge, buyer: str = "Анна") -> tuple[str, int]:
    chat = bridge.new_chat(buyer=buyer)
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    return chat, topic


def _member(bridge: Bridge, name: str, **kwargs: Any) -> dict[str, Any]:
    person = bridge.tg.add_user(name, **kwargs)
    bridge.tg.add_member(bridge.group_id, person)
    return person


def _says(bridge: Bridge, person: dict[str, Any], text: str, **kwargs: Any) -> dict[str, Any]:
    return bridge.tg.user_sends(bridge.bot, bridge.group_id, person, text, **kwargs)


async def _answer_to(bridge: Bridge, command: dict[str, Any]) -> str:
    """The bot's reply to a command message."""

    def found() -> str | None:
        for message in bridge.tg.sent(bridge.group_id, bot=bridge.bot):
            if (message.get("reply_to_message") or {}).get("message_id") == command["message_id"]:
                return str(message.get("text") or "")
        return None

    return str(await bridge.until(found, f"the answer to {command.get('text')!r}"))


async def _bot(bridge: Bridge) -> ClientBot:
    async with bridge.db.session() as session:
        row = await session.get(ClientBot, bridge.bot_row_id)
        assert row is not None
        return row


async def _audit(bridge: Bridge) -> list[AuditEntry]:
    async with bridge.db.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def test_a_listed_manager_relays_and_an_unlisted_member_does_not(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    maxim = bridge.manager
    irina = _member(bridge, "Ирина")
    hello = _says(bridge, maxim, "Всем привет, я на связи")

    command = _says(bridge, bridge.owner, "/manager", reply_to=hello["message_id"])
    answer = await _answer_to(bridge, command)
    assert "Максим теперь отвечает покупателям" in answer
    assert "только менеджеров из списка" in answer  # the first one: says what changes
    assert "Вас в списке нет" in answer  # the owner is not on it by themselves
    row = await _bot(bridge)
    assert row.manager_ids == [maxim["id"]]
    assert row.manager_names == {str(maxim["id"]): "Максим"}
    [entry] = [e for e in await _audit(bridge) if e.action.startswith("bot.managers")]
    assert entry.action == "bot.managers.add"
    assert entry.actor_telegram_id == bridge.owner["id"] and entry.workspace_id == bridge.workspace_id
    assert entry.details["user_id"] == maxim["id"]

    # Irina writes first; Maxim's reply reaches Avito, and Irina's never does.
    _says(bridge, irina, "Может, скинем ему цену?", thread_id=topic)
    _says(bridge, maxim, "Да, в наличии.", thread_id=topic)
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "Maxim's reply on Avito")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Да, в наличии."]
    # Neither the command nor the bot's answers went anywhere near Avito.
    assert all("/manager" not in m["content"].get("text", "") for m in bridge.avito.sent_via_api(chat))


async def test_add_in_a_topic_remove_and_list(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    maxim = bridge.manager
    line = _says(bridge, maxim, "Беру этот чат", thread_id=topic)

    listing = await _answer_to(bridge, _says(bridge, bridge.owner, "/managers"))
    assert "любой участник группы" in listing

    command = _says(bridge, bridge.owner, "/manager add", reply_to=line["message_id"])
    assert "Максим теперь отвечает покупателям" in await _answer_to(bridge, command)
    again = _says(bridge, bridge.owner, "/manager", reply_to=line["message_id"])
    assert "Максим уже в списке" in await _answer_to(bridge, again)
    assert (await _bot(bridge)).manager_ids == [maxim["id"]]

    listing = await _answer_to(bridge, _says(bridge, bridge.owner, "/managers", thread_id=topic))
    assert "только менеджеры из списка (1)" in listing
    assert f"Максим — {maxim['id']}" in listing

    command = _says(bridge, bridge.owner, "/manager remove", reply_to=line["message_id"])
    answer = await _answer_to(bridge, command)
    assert "Максим больше не отвечает покупателям" in answer
    assert "Список пуст" in answer  # and so everyone relays again: said out loud
    row = await _bot(bridge)
    assert row.manager_ids == [] and row.manager_names == {}
    command = _says(bridge, bridge.owner, "/manager remove", reply_to=line["message_id"])
    assert "Максим нет в списке" in await _answer_to(bridge, command)

    listing = await _answer_to(bridge, _says(bridge, bridge.owner, "/managers"))
    assert "любой участник группы" in listing
    actions = [e.action for e in await _audit(bridge) if e.action.startswith("bot.managers")]
    assert actions == ["bot.managers.add", "bot.managers.remove"]
    # The owner's commands in the topic were not relayed; the line Maxim wrote there was (list empty then).
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Беру этот чат"]


async def test_only_the_owner_chooses_managers(bridge: Bridge) -> None:
    maxim = bridge.manager
    irina = _member(bridge, "Ирина")
    hers = _says(bridge, irina, "Привет")

    command = _says(bridge, maxim, "/manager", reply_to=hers["message_id"])
    assert "только владелец бота" in await _answer_to(bridge, command)
    command = _says(bridge, maxim, "/managers")
    assert "только владелец бота" in await _answer_to(bridge, command)
    row = await _bot(bridge)
    assert row.manager_ids == []
    assert not [e for e in await _audit(bridge) if e.action.startswith("bot.managers")]


async def test_without_a_reply_the_owner_gets_a_hint(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    command = _says(bridge, bridge.owner, "/manager")
    assert "ответьте на сообщение участника командой /manager" in await _answer_to(bridge, command)

    # In a topic every message implicitly replies to the topic's creation: that is not a person.
    command = _says(bridge, bridge.owner, "/manager", thread_id=topic)
    assert "ответьте на сообщение участника" in await _answer_to(bridge, command)

    # The bot's own message (here: the buyer's text relayed into the topic) is not a person either.
    relayed = next(m for m in bridge.topic_messages(topic) if "Здравствуйте" in (m.get("text") or ""))
    command = _says(bridge, bridge.owner, "/manager", reply_to=relayed["message_id"])
    assert "сообщение бота" in await _answer_to(bridge, command)

    hello = _says(bridge, bridge.manager, "Привет")
    command = _says(bridge, bridge.owner, "/manager please", reply_to=hello["message_id"])
    assert "ответьте на сообщение участника" in await _answer_to(bridge, command)
    assert (await _bot(bridge)).manager_ids == []
    await bridge.settle()
    assert bridge.avito.sent_via_api(chat) == []


async def test_the_owner_listing_themselves_and_an_english_owner(bridge: Bridge) -> None:
    async with bridge.db.session() as session:
        owner = await session.scalar(select(User).where(User.telegram_user_id == bridge.owner["id"]))
        assert owner is not None
        owner.language = "en"
        await session.commit()
    mine = _says(bridge, bridge.owner, "I answer too")
    answer = await _answer_to(bridge, _says(bridge, bridge.owner, "/manager", reply_to=mine["message_id"]))
    assert "Ольга now answers buyers" in answer
    assert "You are not on the list" not in answer
    refused = await _answer_to(bridge, _says(bridge, bridge.manager, "/managers"))
    assert "Only the bot's owner" in refused
    listing = await _answer_to(bridge, _says(bridge, bridge.owner, "/managers"))
    assert f"Ольга — {bridge.owner['id']}" in listing


async def test_a_command_in_another_group_is_not_taken_for_the_bound_one(bridge: Bridge) -> None:
    other = bridge.tg.create_group("Другая", is_forum=True, owner=bridge.owner)
    bridge.tg.add_member(other, bridge.manager)
    bridge.tg.add_bot_to_group(bridge.bot, other, by_user=bridge.manager, admin=True)
    hello = bridge.tg.user_sends(bridge.bot, other, bridge.manager, "Привет")
    command = bridge.tg.user_sends(bridge.bot, other, bridge.owner, "/manager", reply_to=hello["message_id"])

    def answer() -> str | None:
        for message in bridge.tg.sent(other, bot=bridge.bot):
            if (message.get("reply_to_message") or {}).get("message_id") == command["message_id"]:
                return str(message.get("text"))
        return None

    assert "не подключена к боту" in await bridge.until(answer, "the answer in the other group")
    assert (await _bot(bridge)).manager_ids == []
