"""Quick replies in the cabinet: add, list, edit the text, delete; bad input is refused and loses nothing."""

from __future__ import annotations

from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tuberry.storage.models import AuditEntry, QuickReply

SEP = "\x1d"  # aiogram-dialog callback data: "<intent id><SEP><widget id>:<item id>"
GOOD = "{buyer_name}, доставка «{item_title}» за {item_price}: {item_url}. Вернёмся {next_open}."


async def stored(cabinet: Cabinet) -> list[tuple[str, str]]:
    async with cabinet.db.session() as session:
        rows = await session.scalars(select(QuickReply).order_by(QuickReply.position))
        return [(r.title, r.text) for r in rows]


async def actions(cabinet: Cabinet) -> list[str]:
    async with cabinet.db.session() as session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [e.action for e in rows if e.action.startswith("quick_reply")]


async def open_screen(person: Person) -> str:
    await person.menu("Быстрые ответы", "Quick replies")
    return person.text()


async def test_add_list_edit_and_delete_with_bad_input(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна")
    text = await open_screen(anna)
    assert "Быстрые ответы" in text and "Пока ни одного" in text

    await anna.press("Добавить")
    assert "Как назвать ответ" in anna.text()
    await anna.send("   ")
    assert "Название пустое" in anna.text()
    await anna.send("д" * 65)
    assert "Слишком длинное название: не больше 64" in anna.text()
    await anna.send("Доставка")
    assert "Текст ответа «Доставка»" in anna.text() and "{item_price}" in anna.text()
    await anna.send("Привет, {buyer}!")
    assert "неизвестная переменная" in anna.text() and "{buyer}" in anna.text()
    await anna.send("Ответ " + "х" * 1000)
    assert "слишком длинный текст" in anna.text()
    await anna.send("Скобка { без пары")
    assert "фигурная скобка без пары" in anna.text()
    assert await stored(cabinet) == []  # nothing half-saved
    await anna.send(GOOD)
    assert "Ответ «Доставка» добавлен" in anna.text()
    assert anna.button("Доставка")
    assert await stored(cabinet) == [("Доставка", GOOD)]

    await anna.press("Добавить")
    await anna.send("  доставка ")
    assert "Ответ с таким названием уже есть" in anna.text()
    await anna.send("Адрес")
    await anna.send("Москва, Тверская 1")
    assert [b["text"] for b in anna.buttons()][:2] == ["Доставка", "Адрес"]

    await anna.press("Доставка")
    assert "«Доставка»" in anna.text() and "{buyer_name}, доставка" in anna.text()
    await anna.press("Изменить текст")
    await anna.send("{price}")
    assert "неизвестная переменная" in anna.text()
    await anna.send("Доставка завтра, {buyer_name}.")
    assert "Текст сохранён" in anna.text() and "Доставка завтра, {buyer_name}." in anna.text()

    await anna.press("Удалить")
    assert "Удалить ответ «Доставка»?" in anna.text()
    await anna.press("Отмена")
    assert len(await stored(cabinet)) == 2
    await anna.press("Удалить")
    await anna.press("Удалить")
    assert "Ответ удалён" in anna.text()
    assert await stored(cabinet) == [("Адрес", "Москва, Тверская 1")]
    assert await actions(cabinet) == [
        "quick_reply.add",
        "quick_reply.add",
        "quick_reply.edit",
        "quick_reply.delete",
    ]


async def test_in_english(cabinet: Cabinet) -> None:
    ann = cabinet.user("Ann", language_code="en")
    text = await open_screen(ann)
    assert "Quick replies" in text and "None yet" in text
    await ann.press("➕ Add")
    await ann.send("Address")
    assert 'The text of "Address"' in ann.text()
    await ann.send("{when}")
    assert "unknown variable" in ann.text()
    await ann.send("See you, {buyer_name}!")
    assert 'The answer "Address" is added' in ann.text()
    await ann.press("➕ Add")
    await ann.send("ADDRESS")
    assert "There is an answer with this title already" in ann.text()
    await ann.press("Cancel")
    await ann.press("Address")
    await ann.press("Delete")
    await ann.press("Delete")
    assert "The answer is deleted" in ann.text()
    assert await stored(cabinet) == []


async def test_another_owners_reply_cannot_be_opened(cabinet: Cabinet) -> None:
    anna, boris = cabinet.user("Анна"), cabinet.user("Борис")
    await open_screen(anna)
    await anna.press("Добавить")
    await anna.send("Адрес")
    await anna.send("Москва, Тверская 1")
    [(title, _)] = await stored(cabinet)
    async with cabinet.db.session() as session:
        anna_reply = await session.scalar(select(QuickReply.id))

    await open_screen(boris)
    await boris.press("Добавить")
    await boris.send("Своё")
    await boris.send("Текст Бориса")
    intent, _ = boris.button("Своё")["callback_data"].split(SEP)
    await boris.press_data(boris.screen()["message_id"], f"{intent}{SEP}qrp:{anna_reply}")
    assert "Не нашлось" in boris.text()
    assert "Изменить текст" not in str(boris.buttons()) and "Москва" not in str(boris.bot_messages())
    assert title == "Адрес" and len(await stored(cabinet)) == 2
