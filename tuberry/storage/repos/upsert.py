"""INSERT … ON CONFLICT for both backends: SQLite and PostgreSQL share the syntax, SQLAlchemy splits it by
dialect. Each dialect's module is imported by its use: the PostgreSQL one is ~2 MB a process on SQLite never
needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PgInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


def insert(session: AsyncSession, table: Any) -> PgInsert | SqliteInsert:
    """An INSERT into `table` for the session's backend, with `on_conflict_do_nothing/_update`."""
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as backend_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as backend_insert
    return backend_insert(table)
