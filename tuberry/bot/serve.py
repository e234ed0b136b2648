"""The `tuberry` process: storage, Redis, the master and client dispatchers (long polling, or webhooks when
PUBLIC_URL is set), the worker, the HTTP server; built by `bot.composition`, run until a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiogram import Bot, Dispatcher

from tuberry.app.services import Config, Services
from tuberry.bot import startup
from tuberry.bot.avito_webhooks import AvitoWebhooks
from tuberry.bot.bootstrap import migrate, reach_database
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.composition import (
    build_avito_webhooks,
    build_master,
    build_receivers,
    open_services,
    worker_factory,
)
from tuberry.bot.receivers import PollingReceivers
from tuberry.bot.settings import Settings
from tuberry.bot.web import Route, build_web_app, start_web
from tuberry.bot.webhooks import WebhookReceivers
from tuberry.jobs.worker import run_worker
from tuberry.storage.db import Database

log = logging.getLogger(__name__)


async def serve(settings: Settings, *, bots: bool = True, worker: bool = True) -> None:
    """Run until SIGINT/SIGTERM: `tuberry run` (both), `tuberry bot`, `tuberry worker`.

    A start that cannot succeed raises `bootstrap.StartupError` with the one line to show."""
    startup.secret_key(settings)
    startup.check_master_token(settings)
    await reach_database(settings)
    await migrate(settings)
    await startup.check_stored_secrets(settings)
    redis_url, embedded = await startup.choose_redis(settings, may_embed=bots and worker)
    try:
        await _serve(settings, redis_url, bots=bots, worker=worker)
    finally:
        if embedded is not None:
            embedded.stop()


def config_from(settings: Settings) -> Config:
    """The settings that behaviour depends on."""
    return Config(
        admin_ids=settings.admin_ids,
        public_url=settings.public_url,
        avito_poll_interval=settings.avito_poll_interval,
        auto_reply_delay=settings.auto_reply_delay,
        redis_prefix=settings.redis_prefix,
    )


@contextlib.asynccontextmanager
async def services_from_settings(settings: Settings, redis_url: str) -> AsyncIterator[Services]:
    """The services of a `tuberry` process, with the database of DATABASE_URL (disposed of on exit)."""
    db = Database(settings.database_url)
    try:
        async with open_services(
            db,
            redis_url,
            config_from(settings),
            telegram_api_base=settings.telegram_api_base,
            avito_api_base=settings.avito_api_base,
            master_token=settings.master_bot_token.get_secret_value(),
        ) as services:
            yield services
    finally:
        await db.dispose()


@dataclass
class _BotSide:
    """The master bot, the client bots' receivers and, with PUBLIC_URL, Avito webhooks."""

    master_bot: Bot
    master_dp: Dispatcher
    receivers: PollingReceivers | WebhookReceivers
    avito_webhooks: AvitoWebhooks | None

    def routes(self) -> list[Route]:
        routes = self.receivers.routes() if isinstance(self.receivers, WebhookReceivers) else []
        return routes + (self.avito_webhooks.routes() if self.avito_webhooks is not None else [])

    def start(self) -> list[asyncio.Task[object]]:
        tasks: list[asyncio.Task[object]] = [
            asyncio.create_task(self.receivers.run_sync_loop(), name="client-bots")
        ]
        if self.avito_webhooks is not None:
            tasks.append(asyncio.create_task(self.avito_webhooks.run_sync_loop(), name="avito-webhooks"))
        polling = self.master_dp.start_polling(self.master_bot, handle_signals=False, close_bot_session=False)
        tasks.append(asyncio.create_task(polling, name="master-bot"))
        return tasks

    async def close(self) -> None:
        await self.receivers.close()
        if self.avito_webhooks is not None:
            await self.avito_webhooks.close()


async def _bot_side(settings: Settings, services: Services) -> _BotSide:
    # The master bot long-polls in both modes: only client bots get webhook URLs (SPEC §2, §4).
    master_bot, master_dp = build_master(services)
    services.master_username = await startup.master_username(master_bot, settings)
    receivers = build_receivers(services, build_client_dispatcher(services))
    return _BotSide(master_bot, master_dp, receivers, build_avito_webhooks(services))


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def _serve(settings: Settings, redis_url: str, *, bots: bool, worker: bool) -> None:
    stop = _stop_on_signals()
    async with services_from_settings(settings, redis_url) as services:
        tasks: list[asyncio.Task[object]] = []
        bot_side = await _bot_side(settings, services) if bots else None
        # Several `tuberry worker`s often share a host: they serve HTTP only when given a port of their own.
        serve_http = bots or "http_port" in settings.model_fields_set
        # Listening before any webhook is set: Telegram delivers pending updates as soon as it is.
        routes = bot_side.routes() if bot_side is not None else []
        web_runner = (
            await start_web(build_web_app(services, routes), settings.http_host, settings.http_port)
            if serve_http
            else None
        )
        if bot_side is not None:
            tasks += bot_side.start()
            mode = "webhooks" if settings.public_url else "long polling"
            log.info("master bot @%s is polling; client bots use %s", services.master_username, mode)
        if worker:
            rates = {"group_rate": settings.telegram_group_rate, "bot_rate": settings.telegram_bot_rate}
            new_worker = worker_factory(services, redis_url, **rates)
            tasks.append(asyncio.create_task(run_worker(new_worker), name="worker"))
            log.info("worker is running on queue %s", services.queue.name)
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                log.error("%s stopped: %r", task.get_name(), task.exception())
        log.info("shutting down")
        if bot_side is not None:
            await bot_side.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if web_runner is not None:
            await web_runner.cleanup()
