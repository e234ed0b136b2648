"""What handlers, dialogs and jobs are given: the process's long-lived services, built by `bot.app`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from tuberry.avito import AvitoClient
from tuberry.bot.common.telegram import BotFactory
from tuberry.storage.db import Database
from tuberry.storage.queue import JobQueue


class Receivers(Protocol):
    """Starts and stops receiving updates for client bots at run time."""

    async def start(self, bot_id: int) -> None: ...

    async def stop(self, bot_id: int) -> None: ...


@dataclass(frozen=True)
class Config:
    """The settings that behaviour depends on (the entry points read the environment)."""

    admin_ids: frozenset[int] = frozenset()
    public_url: str = ""
    avito_poll_interval: float = 10.0
    auto_reply_delay: float = 75.0
    redis_prefix: str = "tuberry"


@dataclass
class Services:
    db: Database
    queue: JobQueue
    avito: AvitoClient
    bots: BotFactory
    config: Config = field(default_factory=Config)
    receivers: Receivers | None = None
    master_username: str = ""
