"""Start-up checks: every way a start can fail ends in one line that says what is wrong and what to do.

Services started together (`docker compose up`, a reboot) come up in any order, so a network error at start
is retried with back-off for STARTUP_RETRY_SECONDS before the process gives up (`bootstrap.retrying`).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramNotFound, TelegramUnauthorizedError
from aiogram.utils.token import TokenValidationError, validate_token
from redis.asyncio import Redis
from redis.exceptions import AuthenticationError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import select

from tuberry.bot.bootstrap import StartupError, install_secret_key, retrying
from tuberry.bot.settings import Settings
from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount, ClientBot

if TYPE_CHECKING:
    from tuberry.bot.embedded_redis import EmbeddedRedis

log = logging.getLogger(__name__)

# SPEC §2's default REDIS_URL. Only tests change it (CI runs a Redis right there): not a setting.
DEFAULT_REDIS_URL = os.environ.get("_TUBERRY_DEFAULT_REDIS_URL", "redis://localhost:6379/0")


def secret_key(settings: Settings) -> None:
    try:
        install_secret_key(settings)
    except crypto.SecretKeyError as exc:
        raise StartupError(str(exc)) from None


def check_master_token(settings: Settings) -> None:
    try:
        validate_token(settings.master_bot_token.get_secret_value())
    except TokenValidationError:
        raise StartupError(
            "MASTER_BOT_TOKEN is malformed: a bot token looks like 123456789:AAE…; "
            "copy it again from @BotFather (/mybots → API Token)."
        ) from None


async def check_stored_secrets(settings: Settings) -> None:
    """One stored secret must decrypt with SECRET_KEY: a replaced (not rotated) key fails here, not later."""
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            for column in (ClientBot.token, AvitoAccount.client_secret):
                await session.scalar(select(column).where(column.is_not(None)).limit(1))
    except crypto.SecretKeyError as exc:
        raise StartupError(str(exc)) from None
    finally:
        await db.dispose()


async def _ping_redis(url: str) -> None:
    redis = Redis.from_url(url, socket_connect_timeout=5)
    try:
        await redis.ping()
    finally:
        await redis.aclose()


REDIS_TRANSIENT = (RedisConnectionError, RedisTimeoutError, OSError)


async def choose_redis(settings: Settings, *, may_embed: bool) -> tuple[str, EmbeddedRedis | None]:
    """The Redis to use. With REDIS_URL unset, `tuberry run` (`may_embed`) takes the default address if a
    server answers there and otherwise serves an embedded one; the split processes need a real one."""
    if "redis_url" not in settings.model_fields_set and may_embed:
        try:
            await _ping_redis(DEFAULT_REDIS_URL)
            return DEFAULT_REDIS_URL, None
        except REDIS_TRANSIENT:
            # Imported only here: fakeredis brings numpy and Lua, ~15 MB that a real Redis makes useless.
            from tuberry.bot.embedded_redis import EmbeddedRedis

            embedded = EmbeddedRedis()
            log.info(
                "REDIS_URL is not set and no Redis answers at %s: using an embedded Redis-compatible store "
                "(in memory; set REDIS_URL for production)",
                DEFAULT_REDIS_URL,
            )
            return embedded.url, embedded
    url = settings.redis_url if "redis_url" in settings.model_fields_set else DEFAULT_REDIS_URL
    where = url.rsplit("@", 1)[-1]
    try:
        await retrying("Redis", lambda: _ping_redis(url), REDIS_TRANSIENT, settings.startup_retry_seconds)
    except AuthenticationError:
        raise StartupError(f"Redis at {where} refused the password in REDIS_URL: correct it.") from None
    except REDIS_TRANSIENT as exc:
        hint = "start Redis or set REDIS_URL to a running one"
        if "redis_url" not in settings.model_fields_set:
            hint += " (only `tuberry run` starts an embedded store when REDIS_URL is not set)"
        raise StartupError(f"Redis at {where} cannot be reached ({type(exc).__name__}): {hint}.") from None
    except ResponseError as exc:
        raise StartupError(f"Redis at {where} answered with an error ({exc}): check REDIS_URL.") from None
    return url, None


async def master_username(bot: Bot, settings: Settings) -> str:
    """The master bot's @username; a revoked token or an unreachable Telegram is a one-line error."""
    try:
        me = await retrying(
            "Telegram", bot.get_me, (TelegramNetworkError, TimeoutError), settings.startup_retry_seconds
        )
    except (TelegramUnauthorizedError, TelegramNotFound):
        raise StartupError(
            "Telegram rejects MASTER_BOT_TOKEN (revoked or mistyped): "
            "take the current token from @BotFather (/mybots → API Token) and set it."
        ) from None
    except (TimeoutError, TelegramNetworkError) as exc:
        raise StartupError(
            f"Telegram is unreachable at {settings.telegram_api_base} ({type(exc).__name__}): "
            "check this machine's network, proxy or firewall, or TELEGRAM_API_BASE."
        ) from None
    return me.username or ""
