"""Admin commands (SPEC §6) through the fake Telegram server: only ADMIN_IDS get answers."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.bot.conftest import Cabinet, Person
from tuberry.storage.models import (
    AccountStatus,
    AuditEntry,
    AvitoAccount,
    AvitoState,
    BotStatus,
    ClientBot,
    Dialog,
    Direction,
    Message,
    Origin,
    TgState,
    User,
    Workspace,
)
from tuberry.storage.repos import BotRepo
from tuberry.storage.types import utcnow

_ids = itertools.count(1)


@pytest.fixture
def admin(cabinet: Cabinet) -> Person:
    """An admin speaking English, with no workspace of their own."""
    root = cabinet.user("Root", "en")
    cabinet.services.config = dataclasses.replace(cabinet.services.config, admin_ids=frozenset({root.id}))
    return root


# -- seeding through the ORM ------------------------------------------------------------------------


async def seed_workspace(cabinet: Cabinet, name: str, *, blocked: bool = False) -> int:
    owner_id = 10_000_000 + next(_ids)
    async with cabinet.db.session() as session:
        workspace = Workspace(owner_telegram_id=owner_id, title=name, blocked=blocked)
        session.add(workspace)
        await session.flush()
        session.add(User(telegram_user_id=owner_id, workspace_id=workspace.id, name=name))
        await session.commit()
        return workspace.id


def a_bot(workspace_id: int, status: str = BotStatus.ACTIVE, **fields: object) -> ClientBot:
    n = next(_ids)
    return ClientBot(
        workspace_id=workspace_id,
        telegram_bot_id=5_000_000 + n,
        token=f"{5_000_000 + n}:AA{'x' * 33}",
        username=f"shop{n}_bot",
        webhook_secret="s",
        status=status,
        **fields,
    )


def an_account(
    workspace_id: int, bot_id: int | None, status: str = AccountStatus.ACTIVE, **fields: object
) -> AvitoAccount:
    n = next(_ids)
    return AvitoAccount(
        workspace_id=workspace_id,
        bot_id=bot_id,
        client_id=f"client{n}",
        client_secret="secret",
        avito_user_id=900_000 + n,
        webhook_secret="s",
        status=status,
        **fields,
    )


def a_message(dialog_id: int, direction: str, at: datetime, **states: str) -> Message:
    return Message(
        dialog_id=dialog_id,
        direction=direction,
        origin=Origin.AVITO if direction == Direction.IN else Origin.MANAGER,
        kind="text",
        text="hi",
        avito_message_id=f"m{next(_ids)}",
        tg_state=states.get("tg", TgState.DELIVERED),
        avito_state=states.get("avito", AvitoState.RECEIVED),
        created_at=at,
    )


async def workspace_row(cabinet: Cabinet, workspace_id: int) -> Workspace:
    async with cabinet.db.session() as session:
        row = await session.get(Workspace, workspace_id)
        assert row is not None
        return row


async def audit(cabinet: Cabinet) -> list[AuditEntry]:
    async with cabinet.db.session() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def chat_texts(person: Person) -> list[str]:
    return [str(m.get("text", "")) for m in person.bot_messages()]


# -- strangers ------------------------------------------------------------------------------------


async def test_not_an_admin_gets_nothing_and_changes_nothing(cabinet: Cabinet, admin: Person) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.send("/start")
    async with cabinet.db.session() as session:
        workspace = await session.scalar(select(Workspace).where(Workspace.owner_telegram_id == anna.id))
        assert workspace is not None
    eve = cabinet.user("Eve", "en")
    for command in ("/admin", "/workspaces", f"/workspace {workspace.id}", f"/block {workspace.id} x"):
        await eve.send(command)
        await anna.send(command)
    await anna.send(f"/unblock {workspace.id}")
    await eve.press_data(eve.screen()["message_id"], "adm-ws:2")  # a forged paging button

    # The commands fall through to the cabinet as unknown text: a stranger is sent to /start, the owner
    # sees the menu. No admin text anywhere.
    for text in chat_texts(eve) + chat_texts(anna):
        assert "admin" not in text.lower() and "Workspace" not in text and "Кабинет #" not in text
    assert "Send /start" in eve.text()
    assert "Tuberry — кабинет" in anna.text()
    assert (await workspace_row(cabinet, workspace.id)).blocked is False
    assert [entry.action for entry in await audit(cabinet)] == ["workspace.create"]
    assert admin.bot_messages() == []


# -- /admin ---------------------------------------------------------------------------------------


async def test_admin_totals_count_the_seeded_installation(cabinet: Cabinet, admin: Person) -> None:
    now = utcnow()
    shop = await seed_workspace(cabinet, "Shop")
    other = await seed_workspace(cabinet, "Other")
    blocked = await seed_workspace(cabinet, "Banned", blocked=True)
    async with cabinet.db.session() as session:
        bots = [a_bot(shop), a_bot(other), a_bot(other, BotStatus.DISABLED), a_bot(other, BotStatus.REMOVED)]
        blocked_bot = a_bot(blocked)
        session.add_all([*bots, blocked_bot])
        await session.flush()
        lagging = an_account(shop, bots[0].id, last_success_at=now - timedelta(hours=2, seconds=30))
        fresh = an_account(other, bots[1].id, last_success_at=now - timedelta(seconds=5))
        never = an_account(other, bots[1].id)  # polled, but never successfully
        accounts = [
            lagging,
            fresh,
            never,
            an_account(shop, None, AccountStatus.PAUSED),
            an_account(other, None, AccountStatus.ERROR, last_error="forbidden"),
            an_account(other, None, AccountStatus.REMOVED),
            # Blocked on purpose: a stale poll there is no lag.
            an_account(blocked, blocked_bot.id, last_success_at=now - timedelta(days=5)),
        ]
        session.add_all(accounts)
        await session.flush()
        dialogs = [Dialog(account_id=lagging.id, avito_chat_id=f"c{i}") for i in range(3)]
        session.add_all(dialogs)
        await session.flush()
        first, second, _ = (d.id for d in dialogs)
        session.add_all(
            [
                a_message(first, Direction.IN, now - timedelta(hours=1)),
                a_message(first, Direction.IN, now - timedelta(hours=3), tg=TgState.FAILED),
                a_message(second, Direction.IN, now - timedelta(minutes=5)),
                a_message(first, Direction.OUT, now - timedelta(hours=2), avito=AvitoState.FAILED),
                a_message(second, Direction.OUT, now - timedelta(hours=23)),
                # Older than a day: neither counted nor failed.
                a_message(second, Direction.IN, now - timedelta(days=2), tg=TgState.FAILED),
                a_message(second, Direction.OUT, now - timedelta(hours=25)),
            ]
        )
        await session.commit()
    await cabinet.queue.deliver(first)  # one job waiting (no worker runs in these tests)

    await admin.send("/admin")
    text = admin.text()
    assert "Tuberry — admin" in text
    assert "Workspaces: 3 (blocked: 1)" in text
    assert "Bots: 3 running of 4 connected" in text
    assert "Avito accounts: 4 active · 1 paused · 1 stopped by an error" in text
    assert "Dialogs: 3" in text
    assert "Messages in 24 h: 3 in · 2 out" in text
    assert "Failed messages in 24 h: 2" in text
    assert "Queue depth: 1" in text
    assert "Oldest poll lag: 2 h 0 min" in text
    assert "never polled successfully: 1" in text


async def test_admin_totals_of_an_empty_installation_in_russian(cabinet: Cabinet) -> None:
    root = cabinet.user("Админ", "ru")
    cabinet.services.config = dataclasses.replace(cabinet.services.config, admin_ids=frozenset({root.id}))
    await root.send("/admin")
    assert "Кабинетов: 0 (заблокировано: 0)" in root.text()
    assert "Наибольшее отставание опроса: нет" in root.text()


# -- /workspaces ----------------------------------------------------------------------------------


async def test_workspaces_are_paged_ten_at_a_time(cabinet: Cabinet, admin: Person) -> None:
    ids = [await seed_workspace(cabinet, f"Owner {n}", blocked=n == 3) for n in range(1, 13)]
    async with cabinet.db.session() as session:
        bot = a_bot(ids[0])
        session.add_all([bot, a_bot(ids[0], BotStatus.REMOVED)])
        await session.flush()
        session.add_all([an_account(ids[0], bot.id), an_account(ids[0], bot.id)])
        await session.commit()

    await admin.send("/workspaces")
    page = admin.text()
    assert "page 1 of 2 · 12 in all" in page
    assert f"#{ids[0]} · " in page and "Owner 1 · bots: 1 · accounts: 2" in page
    assert f"#{ids[9]} · " in page and f"#{ids[10]} · " not in page
    assert "Owner 3 · bots: 0 · accounts: 0 · ⛔ blocked" in page
    assert [b["text"] for b in admin.buttons()] == ["▶"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in admin.buttons())

    await admin.press("▶")
    page = admin.text()
    assert "page 2 of 2" in page
    assert f"#{ids[10]} · " in page and f"#{ids[11]} · " in page and f"#{ids[0]} · " not in page
    assert [b["text"] for b in admin.buttons()] == ["◀"]
    assert len(admin.bot_messages()) == 1  # edited in place

    await admin.press("◀")
    assert "page 1 of 2" in admin.text()

    await admin.send("/workspaces 2")
    assert "page 2 of 2" in admin.text()
    await admin.send("/workspaces 99")  # past the end: the last page
    assert "page 2 of 2" in admin.text()
    await admin.send("/workspaces next")
    assert "Usage: /workspaces [page]" in admin.text()


async def test_no_workspaces_yet(cabinet: Cabinet, admin: Person) -> None:
    await admin.send("/workspaces")
    assert admin.text() == "No workspaces yet."
    assert admin.buttons() == []


# -- /workspace <id> ------------------------------------------------------------------------------


async def test_workspace_details(cabinet: Cabinet, admin: Person) -> None:
    now = utcnow()
    shop = await seed_workspace(cabinet, "Anna <Shop>")
    async with cabinet.db.session() as session:
        bound = a_bot(shop, group_chat_id=-1001, group_title="Sales team")
        session.add_all([bound, a_bot(shop, BotStatus.DISABLED)])
        await session.flush()
        account = an_account(
            shop,
            bound.id,
            AccountStatus.ERROR,
            name="Anna's store",
            last_poll_at=now - timedelta(minutes=1),
            last_error="forbidden",
            last_error_at=now - timedelta(minutes=1),
        )
        session.add(account)
        await session.flush()
        dialog = Dialog(account_id=account.id, avito_chat_id="chat")
        session.add(dialog)
        await session.flush()
        session.add_all([a_message(dialog.id, Direction.IN, now), a_message(dialog.id, Direction.OUT, now)])
        for n in range(7):
            session.add(AuditEntry(workspace_id=shop, actor_telegram_id=42, action=f"test.action{n}"))
        await session.commit()

    await admin.send(f"/workspace {shop}")
    text = admin.text()
    assert f"Workspace #{shop}" in text
    assert "Anna <Shop>" in text  # escaped on the way, shown as typed
    assert "Status: ✅ active" in text
    assert "Dialogs: 1" in text
    assert "Messages in 24 h: 1 in · 1 out" in text
    assert f"@{bound.username} · running · group “Sales team”" in text
    assert "disabled by Telegram" in text and "no group bound" in text
    assert "Anna's store · ⚠️ stopped by an error" in text and "last error: forbidden" in text
    assert "test.action6" in text and "test.action2" in text and "test.action1" not in text

    await admin.send("/workspace 9999")
    assert "Workspace #9999 doesn't exist" in admin.text()
    for command in ("/workspace", "/workspace shop"):
        await admin.send(command)
        assert "Usage: /workspace <id>" in admin.text()


# -- /block, /unblock -----------------------------------------------------------------------------


async def test_block_and_unblock(cabinet: Cabinet, admin: Person) -> None:
    anna = cabinet.user("Анна", "ru")
    await anna.connect_bot(cabinet.tg.add_bot(username="anna_shop_bot"))
    async with cabinet.db.session() as session:
        [bot] = list(await session.scalars(select(ClientBot)))
    workspace_id = bot.workspace_id
    assert bot.id in cabinet.receivers.running

    await admin.send(f"/block {workspace_id} spam <links> & co")
    reply = admin.text()
    assert f"Workspace #{workspace_id} is blocked. Reason: spam <links> & co" in reply
    assert "Bots stopped in this process: 1." in reply and "The owner has been told." in reply
    row = await workspace_row(cabinet, workspace_id)
    assert row.blocked and row.blocked_reason == "spam <links> & co"
    entry = (await audit(cabinet))[-1]
    assert (entry.action, entry.actor_telegram_id, entry.workspace_id) == (
        "admin.block",
        admin.id,
        workspace_id,
    )
    assert entry.details == {"reason": "spam <links> & co"}
    assert bot.id not in cabinet.receivers.running
    assert ("stop", bot.id) in cabinet.receivers.log
    async with cabinet.db.session() as session:
        assert await BotRepo(session).receiving() == []
    told = [t for t in chat_texts(anna) if "заблокирован администратором" in t]
    assert told and "Причина: spam <links> & co" in told[-1]

    await anna.send("/start")  # the owner sees why in the menu
    assert "Кабинет заблокирован администратором" in anna.text()
    assert "spam <links> & co" in anna.text()

    await admin.send(f"/block {workspace_id} again")
    assert "is already blocked. Reason: spam <links> & co" in admin.text()

    await admin.send(f"/unblock {workspace_id}")
    reply = admin.text()
    assert f"Workspace #{workspace_id} is unblocked" in reply and "Bots started in this process: 1." in reply
    row = await workspace_row(cabinet, workspace_id)
    assert not row.blocked and row.blocked_reason is None
    assert [e.action for e in await audit(cabinet)][-2:] == ["admin.block", "admin.unblock"]
    assert bot.id in cabinet.receivers.running
    assert "разблокирован" in chat_texts(anna)[-1]

    await admin.send(f"/unblock {workspace_id}")
    assert "isn't blocked" in admin.text()
    await anna.send("/start")
    assert "заблокирован" not in anna.text()


async def test_block_without_a_reason_and_an_unreachable_owner(cabinet: Cabinet, admin: Person) -> None:
    shop = await seed_workspace(cabinet, "Ghost")  # the owner never opened the master bot
    cabinet.services.receivers = None  # a process whose client bots receive elsewhere
    await admin.send(f"/block #{shop}")
    reply = admin.text()
    assert "Reason: not given" in reply
    assert "another process" in reply
    assert "Couldn't message the owner" in reply
    row = await workspace_row(cabinet, shop)
    assert row.blocked and row.blocked_reason is None


async def test_block_and_unblock_refuse_bad_ids(cabinet: Cabinet, admin: Person) -> None:
    for command in ("/block", "/block abc spam", "/block -3"):
        await admin.send(command)
        assert "Usage: /block <id> [reason]" in admin.text(), command
    for command in ("/unblock", "/unblock x"):
        await admin.send(command)
        assert "Usage: /unblock <id>" in admin.text(), command
    await admin.send("/block 777 spam")
    assert "Workspace #777 doesn't exist" in admin.text()
    await admin.send("/unblock 777")
    assert "Workspace #777 doesn't exist" in admin.text()
    assert await audit(cabinet) == []
