"""Recording what was already done outside (a post Telegram accepted) rides out a short database outage, and
only that: a refused statement is not retried."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from tuberry.storage.db import durably


def _outage() -> OperationalError:
    return OperationalError("INSERT …", {}, ConnectionRefusedError("connection refused"))


async def test_a_write_waits_out_a_short_outage() -> None:
    attempts: list[int] = []

    async def write() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise _outage()
        return "stored"

    assert await durably(write, within=5) == "stored"
    assert len(attempts) == 3


async def test_a_refused_statement_is_not_retried() -> None:
    attempts: list[int] = []

    async def write() -> None:
        attempts.append(1)
        raise IntegrityError("INSERT …", {}, ValueError("duplicate key"))

    with pytest.raises(IntegrityError):
        await durably(write, within=5)
    assert len(attempts) == 1


async def test_a_long_outage_is_given_up_within_the_bound() -> None:
    async def write() -> None:
        raise _outage()

    with pytest.raises(OperationalError):
        await durably(write, within=0.5)
