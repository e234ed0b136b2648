"""Leases: which worker works on a dialog or an account, decided by the database, expiring on their own.

Each call is its own short transaction on its own session (other workers must see the lease at once), so
unlike the other repositories this one commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from tuberry.storage.db import Database
from tuberry.storage.models import Lease


class LeaseRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> datetime | None:
        """Take the lease if it is free or expired; None when taken, else when it is held by someone else
        until (the caller waits that long)."""
        async with self.db.session() as session:
            # A conditional UPDATE is atomic on SQLite and PostgreSQL: of two workers, one changes the row.
            taken = await session.execute(
                update(Lease)
                .where(Lease.name == name, (Lease.expires_at <= now) | (Lease.holder == holder))
                .values(holder=holder, expires_at=now + ttl)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                await session.commit()
                return None
            existing = await session.get(Lease, name)
            if existing is not None:
                return existing.expires_at
            session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
            try:
                await session.commit()
            except IntegrityError:  # another worker created it first
                await session.rollback()
                return now + ttl
            return None

    async def renew(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Extend a lease still held; False when it expired and someone else took it."""
        async with self.db.session() as session:
            renewed = await session.execute(
                update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=now + ttl)
            )
            await session.commit()
            return bool(renewed.rowcount == 1)  # type: ignore[attr-defined]

    async def release(self, name: str, holder: str) -> None:
        async with self.db.session() as session:
            await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
            await session.commit()
