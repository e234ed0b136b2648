"""The builders of the composition root: the services from URLs, the master bot and its dispatcher, the client
bots' receivers, Avito webhooks and the worker. `bot.serve` builds a process from the settings with them; the
tests and `bench/` build the same pieces against the fake servers, with a database and a Redis prefix of
their own."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from arq.worker import Worker

from tuberry.app.services import Config, Services
from tuberry.avito import AvitoClient
from tuberry.bot.avito_webhooks import RECHECK, AvitoWebhooks
from tuberry.bot.master import setup_master
from tuberry.bot.receivers import POLL_TIMEOUT, PollingReceivers
from tuberry.bot.webhooks import WebhookReceivers
from tuberry.jobs.worker import build_worker
from tuberry.storage import queue
from tuberry.storage.db import Database
from tuberry.telegram.bot_factory import BotFactory


@contextlib.asynccontextmanager
async def open_services(
    db: Database,
    redis_url: str,
    config: Config,
    *,
    telegram_api_base: str,
    avito_api_base: str,
    master_token: str | None = None,
    queue_type: type[queue.JobQueue] = queue.JobQueue,
) -> AsyncIterator[Services]:
    """The long-lived services around `db`, which stays the caller's to dispose of. On exit the bots' HTTP
    sessions, the Avito client and the Redis connection are closed. Without `master_token` there is no master
    bot to tell owners what needs them."""
    redis = await queue.connect(redis_url)
    avito = AvitoClient(avito_api_base)
    bots = BotFactory(telegram_api_base)
    services = Services(
        db=db,
        queue=queue_type(redis, config.redis_prefix),
        avito=avito,
        bots=bots,
        config=config,
        master=bots.get(master_token) if master_token else None,
    )
    try:
        yield services
    finally:
        await bots.close()
        await avito.aclose()
        await redis.aclose()


def build_master(
    services: Services, *, dispatcher_type: type[Dispatcher] = Dispatcher
) -> tuple[Bot, Dispatcher]:
    """The master bot and the cabinet's dispatcher, its FSM and dialog state in Redis under the prefix."""
    if services.master is None:
        raise ValueError("the services were opened without a master bot token")
    storage = RedisStorage(
        services.queue.redis,
        key_builder=DefaultKeyBuilder(
            prefix=f"{services.config.redis_prefix}:fsm", with_bot_id=True, with_destiny=True
        ),
    )
    # Redis locks too, so that two `tuberry bot` processes never handle one user's updates at once.
    dp = dispatcher_type(storage=storage, events_isolation=storage.create_isolation())
    dp["services"] = services
    setup_master(dp)
    return services.master, dp


def build_receivers(
    services: Services, dispatcher: Dispatcher, *, poll_timeout: int = POLL_TIMEOUT
) -> PollingReceivers | WebhookReceivers:
    """The client bots' receivers: webhooks when PUBLIC_URL is set, long polling otherwise. They become
    `services.receivers`, through which the cabinet starts and stops bots."""
    receivers: PollingReceivers | WebhookReceivers
    if services.config.public_url:
        receivers = WebhookReceivers(
            services.db, services.bots, dispatcher, public_url=services.config.public_url
        )
    else:
        receivers = PollingReceivers(services.db, services.bots, dispatcher, poll_timeout=poll_timeout)
    services.receivers = receivers
    return receivers


def build_avito_webhooks(services: Services, *, recheck: float = RECHECK) -> AvitoWebhooks | None:
    """Avito webhooks when PUBLIC_URL is set (None otherwise). They become `services.avito_subscriptions`,
    through which the cabinet subscribes and unsubscribes accounts."""
    if not services.config.public_url:
        return None
    webhooks = AvitoWebhooks(services, recheck=recheck)
    services.avito_subscriptions = webhooks
    return webhooks


def worker_factory(
    services: Services, redis_url: str, *, group_rate: float, bot_rate: float
) -> Callable[[], Worker]:
    """Builds a new worker sharing `services` at every call (`run_worker` builds another after a crash)."""
    settings = queue.redis_settings(redis_url)

    def new_worker() -> Worker:
        return build_worker(services, settings, group_rate=group_rate, bot_rate=bot_rate)

    return new_worker
