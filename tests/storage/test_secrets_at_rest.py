"""Tokens and Avito secrets never reach the database in clear, and keys can be rotated."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy import select, text

from tests.conftest import TEST_KEY
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, ClientBot
from tuberry.storage.repos import WorkspaceRepo

BOT_TOKEN = "1234567890:AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw"
CLIENT_SECRET = "very-secret-client-secret-value"
ACCESS_TOKEN = "s2aA-access-token-for-avito-messenger-E"


async def _seed(db: Database) -> None:
    async with db.session() as session:
        workspace = (await WorkspaceRepo(session).ensure_owner(42, "Ольга")).workspace
        bot = ClientBot(
            workspace_id=workspace.id,
            telegram_bot_id=1234567890,
            token=BOT_TOKEN,
            username="b",
            webhook_secret="s",
        )
        session.add(bot)
        await session.flush()
        session.add(
            AvitoAccount(
                workspace_id=workspace.id,
                bot_id=bot.id,
                client_id="cid",
                client_secret=CLIENT_SECRET,
                access_token=ACCESS_TOKEN,
                avito_user_id=777,
                webhook_secret="s",
            )
        )
        await session.commit()


async def _raw_dump(db: Database) -> str:
    async with db.session() as session:
        rows = []
        for table in ("bots", "avito_accounts"):
            rows += [str(tuple(row)) for row in await session.execute(text(f"SELECT * FROM {table}"))]
    return "\n".join(rows)


async def test_database_holds_no_secret_in_clear(database: Database) -> None:
    await _seed(database)
    dump = await _raw_dump(database)
    for secret in (BOT_TOKEN, CLIENT_SECRET, ACCESS_TOKEN):
        assert secret not in dump
    async with database.session() as session:  # the ORM reads them back in clear
        account = (await session.execute(select(AvitoAccount))).scalar_one()
        assert account.client_secret == CLIENT_SECRET and account.access_token == ACCESS_TOKEN


async def test_rotation_keeps_old_rows_readable_and_rewrites_them_with_the_new_key(
    database: Database,
) -> None:
    await _seed(database)
    new_key = Fernet.generate_key().decode()
    try:
        crypto.install_keys([new_key, TEST_KEY])
        from tuberry.bot.maintenance import rotate_keys
        from tuberry.bot.settings import Settings

        settings = Settings(
            master_bot_token="1:x", database_url=database.url, secret_key=f"{new_key},{TEST_KEY}"
        )
        assert await rotate_keys(settings) == 3
        crypto.install_keys([new_key])  # the old key is gone: everything still decrypts
        async with database.session() as session:
            bot = (await session.execute(select(ClientBot))).scalar_one()
            assert bot.token == BOT_TOKEN
    finally:
        crypto.install_keys([TEST_KEY])
