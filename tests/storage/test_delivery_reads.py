"""The inbound path's joined reads: a poll's dialog with its stored messages, a delivery round's context."""

from __future__ import annotations

from sqlalchemy import select

from tuberry.storage.db import Database
from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    AvitoState,
    BotStatus,
    ClientBot,
    Dialog,
    Direction,
    Message,
    Origin,
    TgState,
    Workspace,
)
from tuberry.storage.repos import DialogRepo, WorkspaceRepo


async def _dialog(database: Database, language: str | None = "en") -> Dialog:
    """A dialog of an account bound to a bot in a group, in the workspace of an owner who chose `language`."""
    async with database.session() as session:
        membership = await WorkspaceRepo(session).ensure_owner(7, "Ольга", language)
        bot = ClientBot(
            workspace_id=membership.workspace.id,
            telegram_bot_id=70,
            token="70:token",
            username="shop_bot",
            group_chat_id=-1007,
            webhook_secret="hook",
        )
        session.add(bot)
        await session.flush()
        account = AvitoAccount(
            workspace_id=membership.workspace.id,
            bot_id=bot.id,
            client_id="client",
            client_secret="secret",
            avito_user_id=100,
            webhook_secret="hook",
        )
        session.add(account)
        await session.flush()
        dialog = Dialog(account_id=account.id, avito_chat_id="u2i-1", read_pending=True, topic_id=5)
        other = Dialog(account_id=account.id, avito_chat_id="u2i-2")
        session.add_all([dialog, other])
        await session.flush()
        for row, avito_id in [(dialog, "a1"), (dialog, "a2"), (other, "a3")]:
            session.add(
                Message(
                    dialog_id=row.id,
                    direction=Direction.IN,
                    origin=Origin.AVITO,
                    kind="text",
                    avito_message_id=avito_id,
                    tg_state=TgState.PENDING,
                    avito_state=AvitoState.RECEIVED,
                )
            )
        await session.commit()
        return dialog


async def test_a_chat_with_the_ids_it_has_stored(database: Database) -> None:
    stored_dialog = await _dialog(database)
    account_id = stored_dialog.account_id
    async with database.session() as session:
        dialogs = DialogRepo(session)
        dialog, stored = await dialogs.by_chat_knowing(account_id, "u2i-1", ["a1", "a3", "new"])
        assert dialog is not None and dialog.id == stored_dialog.id
        assert stored == {"a1"}  # "a3" is another chat's
        dialog, stored = await dialogs.by_chat_knowing(account_id, "u2i-1", [])
        assert dialog is not None and stored == set()
        assert await dialogs.by_chat_knowing(account_id, "u2i-9", ["a1"]) == (None, set())


async def test_a_delivery_context_is_the_topic_target_with_its_rows(database: Database) -> None:
    dialog_id = (await _dialog(database)).id
    async with database.session() as session:
        dialogs = DialogRepo(session)
        context = await dialogs.delivery_context(dialog_id)
        assert context is not None
        assert context.target == await dialogs.topic_target(dialog_id)
        assert context.target.chat_id == -1007 and context.target.read_pending
        assert context.dialog.id == dialog_id and context.account.avito_user_id == 100
        assert context.workspace.owner_telegram_id == 7 and context.owner_language == "en"
        assert await dialogs.delivery_context(dialog_id + 100) is None


async def test_no_delivery_context_while_the_messages_must_wait(database: Database) -> None:
    dialog_id = (await _dialog(database, language=None)).id
    async with database.session() as session:
        context = await DialogRepo(session).delivery_context(dialog_id)
        assert context is not None and context.owner_language is None
    holds = [
        (AvitoAccount, "status", AccountStatus.PAUSED),
        (AvitoAccount, "bot_id", None),
        (ClientBot, "status", BotStatus.DISABLED),
        (ClientBot, "group_chat_id", None),
        (Workspace, "blocked", True),
    ]
    for model, column, held in holds:
        async with database.session() as session:
            row = (await session.scalars(select(model))).one()
            free = getattr(row, column)
            setattr(row, column, held)
            await session.commit()
            dialogs = DialogRepo(session)
            assert await dialogs.topic_target(dialog_id) is None, column
            assert await dialogs.delivery_context(dialog_id) is None, column
            setattr(row, column, free)
            await session.commit()
            assert await dialogs.delivery_context(dialog_id) is not None, column
