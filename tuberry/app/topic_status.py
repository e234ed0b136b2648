"""A topic as a working ticket: /close, and the icon of its status (domain.ticket, domain.topic_icons).

The icon is applied by the worker (jobs/topic_icon.py) a moment after a change of status, never by the bot
that noticed the change; these use cases only store what changed and queue that job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from tuberry.app.owner_language import owner_language_of
from tuberry.app.services import Services
from tuberry.app.topic_commands import may_act
from tuberry.domain.ticket import TopicStatus, status
from tuberry.domain.topic_icons import Icon, wanted_icon
from tuberry.storage.models import BotStatus, ClientBot, Workspace
from tuberry.storage.repos import AuditRepo, DialogRepo, TopicStatusRepo
from tuberry.storage.repos.dialogs import TopicTarget
from tuberry.telegram.forum import TopicError
from tuberry.telegram.topic_icons import icon_set

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Closing:
    dialog_id: int
    language: str  # the owner's: the confirmation is written into their group


async def close_topic(
    services: Services, bot_id: int, chat_id: int, thread_id: int, actor_id: int | None
) -> Closing | None:
    """Mark the dialog of this topic closed and queue its icon; None when this is not a dialog's topic of the
    bot's group or the actor may not close it (they get no answer)."""
    async with services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is None or bot.status != BotStatus.ACTIVE or bot.group_chat_id != chat_id:
            return None
        workspace = await session.get(Workspace, bot.workspace_id)
        owner_id = workspace.owner_telegram_id if workspace is not None else None
        if actor_id is None or not may_act(bot, owner_id, actor_id):
            return None
        dialog = await DialogRepo(session).by_topic(bot.id, chat_id, thread_id)
        if dialog is None:
            return None
        dialog_id = dialog.id
        if await TopicStatusRepo(session).close(dialog_id):
            AuditRepo(session).record(bot.workspace_id, actor_id, "topic.close", dialog_id=dialog_id)
        language = await owner_language_of(session, bot.workspace_id)
        await session.commit()
    await services.queue.topic_icon(dialog_id)
    return Closing(dialog_id, language)


async def closed_by_hand(
    services: Services, bot_id: int, chat_id: int, thread_id: int, actor_id: int | None, closed: bool
) -> bool:
    """Someone closed or reopened a dialog's topic in Telegram itself (Telegram checked their right): the
    dialog follows, and so does its icon. False when this is not a dialog's topic of the bot's group."""
    async with services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is None or bot.status != BotStatus.ACTIVE or bot.group_chat_id != chat_id:
            return False
        dialog = await DialogRepo(session).by_topic(bot.id, chat_id, thread_id)
        if dialog is None:
            return False
        dialog_id, repo = dialog.id, TopicStatusRepo(session)
        if closed and await repo.close(dialog_id):
            AuditRepo(session).record(
                bot.workspace_id, actor_id, "topic.close", dialog_id=dialog_id, by_hand=True
            )
        elif not closed:
            await repo.reopened(dialog_id)
        await session.commit()
    await services.queue.topic_icon(dialog_id)
    return True


@dataclass(frozen=True)
class IconState:
    """What decides a topic's icon, as stored."""

    target: TopicTarget
    status: TopicStatus
    applied: str | None  # dialogs.topic_icon
    choice: dict[str, str]  # the workspace's


async def icon_state(services: Services, dialog_id: int) -> IconState | None:
    """None while the dialog's messages must wait (no usable target) or it has no topic in its group."""
    async with services.db.session() as session:
        target = await DialogRepo(session).topic_target(dialog_id)
        if target is None or not target.has_topic:
            return None
        inputs = await TopicStatusRepo(session).icon_inputs(dialog_id)
    if inputs is None:
        return None
    return IconState(target, status(inputs.closed, inputs.waiting_since), inputs.applied, inputs.choice)


async def icon_applied(services: Services, dialog_id: int, topic_id: int, icon: str) -> None:
    async with services.db.session() as session:
        await TopicStatusRepo(session).icon_applied(dialog_id, topic_id, icon)
        await session.commit()


async def creation_icon(services: Services, target: TopicTarget) -> str | None:
    """The icon a new topic of this dialog starts with (it is open: a closed dialog's buyer wrote again);
    None when Telegram's icon set cannot be had now (the icon job sets it later)."""
    async with services.db.session() as session:
        dialog = await DialogRepo(session).by_id(target.dialog_id)
        choice = await TopicStatusRepo(session).icon_choice(target.workspace_id)
    if dialog is None:
        return None
    try:
        icons = await icon_set(services.bots.get(target.bot_token))
    except TopicError as exc:
        log.info("no topic icon set for dialog %s now: %s", target.dialog_id, exc)
        return None
    return wanted_icon(status(False, dialog.waiting_since), choice, icons) if icons else None


async def topic_opened(services: Services, dialog_id: int, topic_id: int, icon: str | None) -> None:
    """A new topic is open and shows `icon` (None: not known)."""
    async with services.db.session() as session:
        repo = TopicStatusRepo(session)
        await repo.reopened(dialog_id)
        if icon is not None:
            await repo.icon_applied(dialog_id, topic_id, icon)
        await session.commit()


async def topic_reopened(services: Services, dialog_id: int) -> None:
    """The buyer wrote into a closed topic and it was reopened: the dialog is no longer closed."""
    async with services.db.session() as session:
        await TopicStatusRepo(session).reopened(dialog_id)
        await session.commit()
    await services.queue.topic_icon(dialog_id)


# --- the cabinet's choice of icons


async def cabinet_icons(services: Services) -> tuple[Icon, ...]:
    """Telegram's icon set, through the master bot (the set is the same for every bot)."""
    assert services.master is not None
    return await icon_set(services.master)


async def icon_choice(services: Services, workspace_id: int) -> dict[str, str]:
    async with services.db.session() as session:
        return await TopicStatusRepo(session).icon_choice(workspace_id)


async def choose_icon(
    services: Services, workspace_id: int, actor_id: int, topic_status: TopicStatus, icon: str | None
) -> None:
    """The owner's icon for a status (None: back to the default). Topics take it at their next change."""
    async with services.db.session() as session:
        await TopicStatusRepo(session).choose_icon(workspace_id, topic_status.value, icon)
        AuditRepo(session).record(
            workspace_id, actor_id, "topic_icons.choose", status=topic_status.value, icon=icon
        )
        await session.commit()
