"""/start, the main menu, the language switch and Help, in Russian and English."""

from __future__ import annotations

from sqlalchemy import select

from tests.bot.conftest import Cabinet
from tuberry.storage.models import AuditEntry, User, Workspace

MENU_RU = ["Боты", "Аккаунты Авито", "Автоответ", "Статистика", "Язык", "Помощь"]
MENU_EN = ["Bots", "Avito accounts", "Auto-reply", "Stats", "Language", "Help"]


def labels(person) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["text"] for b in person.buttons()]


async def test_start_creates_the_workspace_and_shows_the_russian_menu(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.send("/start")

    assert "Добро пожаловать" in anna.text()
    assert "Ботов: 0" in anna.text()
    for label in MENU_RU:
        assert any(label in b for b in labels(anna)), label
    async with cabinet.db.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.owner_telegram_id == anna.id))
        assert workspace is not None
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions == ["workspace.create"]

    await anna.press("Помощь")
    await anna.press("Назад")  # the greeting is not repeated on the way back
    assert "Добро пожаловать" not in anna.text() and "Tuberry — кабинет" in anna.text()

    await anna.send("/start")  # again: back to the menu, no second welcome, no second workspace
    assert "Добро пожаловать" not in anna.text()
    assert "Tuberry — кабинет" in anna.text()
    async with cabinet.db.session() as session:
        assert len(list(await session.scalars(select(Workspace)))) == 1


async def test_english_user_gets_english_and_any_other_language_gets_russian(cabinet: Cabinet) -> None:
    john = cabinet.user("John", "en-GB")
    await john.send("/start")
    assert "Welcome to Tuberry" in john.text()
    for label in MENU_EN:
        assert any(label in b for b in labels(john)), label

    hans = cabinet.user("Hans", "de")
    await hans.send("/start")
    assert "Добро пожаловать" in hans.text()


async def test_language_switch_is_remembered(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.send("/start")
    await anna.press("Язык")
    assert "Выберите язык" in anna.text()
    await anna.press("English")
    assert "Tuberry — cabinet" in anna.text()
    assert "Bots" in labels(anna)[0]

    await anna.send("/start")  # a new update reads the stored choice, not Telegram's language_code
    assert "Tuberry — cabinet" in anna.text()
    async with cabinet.db.session() as session:
        user = await session.scalar(select(User).where(User.telegram_user_id == anna.id))
        assert user is not None and user.language == "en"

    await anna.press("Language")
    await anna.press("Русский")
    assert "Tuberry — кабинет" in anna.text()


async def test_help_walks_from_botfather_to_the_first_topic(cabinet: Cabinet) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.send("/start")
    await anna.press("Помощь")
    text = anna.text()
    for part in ("@BotFather", "/newbot", "Темы", "client_secret", "темой"):
        assert part in text, part
    await anna.press("Назад")
    assert "Tuberry — кабинет" in anna.text()


async def test_auto_reply_and_stats_screens_open_and_return(cabinet: Cabinet) -> None:
    john = cabinet.user("John", "en")
    await john.send("/start")
    await john.press("Auto-reply")
    assert "Auto-reply" in john.text() and "off" in john.text()
    await john.press("Back")
    await john.press("Stats")
    assert "No data yet" in john.text()
    await john.press("Back")
    assert "Tuberry — cabinet" in john.text()


async def test_stray_text_and_an_unknown_user_get_a_way_back(cabinet: Cabinet) -> None:
    stranger = cabinet.user("Гость", "ru")
    await stranger.send("привет")
    assert "/start" in stranger.text()
