"""Quick replies: the owner's answer templates (cabinet) and their use by managers in a dialog's topic.

A template is a title and a text with the variables of `domain.template.QUICK_REPLY_VARIABLES`, filled
from the topic's dialog. Managers take one with `/q <title>` (the bot posts the filled text and relays it
to the buyer) or inline (`@bot words`: Telegram posts the chosen text as the manager's own message "via
@bot", and the topics router relays it like any reply).

Telegram's inline query does not say in which chat or topic it is typed (only `chat_type`), so inline
results are filled for the topic the person last wrote in (`storage.last_topics`), and their description
names that buyer; without one, the dialog's variables are left out ("Здравствуйте, {buyer_name}!" →
"Здравствуйте!").
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from aiogram.exceptions import TelegramAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.app.autoreply_settings import default_text_of, settings_of
from tuberry.app.i18n import Translator
from tuberry.app.owner_language import owner_translator
from tuberry.app.relay import Part, Relay, relay_message
from tuberry.app.services import Services
from tuberry.app.topic_commands import TopicSeat, may_act
from tuberry.domain.schedule import next_open
from tuberry.domain.template import (
    QUICK_REPLY_VARIABLES,
    TemplateProblem,
    next_open_args,
    render_template,
    template_problems,
)
from tuberry.domain.textsplit import split_text
from tuberry.storage.last_topics import LastTopics
from tuberry.storage.models import BotStatus, ClientBot, Dialog, QuickReply, Workspace
from tuberry.storage.repos import AuditRepo, DialogRepo, QuickReplyRepo, WorkspaceRepo

TITLE_LIMIT = 64
INLINE_RESULTS_LIMIT = 50  # answerInlineQuery takes at most 50 results
MEMBER_STATUSES = {"creator", "administrator", "member", "restricted"}


@dataclass(frozen=True)
class QuickReplyView:
    id: int
    title: str
    text: str


class TitleProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Saved:
    """A save's outcome: the stored template, or what is wrong (nothing was changed then)."""

    reply: QuickReplyView | None = None
    title_problem: TitleProblem | None = None
    text_problems: list[TemplateProblem] = field(default_factory=list)
    not_found: bool = False


def _view(row: QuickReply) -> QuickReplyView:
    return QuickReplyView(row.id, row.title, row.text)


def _clean_title(title: str) -> str:
    return " ".join(title.split())


def title_problem(title: str) -> TitleProblem | None:
    """What is wrong with a title by itself (duplicates are the store's to find)."""
    if not title:
        return TitleProblem.EMPTY
    if len(title) > TITLE_LIMIT:
        return TitleProblem.TOO_LONG
    return None


def text_problems(text: str) -> list[TemplateProblem]:
    return template_problems(text, variables=QUICK_REPLY_VARIABLES)


# ---------------------------------------------------------------- the cabinet


async def list_quick_replies(services: Services, workspace_id: int) -> list[QuickReplyView]:
    async with services.db.session() as session:
        return [_view(row) for row in await QuickReplyRepo(session).list(workspace_id)]


async def get_quick_reply(services: Services, workspace_id: int, reply_id: int) -> QuickReplyView | None:
    async with services.db.session() as session:
        row = await QuickReplyRepo(session).get(workspace_id, reply_id)
        return _view(row) if row else None


async def add_quick_reply(
    services: Services, workspace_id: int, actor_id: int, title: str, text: str
) -> Saved:
    """A new template at the end of the list; refused (nothing stored) with the reasons."""
    title, text = _clean_title(title), text.strip()
    if (problem := title_problem(title)) is not None:
        return Saved(title_problem=problem)
    if problems := text_problems(text):
        return Saved(text_problems=problems)
    async with services.db.session() as session:
        repo = QuickReplyRepo(session)
        if any(r.title.casefold() == title.casefold() for r in await repo.list(workspace_id)):
            return Saved(title_problem=TitleProblem.DUPLICATE)
        row = QuickReply(
            workspace_id=workspace_id, title=title, text=text, position=await repo.next_position(workspace_id)
        )
        repo.add(row)
        await session.flush()
        AuditRepo(session).record(workspace_id, actor_id, "quick_reply.add", id=row.id, title=title)
        await session.commit()
        return Saved(reply=_view(row))


async def title_taken(services: Services, workspace_id: int, title: str) -> TitleProblem | None:
    """The title's problem before the owner types the text (the same check `add_quick_reply` makes)."""
    title = _clean_title(title)
    if (problem := title_problem(title)) is not None:
        return problem
    replies = await list_quick_replies(services, workspace_id)
    return TitleProblem.DUPLICATE if any(r.title.casefold() == title.casefold() for r in replies) else None


async def edit_quick_reply_text(
    services: Services, workspace_id: int, actor_id: int, reply_id: int, text: str
) -> Saved:
    text = text.strip()
    if problems := text_problems(text):
        return Saved(text_problems=problems)
    async with services.db.session() as session:
        row = await QuickReplyRepo(session).get(workspace_id, reply_id)
        if row is None:
            return Saved(not_found=True)
        row.text = text
        AuditRepo(session).record(workspace_id, actor_id, "quick_reply.edit", id=row.id, length=len(text))
        await session.commit()
        return Saved(reply=_view(row))


async def delete_quick_reply(services: Services, workspace_id: int, actor_id: int, reply_id: int) -> bool:
    async with services.db.session() as session:
        repo = QuickReplyRepo(session)
        row = await repo.get(workspace_id, reply_id)
        if row is None:
            return False
        AuditRepo(session).record(workspace_id, actor_id, "quick_reply.delete", id=row.id, title=row.title)
        await repo.delete(row)
        await session.commit()
    return True


# ---------------------------------------------------------------- filling


def dialog_values(
    t: Translator, workspace: Workspace, dialog: Dialog | None, now: datetime
) -> dict[str, str]:
    """The variables' values; a dialog's own ones are empty without a dialog (they vanish tidily)."""
    schedule = settings_of(workspace, default_text_of(t)).schedule
    opening = next_open(schedule, now)
    values = {"next_open": t("render-next-open", **next_open_args(opening, now)) if opening else ""}
    if dialog is not None:
        values |= {
            "buyer_name": dialog.buyer_name or "",
            "item_title": dialog.item_title or "",
            "item_price": dialog.item_price or "",
            "item_url": dialog.item_url or "",
        }
    return values


async def _fill(
    session: AsyncSession, workspace_id: int, dialog: Dialog | None, words: str
) -> list[QuickReplyView]:
    """The workspace's templates whose title or text hold every word, filled for the dialog."""
    workspace = await session.get(Workspace, workspace_id)
    if workspace is None:
        return []
    t = await owner_translator(session, workspace_id)
    values = dialog_values(t, workspace, dialog, datetime.now(UTC))
    wanted = words.casefold().split()
    filled = []
    for row in await QuickReplyRepo(session).list(workspace_id):
        haystack = f"{row.title}\n{row.text}".casefold()
        if all(word in haystack for word in wanted):
            filled.append(QuickReplyView(row.id, row.title, render_template(row.text, values)))
    return filled


# ---------------------------------------------------------------- in a topic: /q


async def topic_titles(services: Services, seat: TopicSeat) -> list[str]:
    return [r.title for r in await list_quick_replies(services, seat.workspace_id)]


class Quick(StrEnum):
    QUEUED = "queued"
    UNKNOWN = "unknown"  # no template of that title
    NOT_RELAYED = "not_relayed"  # the author's replies do not go to Avito (not on the managers list)


@dataclass(frozen=True)
class QuickResult:
    status: Quick
    text: str = ""


async def send_quick_reply(
    services: Services,
    seat: TopicSeat,
    chat_id: int,
    thread_id: int,
    command_message_id: int,
    actor_id: int,
    title: str,
) -> QuickResult:
    """`/q <title>`: the template filled for the topic's dialog, stored as the manager's reply to the buyer.

    Stored under the command's message id, so a replayed update stores it once (as `app.relay` does).
    """
    async with services.db.session() as session:
        dialog = await session.get(Dialog, seat.dialog_id)
        wanted = _clean_title(title).casefold()
        found = [
            r for r in await _fill(session, seat.workspace_id, dialog, "") if r.title.casefold() == wanted
        ]
    if not found:
        return QuickResult(Quick.UNKNOWN)
    text = found[0].text
    parts = [Part("text", chunk) for chunk in split_text(text)]
    result = await relay_message(
        services, seat.bot_id, chat_id, thread_id, command_message_id, actor_id, parts
    )
    if result.status is not Relay.QUEUED:
        return QuickResult(Quick.NOT_RELAYED, text)
    return QuickResult(Quick.QUEUED, text)


# ---------------------------------------------------------------- inline mode


async def remember_topic(services: Services, bot_id: int, user_id: int, chat_id: int, thread_id: int) -> None:
    """Someone wrote in a forum topic: inline results for them are filled for this topic from now on."""
    await LastTopics(services.queue.redis, services.config.redis_prefix).remember(
        bot_id, user_id, chat_id, thread_id
    )


@dataclass(frozen=True)
class InlineOffer:
    results: list[QuickReplyView]
    buyer_name: str = ""  # whose dialog the results are filled for ("" when none is known)


async def inline_offer(
    services: Services, bot_id: int, user_id: int, chat_type: str | None, words: str
) -> InlineOffer:
    """The templates to offer `user_id` typing `@bot words`; none for anyone who may not answer buyers in
    this bot's group, and none outside a supergroup (the bound group is one)."""
    if chat_type != "supergroup":
        return InlineOffer([])
    async with services.db.session() as session:
        bot = await session.get(ClientBot, bot_id)
        if bot is None or bot.status != BotStatus.ACTIVE or bot.group_chat_id is None:
            return InlineOffer([])
        workspace = await WorkspaceRepo(session).get(bot.workspace_id)
        owner_id = workspace.owner_telegram_id if workspace else None
        if not may_act(bot, owner_id, user_id):
            return InlineOffer([])
        token, group_id, workspace_id = bot.token, bot.group_chat_id, bot.workspace_id
        listed = user_id == owner_id or user_id in bot.manager_ids
    if not listed and not await _is_member(services, token, group_id, user_id):
        return InlineOffer([])
    topics = LastTopics(services.queue.redis, services.config.redis_prefix)
    where = await topics.recall(bot_id, user_id)
    async with services.db.session() as session:
        dialog = None
        if where is not None and where[0] == group_id:
            dialog = await DialogRepo(session).by_topic(bot_id, group_id, where[1])
        results = await _fill(session, workspace_id, dialog, words)
    await topics.remember_offer(bot_id, user_id, dialog.id if dialog else None)
    return InlineOffer(results[:INLINE_RESULTS_LIMIT], (dialog.buyer_name or "") if dialog else "")


async def _is_member(services: Services, token: str, group_id: int, user_id: int) -> bool:
    """Everyone may answer while the managers list is empty: everyone *in the group*, asked of Telegram."""
    with contextlib.suppress(TelegramAPIError):
        member = await services.bots.get(token).get_chat_member(group_id, user_id)
        return member.status in MEMBER_STATUSES and getattr(member, "is_member", True) is not False
    return False


async def chosen_elsewhere(
    services: Services, bot_id: int, chat_id: int, thread_id: int, user_id: int
) -> str | None:
    """A result of ours was just posted in this topic: the buyer name it was filled for, when that is
    another dialog's (it must not reach this buyer); None when it fits (or was filled for no dialog)."""
    offered = await LastTopics(services.queue.redis, services.config.redis_prefix).offered_dialog(
        bot_id, user_id
    )
    if offered is None:
        return None
    async with services.db.session() as session:
        here = await DialogRepo(session).by_topic(bot_id, chat_id, thread_id)
        if here is None or here.id == offered:
            return None
        other = await session.get(Dialog, offered)
        return (other.buyer_name or "—") if other else None
