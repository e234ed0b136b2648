"""Composition root: storage, Redis, the master and client dispatchers (long polling, or webhooks when
PUBLIC_URL is set), the worker, the HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from arq.connections import RedisSettings
from arq.worker import Worker

from tuberry.app.services import Config, Services
from tuberry.avito import AvitoClient
from tuberry.bot import startup
from tuberry.bot.avito_webhooks import AvitoWebhooks
from tuberry.bot.bootstrap import migrate, reach_database
from tuberry.bot.client import build_client_dispatcher
from tuberry.bot.master import setup_master
from tuberry.bot.receivers import PollingReceivers
from tuberry.bot.settings import Settings
from tuberry.bot.web import Route, build_web_app, start_web
from tuberry.bot.webhooks import WebhookReceivers
from tuberry.jobs.worker import build_worker, run_worker
from tuberry.storage import queue
from tuberry.storage.db import Database
from tuberry.telegram.bots import BotFactory

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def open_services(settings: Settings, redis_url: str | None = None) -> AsyncIterator[Services]:
    redis = await queue.connect(redis_url or settings.redis_url)
    db = Database(settings.database_url)
    avito = AvitoClient(settings.avito_api_base)
    bots = BotFactory(settings.telegram_api_base)
    config = Config(
        admin_ids=settings.admin_ids,
        public_url=settings.public_url,
        avito_poll_interval=settings.avito_poll_interval,
        auto_reply_delay=settings.auto_reply_delay,
        redis_prefix=settings.redis_prefix,
    )
    services = Services(
        db=db,
        queue=queue.JobQueue(redis, settings.redis_prefix),
        avito=avito,
        bots=bots,
        config=config,
        master=bots.get(settings.master_bot_token.get_secret_value()),
    )
    try:
        yield services
    finally:
        await bots.close()
        await avito.aclose()
        await db.dispose()
        await redis.aclose()


def build_master(settings: Settings, services: Services) -> tuple[Bot, Dispatcher]:
    storage = RedisStorage(
        services.queue.redis,
        key_builder=DefaultKeyBuilder(
            prefix=f"{settings.redis_prefix}:fsm", with_bot_id=True, with_destiny=True
        ),
    )
    # Redis locks too, so that two `tuberry bot` processes never handle one user's updates at once.
    dp = Dispatcher(storage=storage, events_isolation=storage.create_isolation())
    dp["services"] = services
    setup_master(dp)
    assert services.master is not None
    return services.master, dp


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


async def _serve(settings: Settings, redis_url: str, *, bots: bool, worker: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_services(settings, redis_url) as services:
        tasks: list[asyncio.Task[object]] = []
        routes: list[Route] = []
        receivers: PollingReceivers | WebhookReceivers | None = None
        avito_webhooks: AvitoWebhooks | None = None
        if bots:
            # The master bot long-polls in both modes: only client bots get webhook URLs (SPEC §2, §4).
            master_bot, master_dp = build_master(settings, services)
            services.master_username = await startup.master_username(master_bot, settings)
            client_dp = build_client_dispatcher(services)
            if settings.public_url:
                receivers = WebhookReceivers(
                    services.db, services.bots, client_dp, public_url=settings.public_url
                )
                avito_webhooks = AvitoWebhooks(services)
                services.avito_subscriptions = avito_webhooks
                routes += receivers.routes() + avito_webhooks.routes()
            else:
                receivers = PollingReceivers(services.db, services.bots, client_dp)
            services.receivers = receivers
        # Several `tuberry worker`s often share a host: they serve HTTP only when given a port of their own.
        serve_http = bots or "http_port" in settings.model_fields_set
        # Listening before any webhook is set: Telegram delivers pending updates as soon as it is.
        web_runner = (
            await start_web(build_web_app(services, routes), settings.http_host, settings.http_port)
            if serve_http
            else None
        )
        if bots:
            assert receivers is not None
            tasks.append(asyncio.create_task(receivers.run_sync_loop(), name="client-bots"))
            if avito_webhooks is not None:
                tasks.append(asyncio.create_task(avito_webhooks.run_sync_loop(), name="avito-webhooks"))
            tasks.append(
                asyncio.create_task(
                    master_dp.start_polling(master_bot, handle_signals=False, close_bot_session=False),
                    name="master-bot",
                )
            )
            mode = "webhooks" if settings.public_url else "long polling"
            log.info("master bot @%s is polling; client bots use %s", services.master_username, mode)
        if worker:
            worker_settings = RedisSettings.from_dsn(redis_url)

            def new_worker() -> Worker:
                return build_worker(
                    services,
                    worker_settings,
                    group_rate=settings.telegram_group_rate,
                    bot_rate=settings.telegram_bot_rate,
                )

            tasks.append(asyncio.create_task(run_worker(new_worker), name="worker"))
            log.info("worker is running on queue %s", services.queue.name)
        waiter = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not waiter and task.exception() is not None:
                log.error("%s stopped: %r", task.get_name(), task.exception())
        log.info("shutting down")
        if receivers is not None:
            await receivers.close()
        if avito_webhooks is not None:
            await avito_webhooks.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if web_runner is not None:
            await web_runner.cleanup()
