"""Waiting-alert settings of one workspace: on/off and the threshold in minutes, each change audited.

The alerts themselves are jobs/waiting_alerts.py; working hours are the auto-reply schedule's.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuberry.app.services import Services
from tuberry.storage.models import Workspace
from tuberry.storage.repos import AuditRepo, WorkspaceRepo

MIN_MINUTES, MAX_MINUTES = 1, 24 * 60
CHOICES = (5, 15, 30, 60)  # the cabinet's buttons; any whole number in the range can be typed


@dataclass(frozen=True)
class WaitingSettings:
    enabled: bool
    minutes: int


def settings_of(workspace: Workspace) -> WaitingSettings:
    return WaitingSettings(workspace.waiting_alerts_enabled, workspace.waiting_alert_minutes)


async def load(services: Services, workspace_id: int) -> WaitingSettings | None:
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        return None if workspace is None else settings_of(workspace)


async def set_enabled(
    services: Services, workspace_id: int, actor_id: int, enabled: bool
) -> WaitingSettings | None:
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        if workspace is None:
            return None
        workspace.waiting_alerts_enabled = enabled
        AuditRepo(session).record(workspace_id, actor_id, "waiting.enable" if enabled else "waiting.disable")
        settings = settings_of(workspace)
        await session.commit()
        return settings


async def set_minutes(
    services: Services, workspace_id: int, actor_id: int, minutes: int
) -> WaitingSettings | None:
    """The threshold (MIN_MINUTES..MAX_MINUTES, checked by the caller: `valid_minutes`)."""
    if not valid_minutes(minutes):
        raise ValueError(f"minutes out of range: {minutes}")
    async with services.db.session() as session:
        workspace = await WorkspaceRepo(session).get(workspace_id)
        if workspace is None:
            return None
        workspace.waiting_alert_minutes = minutes
        AuditRepo(session).record(workspace_id, actor_id, "waiting.minutes", minutes=minutes)
        settings = settings_of(workspace)
        await session.commit()
        return settings


def valid_minutes(minutes: int) -> bool:
    return MIN_MINUTES <= minutes <= MAX_MINUTES
