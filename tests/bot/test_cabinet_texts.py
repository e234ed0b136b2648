"""Texts picked by a code at run time (statuses, errors, rights) exist in both languages."""

from __future__ import annotations

import pytest

from tuberry.app.accounts import AddAccount
from tuberry.app.binding import FORUM_OFF, WANTED_RIGHTS, BindResult, BindStatus
from tuberry.app.bots import Connect
from tuberry.app.i18n import LANGUAGES, translator
from tuberry.bot.common.binding_texts import render_bind_result
from tuberry.bot.master.widgets import Html, fluent_args
from tuberry.jobs.poll import PERMANENT
from tuberry.storage.models import AccountStatus, BotStatus

POLL_ERRORS = [*PERMANENT.values(), "rate_limited", "unavailable"]


def dynamic_keys() -> list[str]:
    keys = [f"bots-error-{s.value}" for s in Connect if s not in (Connect.CONNECTED, Connect.UPDATED)]
    keys += [
        f"accounts-error-{s.value}" for s in AddAccount if s not in (AddAccount.ADDED, AddAccount.UPDATED)
    ]
    keys += [f"bind-{s.value}" for s in BindStatus]
    keys += [f"bind-right-{right}" for right in (*WANTED_RIGHTS, FORUM_OFF)]
    keys += [f"bot-status-{s.value}" for s in BotStatus]
    keys += [f"account-status-{s.value}" for s in AccountStatus]
    keys += [f"account-error-{code}" for code in POLL_ERRORS]
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_runtime_key_exists(language: str) -> None:
    t = translator(language)
    assert [key for key in dynamic_keys() if not t.has(key)] == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", list(BindStatus))
def test_bind_results_render_with_user_values_escaped(language: str, status: BindStatus) -> None:
    result = BindResult(status, -100, "<Sales & Co>", ("pin_messages",), bot_username="shop_bot")
    text = render_bind_result(translator(language), result, master_username="tuberry_bot")
    assert "<Sales" not in text and "{" not in text
    if status is BindStatus.BOUND:
        assert "&lt;Sales &amp; Co&gt;" in text


def test_window_values_are_escaped_unless_already_html() -> None:
    args = fluent_args({"name": "<b>x</b>", "notice": Html("<b>ok</b>"), "count": 3, "items": [1]})
    assert args == {"name": "&lt;b&gt;x&lt;/b&gt;", "notice": "<b>ok</b>", "count": 3}
