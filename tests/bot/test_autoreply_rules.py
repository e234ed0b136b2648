"""One reading of a workspace's auto-reply columns: the cabinet shows the rules the auto_reply job decides on,
also while nothing (or only part) is stored. Storage test: runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tuberry.app import autoreply_settings
from tuberry.app.autoreply_settings import default_schedule, default_text_of
from tuberry.app.i18n import translator
from tuberry.app.services import Services
from tuberry.domain.autoreply import AutoReplyMode
from tuberry.jobs.autoreply import rules_of
from tuberry.storage.db import Database
from tuberry.storage.models import Workspace
from tuberry.storage.repos import WorkspaceRepo

UNSET: dict[str, Any] = {}  # a workspace whose owner never opened the screen
PARTLY_SET: dict[str, Any] = {"auto_reply_enabled": True, "auto_reply_mode": "always"}  # no schedule, no text
UNREADABLE: dict[str, Any] = {
    "auto_reply_enabled": True,
    "auto_reply_schedule": {"timezone": "Nowhere/Atlantis"},
}
MODE_OFF: dict[str, Any] = {"auto_reply_enabled": True, "auto_reply_mode": "off"}


@pytest.mark.parametrize(
    "columns", [UNSET, PARTLY_SET, UNREADABLE, MODE_OFF], ids=["unset", "partly", "bad", "off"]
)
async def test_the_cabinet_and_the_job_see_the_same_rules(
    database: Database, columns: dict[str, Any]
) -> None:
    language = "en"  # not the default language: the default text follows the owner's
    async with database.session() as session:
        membership = await WorkspaceRepo(session).ensure_owner(1001, "Анна", language)
        for name, value in columns.items():
            setattr(membership.workspace, name, value)
        await session.commit()
        workspace_id = membership.workspace.id
    services = Services(
        db=database,
        queue=None,  # type: ignore[arg-type]  # reading settings queues nothing
        avito=None,  # type: ignore[arg-type]
        bots=None,  # type: ignore[arg-type]
    )

    shown = await autoreply_settings.load(services, workspace_id, default_text_of(translator(language)))
    async with database.session() as session:
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        job_rules, _ = await rules_of(session, workspace)

    assert shown is not None
    assert job_rules == shown.rules
    # The defaults, not blanks: what the screen shows is what the job would send.
    assert job_rules.schedule == default_schedule()
    assert job_rules.text == translator(language)("ar-default-text")
    if columns is UNSET or columns is MODE_OFF:
        assert not job_rules.enabled and job_rules.mode is AutoReplyMode.SCHEDULE
