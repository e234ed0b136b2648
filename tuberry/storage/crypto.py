"""Encryption at rest: secrets are Fernet tokens in their columns, under a rotatable key ring.

The key ring is process-wide because SQLAlchemy column types are created at import time while the keys are
only known once settings are read; entry points call `install_keys` before touching the database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String, TypeDecorator
from sqlalchemy.engine import Dialect

log = logging.getLogger(__name__)


class SecretKeyError(RuntimeError):
    """SECRET_KEY is missing or malformed; the message says what to do."""


class _KeyRing:
    def __init__(self) -> None:
        self._fernet: MultiFernet | None = None

    def install(self, keys: Sequence[str]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys if key.strip()])
        except (ValueError, TypeError) as exc:
            raise SecretKeyError(
                "SECRET_KEY must be one or more Fernet keys (32 url-safe base64 bytes), comma-separated, "
                "newest first. Generate one with: "
                'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
            ) from exc

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            raise SecretKeyError("encryption keys are not installed: call install_keys() at start-up")
        return self._fernet


_ring = _KeyRing()


def parse_keys(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def install_keys(keys: Sequence[str]) -> None:
    """Use these Fernet keys (newest first) for every encrypted column of this process."""
    if not keys:
        raise SecretKeyError("SECRET_KEY is empty")
    _ring.install(keys)


def encrypt(value: str) -> str:
    return _ring.fernet.encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    try:
        return _ring.fernet.decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise SecretKeyError(
            "a stored secret cannot be decrypted with SECRET_KEY: was the key replaced instead of rotated? "
            "Put the new key first and keep the old one after a comma."
        ) from exc


def rotate(value: str) -> str:
    """Re-encrypt a stored token with the newest key."""
    return _ring.fernet.rotate(value.encode()).decode()


def key_file_for(database_file: Path) -> Path:
    return database_file.with_name(database_file.name + ".secret-key")


def load_or_create_local_key(database_file: Path) -> str:
    """For a single-process SQLite set-up without SECRET_KEY: a generated key kept beside the database."""
    path = key_file_for(database_file)
    if path.exists():
        key = path.read_text().strip()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key().decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
    log.warning(
        "!!! SECRET_KEY is not set: secrets are encrypted with the generated key in %s. "
        "Back this file up with the database, or set SECRET_KEY; losing it loses every stored token. !!!",
        path,
    )
    return key


class EncryptedString(TypeDecorator[str]):
    """A string column whose value is stored as a Fernet token; the database never sees the clear text."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)
