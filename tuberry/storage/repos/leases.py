"""Leases: which worker works on a dialog or an account, decided by the database, expiring on their own.

Each call is its own short transaction on its own session (other workers must see the lease at once), so
unlike the other repositories this one commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from tuberry.storage.db import Database
from tuberry.storage.models import Lease
from tuberry.storage.repos.upsert import insert


class LeaseRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def acquire(self, name: str, holder: str, now: datetime, ttl: timedelta) -> datetime | None:
        """Take the lease if it is free or expired; None when taken, else when it is held by someone else
        until (the caller waits that long).

        One statement whether the row exists or not (every job run takes a lease, so this is on the hot
        path): the INSERT creates it, or its ON CONFLICT branch takes it over when it lapsed or is ours. It is
        atomic on both backends, so of two workers one gets the row back and the other nothing.
        """
        async with self.db.session() as session:
            statement = insert(session, Lease).values(name=name, holder=holder, expires_at=now + ttl)
            statement = statement.on_conflict_do_update(
                index_elements=[Lease.name],
                set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
                where=(Lease.expires_at <= now) | (Lease.holder == holder),
            ).returning(Lease.name)
            if (await session.execute(statement)).first() is not None:
                await session.commit()
                return None
            held_until = await session.scalar(select(Lease.expires_at).where(Lease.name == name))
            await session.commit()
            return held_until or now  # released between the two statements: free now, look again soon

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
