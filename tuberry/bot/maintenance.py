"""Operator commands: `tuberry check` and `tuberry rotate-key`."""

from __future__ import annotations

import httpx
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from redis.asyncio import Redis
from sqlalchemy import select, text, update

from tuberry.bot.bootstrap import install_secret_key
from tuberry.bot.settings import Settings
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, ClientBot


async def check(settings: Settings) -> int:
    """Print one line per dependency; the exit code is the number of problems."""
    problems = 0

    def report(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        print(f"{'OK  ' if ok else 'FAIL'} {what}: {detail}")

    try:
        install_secret_key(settings)
        report(
            True,
            "SECRET_KEY",
            "set" if settings.secret_key else "generated key file beside the SQLite database",
        )
    except crypto.SecretKeyError as exc:
        report(False, "SECRET_KEY", str(exc))
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            revision = await session.scalar(text("SELECT version_num FROM alembic_version"))
        report(True, "database", f"reachable, revision {revision}")
    except Exception as exc:
        report(
            False, "database", f"{exc.__class__.__name__}: {exc} (run `tuberry migrate` on a new database)"
        )
    finally:
        await db.dispose()
    try:
        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=5)
        try:
            await redis.ping()
        finally:
            await redis.aclose()
        report(True, "Redis", settings.redis_url.rsplit("@", 1)[-1])
    except Exception as exc:
        report(False, "Redis", f"{exc.__class__.__name__}: {exc}")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    try:
        me = await Bot(settings.master_bot_token.get_secret_value(), session=session).get_me()
        report(True, "Telegram", f"master bot @{me.username}")
    except Exception as exc:
        report(False, "Telegram", f"MASTER_BOT_TOKEN rejected or API unreachable: {exc.__class__.__name__}")
    finally:
        await session.close()
    try:
        async with httpx.AsyncClient(base_url=settings.avito_api_base, timeout=10) as http:
            response = await http.post("/token", data={"grant_type": "client_credentials"})
        report(response.status_code < 500, "Avito", f"API answered {response.status_code}")
    except httpx.HTTPError as exc:
        report(False, "Avito", f"unreachable: {exc.__class__.__name__}")
    return problems


async def rotate_keys(settings: Settings) -> int:
    """Re-encrypt every stored secret with the newest key (SECRET_KEY="new,old")."""
    install_secret_key(settings)
    db = Database(settings.database_url)
    count = 0
    try:
        async with db.session() as session:
            for model, columns in (
                (ClientBot, ("token",)),
                (AvitoAccount, ("client_secret", "access_token")),
            ):
                table = model.__table__
                for column in columns:
                    # Reading decrypts with any key of the ring; writing encrypts with the newest one.
                    rows = await session.execute(select(table.c.id, table.c[column]))
                    for row_id, secret in rows.all():
                        if secret is None:
                            continue
                        await session.execute(
                            update(table).where(table.c.id == row_id).values({column: secret})
                        )
                        count += 1
            await session.commit()
    finally:
        await db.dispose()
    return count
