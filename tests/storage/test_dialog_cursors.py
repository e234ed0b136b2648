"""The poll's lookup of stored cursors: only the chats asked for, only of this account."""

from __future__ import annotations

from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, Dialog
from tuberry.storage.repos import DialogRepo, WorkspaceRepo


async def test_cursors_of_the_chats_on_a_page(database: Database) -> None:
    async with database.session() as session:
        workspace = (await WorkspaceRepo(session).ensure_owner(1, "Ольга")).workspace
        accounts = [
            AvitoAccount(
                workspace_id=workspace.id,
                client_id=f"client-{n}",
                client_secret="secret",
                avito_user_id=100 + n,
                name=f"Магазин {n}",
                webhook_secret=f"hook-{n}",
            )
            for n in range(2)
        ]
        session.add_all(accounts)
        await session.flush()
        mine, other = accounts
        for n in range(50):
            session.add(Dialog(account_id=mine.id, avito_chat_id=f"u2i-{n}", last_message_id=f"m{n}"))
        session.add(Dialog(account_id=mine.id, avito_chat_id="u2i-new", last_message_id=None))
        session.add(Dialog(account_id=other.id, avito_chat_id="u2i-7", last_message_id="theirs"))
        await session.commit()

    async with database.session() as session:
        cursors = await DialogRepo(session).cursors(mine.id, ["u2i-3", "u2i-7", "u2i-new", "u2i-unknown"])
        assert cursors == {"u2i-3": "m3", "u2i-7": "m7", "u2i-new": None}
        assert await DialogRepo(session).cursors(mine.id, []) == {}
