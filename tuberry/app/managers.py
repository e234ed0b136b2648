"""Who may answer buyers: a bot's list of managers (empty: every member of its group relays).

Shared by the cabinet (the list, remove, allow everyone) and the client bots (`/manager` in reply,
`/managers`); how a list reads is in `bot.common.manager_texts`. Every change takes the bot of the given
workspace only, happens in one transaction with the row locked (PostgreSQL; SQLite serialises writers
anyway) and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.app.services import Services
from tuberry.storage.models import BotStatus, ClientBot
from tuberry.storage.repos import AuditRepo

NAME_LIMIT = 64


@dataclass(frozen=True)
class Manager:
    user_id: int
    name: str  # as last seen in the group; empty when never seen (e.g. listed before names were kept)


class Change(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # listed before: only the name is refreshed
    REMOVED = "removed"
    NOT_LISTED = "not_listed"
    CLEARED = "cleared"


@dataclass(frozen=True)
class Outcome:
    change: Change
    name: str = ""  # the manager concerned, as stored (or as given, when not listed)
    left: int = 0  # managers listed after the change; 0 means every member relays again


def display_name(full_name: str, username: str | None) -> str:
    """`Максим Петров (@max)`, cut to what we store."""
    name = " ".join(full_name.split())
    if username:
        name = f"{name} (@{username})" if name else f"@{username}"
    return name[:NAME_LIMIT]


def managers_of(row: ClientBot) -> list[Manager]:
    names = row.manager_names or {}
    return [Manager(int(user_id), names.get(str(user_id), "")) for user_id in row.manager_ids or []]


async def _locked(session: AsyncSession, workspace_id: int, bot_id: int) -> ClientBot | None:
    return await session.scalar(
        select(ClientBot)
        .where(
            ClientBot.id == bot_id,
            ClientBot.workspace_id == workspace_id,
            ClientBot.status != BotStatus.REMOVED,
        )
        .with_for_update()
    )


async def add_manager(
    services: Services, workspace_id: int, bot_id: int, actor_id: int, user_id: int, name: str
) -> Outcome | None:
    """List `user_id` as a manager of the bot (or refresh their name); None when the bot is not ours."""
    name = name[:NAME_LIMIT]
    async with services.db.session() as session:
        row = await _locked(session, workspace_id, bot_id)
        if row is None:
            return None
        ids = [int(i) for i in row.manager_ids or []]
        names = dict(row.manager_names or {})
        change = Change.ALREADY if user_id in ids else Change.ADDED
        if change is Change.ADDED:
            row.manager_ids = [*ids, user_id]  # a new list: SQLAlchemy sees JSON changes by assignment only
            AuditRepo(session).record(
                workspace_id, actor_id, "bot.managers.add", bot_id=bot_id, user_id=user_id, name=name
            )
        if name and names.get(str(user_id)) != name:
            row.manager_names = {**names, str(user_id): name}
        await session.commit()
        return Outcome(change, name or names.get(str(user_id), ""), len(row.manager_ids))


async def remove_manager(
    services: Services, workspace_id: int, bot_id: int, actor_id: int, user_id: int, name: str = ""
) -> Outcome | None:
    """Take `user_id` off the list; None when the bot is not ours.

    Removing the last one makes the list empty: every member relays again (callers say so).
    """
    async with services.db.session() as session:
        row = await _locked(session, workspace_id, bot_id)
        if row is None:
            return None
        ids = [int(i) for i in row.manager_ids or []]
        names = dict(row.manager_names or {})
        if user_id not in ids:
            return Outcome(Change.NOT_LISTED, name[:NAME_LIMIT], len(ids))
        known = names.pop(str(user_id), "") or name[:NAME_LIMIT]
        row.manager_ids = [i for i in ids if i != user_id]
        row.manager_names = names
        AuditRepo(session).record(
            workspace_id, actor_id, "bot.managers.remove", bot_id=bot_id, user_id=user_id, name=known
        )
        await session.commit()
        return Outcome(Change.REMOVED, known, len(row.manager_ids))


async def clear_managers(services: Services, workspace_id: int, bot_id: int, actor_id: int) -> Outcome | None:
    """Every member of the group relays again; None when the bot is not ours."""
    async with services.db.session() as session:
        row = await _locked(session, workspace_id, bot_id)
        if row is None:
            return None
        before = [int(i) for i in row.manager_ids or []]
        if before:  # a stale confirmation of an empty list changes nothing
            row.manager_ids = []
            row.manager_names = {}
            AuditRepo(session).record(
                workspace_id, actor_id, "bot.managers.clear", bot_id=bot_id, user_ids=before
            )
            await session.commit()
        return Outcome(Change.CLEARED, left=0)
