"""Quick replies in a dialog's topic: `/q` and inline mode (`@bot words`), relayed to the buyer once."""

from __future__ import annotations

from typing import Any

from tests.bridge.conftest import Bridge
from tests.bridge.test_topic_commands import answer_to, answers_to, dialog_topic, list_managers, member, says
from tuberry.app.owner_language import set_language
from tuberry.app.quick_replies import add_quick_reply

DELIVERY = "{buyer_name}, доставка «{item_title}» за {item_price} — по ссылке {item_url}"


async def seed_replies(bridge: Bridge) -> None:
    for title, text in (("Доставка", DELIVERY), ("Адрес", "Москва, Тверская 1. Ждём, {buyer_name}!")):
        saved = await add_quick_reply(bridge.services, bridge.workspace_id, bridge.owner["id"], title, text)
        assert saved.reply is not None


def filled(bridge: Bridge, chat: str, buyer: str) -> str:
    item = bridge.avito.chat(chat)["context"]["value"]
    return f"{buyer}, доставка «{item['title']}» за {item['price_string']} — по ссылке {item['url']}"


async def inline_answer(bridge: Bridge, query_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next(
            (a for a in bridge.tg.inline_answers(bridge.bot) if a["inline_query_id"] == query_id), None
        )

    return await bridge.until(found, f"the answer to inline query {query_id}")


async def test_q_lists_and_sends_a_filled_template_once(bridge: Bridge) -> None:
    chat, topic = await dialog_topic(bridge, "Анна", item="Велосипед Stels", price="15 000 ₽")
    maxim = bridge.manager
    assert "Быстрых ответов пока нет" in await answer_to(bridge, says(bridge, maxim, "/q", topic))
    await seed_replies(bridge)

    listing = await answer_to(bridge, says(bridge, maxim, "/q", topic))
    assert "Доставка" in listing and "Адрес" in listing
    unknown = await answer_to(bridge, says(bridge, maxim, "/q самовывоз", topic))
    assert "Быстрого ответа «самовывоз» нет" in unknown and "Доставка" in unknown

    command = says(bridge, maxim, "/q доставка", topic)
    text = filled(bridge, chat, "Анна")
    assert await answer_to(bridge, command) == text  # the topic shows exactly what the buyer gets
    await bridge.until(lambda: bridge.avito.sent_via_api(chat), "the quick reply on Avito")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == [text]
    # Accepted by Avito: the manager's /q gets the usual reaction.
    await bridge.until(lambda: bridge.tg.reactions(bridge.group_id, command["message_id"]), "the reaction")


async def test_q_in_english_and_for_an_owner_off_the_list(bridge: Bridge) -> None:
    assert await set_language(bridge.services, bridge.owner["id"], "en")
    chat, topic = await dialog_topic(bridge, "Ann")
    assert "No quick replies yet" in await answer_to(bridge, says(bridge, bridge.manager, "/q", topic))
    await seed_replies(bridge)
    unknown = await answer_to(bridge, says(bridge, bridge.manager, "/q pickup", topic))
    assert 'There is no quick reply "pickup"' in unknown
    # The owner may use the commands, but while they are not listed their replies do not reach buyers.
    await list_managers(bridge, bridge.manager)
    refused = await answer_to(bridge, says(bridge, bridge.owner, "/q Адрес", topic))
    assert "you are not on the managers list" in refused
    await bridge.settle()
    assert bridge.avito.sent_via_api(chat) == []


async def test_inline_results_are_filled_for_the_managers_topic_and_relayed_once(bridge: Bridge) -> None:
    bridge.tg.enable_inline_mode(bridge.bot)
    chat, topic = await dialog_topic(bridge, "Анна")
    await dialog_topic(bridge, "Борис")  # another dialog: its buyer's name must not be used
    await seed_replies(bridge)
    maxim = bridge.manager
    hello = says(bridge, maxim, "Минутку", topic)  # the topic Maxim is in
    await bridge.until(lambda: bridge.avito.sent_via_api(chat), "Maxim's reply on Avito")

    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, maxim, "доставк"))
    assert answer["is_personal"] and answer["cache_time"] == 0
    [result] = answer["results"]
    text = filled(bridge, chat, "Анна")
    assert result["title"] == "Доставка"
    assert result["input_message_content"]["message_text"] == text
    assert result["description"].startswith("👤 Анна: Анна, доставка")
    everything = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, maxim, ""))
    assert [r["title"] for r in everything["results"]] == ["Доставка", "Адрес"]

    posted = bridge.tg.user_chooses_inline_result(
        bridge.bot, bridge.group_id, maxim, answer["inline_query_id"], result["id"], thread_id=topic
    )
    assert posted["via_bot"]["id"] == bridge.bot.id and posted["text"] == text
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 2, "the chosen reply on Avito")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Минутку", text]
    assert answers_to(bridge, hello) == []


async def test_inline_gives_nothing_to_others_and_outside_the_group(bridge: Bridge) -> None:
    bridge.tg.enable_inline_mode(bridge.bot)
    _, topic = await dialog_topic(bridge)
    await seed_replies(bridge)
    maxim, irina = bridge.manager, member(bridge, "Ирина")
    stranger = bridge.tg.add_user("Чужой")  # not in the group
    says(bridge, maxim, "Привет", topic)
    says(bridge, irina, "Привет", topic)

    # While nobody is listed every member may, but only a member of the group.
    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, irina, "адрес"))
    assert [r["title"] for r in answer["results"]] == ["Адрес"]
    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, stranger, "адрес"))
    assert answer["results"] == []

    await list_managers(bridge, maxim)
    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, irina, "адрес"))
    assert answer["results"] == []
    # Typed anywhere but a supergroup (a private chat, a basic group, a channel): nothing.
    for chat_type in ("sender", "private", "group", "channel"):
        query = bridge.tg.user_types_inline(bridge.bot, maxim, "адрес", chat_type=chat_type)
        assert (await inline_answer(bridge, query))["results"] == []
    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, maxim, "адрес"))
    assert [r["title"] for r in answer["results"]] == ["Адрес"]
    assert answer["results"][0]["input_message_content"]["message_text"] == "Москва, Тверская 1. Ждём, Анна!"


async def test_inline_without_a_known_topic_leaves_the_dialogs_values_out(bridge: Bridge) -> None:
    bridge.tg.enable_inline_mode(bridge.bot)
    await dialog_topic(bridge)
    await seed_replies(bridge)
    await list_managers(bridge, bridge.manager)  # listed: no need to have written anywhere
    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, bridge.manager, "адрес"))
    [result] = answer["results"]
    assert result["input_message_content"]["message_text"] == "Москва, Тверская 1. Ждём!"
    assert "👤" not in result["description"]


async def test_a_result_filled_for_another_buyer_is_caught_before_it_reaches_this_one(bridge: Bridge) -> None:
    bridge.tg.enable_inline_mode(bridge.bot)
    anna_chat, anna_topic = await dialog_topic(bridge, "Анна")
    boris_chat, boris_topic = await dialog_topic(bridge, "Борис")
    await seed_replies(bridge)
    maxim = bridge.manager
    says(bridge, maxim, "/help", boris_topic)  # Maxim was in Boris's topic last…

    # …and types `@bot адрес` in Anna's topic: Telegram does not say where, so it is filled for Boris.
    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, maxim, "адрес"))
    [result] = answer["results"]
    assert result["input_message_content"]["message_text"].endswith("Ждём, Борис!")
    posted = bridge.tg.user_chooses_inline_result(
        bridge.bot, bridge.group_id, maxim, answer["inline_query_id"], result["id"], thread_id=anna_topic
    )
    warning = await answer_to(bridge, posted)
    assert "Не отправлено" in warning and "Борис" in warning

    # Chosen again, it is filled for Anna's topic, where Maxim now wrote, and goes to Anna once.
    answer = await inline_answer(bridge, bridge.tg.user_types_inline(bridge.bot, maxim, "адрес"))
    [result] = answer["results"]
    assert result["input_message_content"]["message_text"].endswith("Ждём, Анна!")
    bridge.tg.user_chooses_inline_result(
        bridge.bot, bridge.group_id, maxim, answer["inline_query_id"], result["id"], thread_id=anna_topic
    )
    await bridge.until(lambda: bridge.avito.sent_via_api(anna_chat), "the reply on Avito")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(anna_chat)] == [
        "Москва, Тверская 1. Ждём, Анна!"
    ]
    assert bridge.avito.sent_via_api(boris_chat) == []
