"""Which icon a topic's status shows: the owner's choice while Telegram has it, else a default by emoji."""

from __future__ import annotations

from tuberry.domain.ticket import TopicStatus
from tuberry.domain.topic_icons import NO_ICON, Icon, default_icon, wanted_icon

SET = (Icon("1", "📰"), Icon("2", "❗️"), Icon("3", "🔥"), Icon("4", "✅"), Icon("5", "🏁"))


def test_defaults_are_picked_by_emoji_whatever_the_variation_selector() -> None:
    assert default_icon(TopicStatus.WAITING, SET) == "2"  # "❗️" in Telegram's set, "❗" in the rule
    assert default_icon(TopicStatus.ANSWERED, SET) == "4"
    assert default_icon(TopicStatus.CLOSED, SET) == "5"  # no 🔒 or 💤: the next one


def test_a_status_without_any_of_its_emoji_gets_no_icon() -> None:
    assert default_icon(TopicStatus.WAITING, (Icon("3", "🔥"),)) == "3"
    assert default_icon(TopicStatus.ANSWERED, (Icon("1", "📰"),)) == NO_ICON
    assert default_icon(TopicStatus.CLOSED, ()) == NO_ICON


def test_the_owners_choice_wins_while_telegram_still_has_it() -> None:
    assert wanted_icon(TopicStatus.WAITING, {"waiting": "3"}, SET) == "3"
    assert wanted_icon(TopicStatus.ANSWERED, {"waiting": "3"}, SET) == "4"
    assert wanted_icon(TopicStatus.WAITING, {"waiting": "99"}, SET) == "2"  # gone from the set: default
    assert wanted_icon(TopicStatus.CLOSED, None, SET) == "5"
