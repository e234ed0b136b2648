"""Process configuration: the environment variables of SPEC section 2, read once by the entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Tuberry reads. Only `bot.cli` and `bot.serve` see this class; the rest gets arguments."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    master_bot_token: SecretStr
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    database_url: str = "sqlite+aiosqlite:///./tuberry.db"
    redis_url: str = "redis://localhost:6379/0"
    secret_key: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    avito_api_base: str = "https://api.avito.ru"
    public_url: str = ""
    http_host: str = "0.0.0.0"
    http_port: int = 8080
    avito_poll_interval: float = Field(10.0, gt=0)
    auto_reply_delay: float = Field(75.0, ge=0)
    telegram_group_rate: float = Field(20.0, ge=0)
    telegram_bot_rate: float = Field(30.0, ge=0)
    log_level: str = "INFO"
    # How long a start waits for the database, Redis and Telegram to answer (services start in any order).
    startup_retry_seconds: float = Field(25.0, ge=0)
    # Not in the public contract: lets several installations (or test runs) share one Redis.
    redis_prefix: str = "tuberry"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("public_url", "telegram_api_base", "avito_api_base")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.strip().rstrip("/")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of a SQLite URL, or None for memory or other databases."""
        if not self.is_sqlite:
            return None
        _, _, rest = self.database_url.partition(":///")
        if not rest or rest.startswith(":memory:"):
            return None
        return Path(rest.split("?", 1)[0])
