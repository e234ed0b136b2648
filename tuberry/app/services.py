"""What handlers, dialogs and jobs are given: the long-lived services, built by `bot.composition`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from aiogram import Bot

from tuberry.avito import AvitoClient
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount
from tuberry.storage.queue import JobQueue
from tuberry.telegram.bot_factory import BotFactory


class Receivers(Protocol):
    """Starts and stops receiving updates for client bots at run time."""

    async def start(self, bot_id: int) -> None: ...

    async def stop(self, bot_id: int) -> None: ...


class AvitoSubscriptions(Protocol):
    """Keeps an account's Avito webhook subscription in line with its state (only when PUBLIC_URL is set).

    Both calls return at once and work in the background; failures are retried by the periodic sync.
    """

    def refresh(self, account_id: int) -> None:
        """The account was added, paused, resumed or relinked: subscribe or unsubscribe it now."""

    def release(self, account: AvitoAccount) -> None:
        """The account is being removed: unsubscribe it with its credentials, taken before they are wiped."""


@dataclass(frozen=True)
class Config:
    """The settings that behaviour depends on (the entry points read the environment)."""

    admin_ids: frozenset[int] = frozenset()
    public_url: str = ""
    avito_poll_interval: float = 10.0
    auto_reply_delay: float = 75.0
    redis_prefix: str = "tuberry"

    @property
    def poll_interval(self) -> float:
        """Seconds between polls of one account. With webhooks (PUBLIC_URL) polling only reconciles what a
        webhook may have missed (Avito promises no delivery, API-NOTES §4.6), so it runs six times slower,
        at least a minute apart."""
        if self.public_url:
            return max(6 * self.avito_poll_interval, 60.0)
        return self.avito_poll_interval


@dataclass
class Services:
    db: Database
    queue: JobQueue
    avito: AvitoClient
    bots: BotFactory
    config: Config = field(default_factory=Config)
    master: Bot | None = None  # the master bot, for telling owners what needs them
    receivers: Receivers | None = None
    avito_subscriptions: AvitoSubscriptions | None = None
    master_username: str = ""
