"""Whether to auto-reply to a buyer: planned on the buyer's message, re-decided when the job runs.

The flow (SPEC §5 ``auto_reply``): a buyer message for which ``should_plan`` is true schedules
a deferred job; when the job runs it calls ``decide`` with the dialog's *current* state, because
a manager may have answered, another auto-reply may have gone out, or the shop may have opened.

Decisions taken here:

* A manager reply at the same second as the buyer message counts as an answer (Avito
  timestamps are whole seconds; staying quiet is the safer error).
* *schedule* mode answers once per off-hours interval: an auto-reply already sent inside the
  interval that contains the buyer message blocks another. If the schedule has no working day
  at all the interval is unbounded, and the *always* rule (once per 24 h) applies instead,
  otherwise such a dialog would get one auto-reply for ever.
* *schedule* mode stays quiet when the shop opened between the buyer message and the job run
  ("opened_meanwhile"), even if it has closed again since: managers had their chance, and an
  "we are closed" text after a working day would be misleading.
* A blank text never sends ("empty_text"); *schedule* without a schedule never sends
  ("no_schedule").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tuberry.domain.schedule import Schedule, closed_interval, is_open, next_change

ALWAYS_MODE_WINDOW = timedelta(hours=24)


class AutoReplyMode(StrEnum):
    OFF = "off"
    ALWAYS = "always"
    SCHEDULE = "schedule"


class Reason(StrEnum):
    """Why ``decide`` sends or not (values are stable: logs and metrics use them)."""

    SEND = "send"
    DISABLED = "disabled"
    EMPTY_TEXT = "empty_text"
    NO_SCHEDULE = "no_schedule"
    NO_BUYER_MESSAGE = "no_buyer_message"
    MANAGER_ANSWERED = "manager_answered"
    OPEN_HOURS = "open_hours"  # the buyer wrote during working hours
    OPENED_MEANWHILE = "opened_meanwhile"
    ALREADY_REPLIED = "already_replied"


@dataclass(frozen=True, slots=True)
class AutoReplyRules:
    enabled: bool
    mode: AutoReplyMode
    schedule: Schedule | None
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", AutoReplyMode(self.mode))

    @property
    def active(self) -> bool:
        """Switched on, in a sending mode, with something to say."""
        return self.enabled and self.mode is not AutoReplyMode.OFF and bool(self.text.strip())


@dataclass(frozen=True, slots=True)
class DialogReplyState:
    """What the dialog's bookkeeping says at decision time (aware datetimes or None)."""

    last_buyer_message_at: datetime | None
    last_manager_reply_at: datetime | None
    last_auto_reply_at: datetime | None


@dataclass(frozen=True, slots=True)
class AutoReplyDecision:
    send: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Preview:
    """For the cabinet: would a buyer writing ``now`` get an auto-reply, and until when."""

    would_answer: bool
    next_change: datetime | None
    reason: str


def should_plan(rules: AutoReplyRules, buyer_message_at: datetime) -> bool:
    """Does a buyer message at this moment call for an auto-reply job?"""
    return _blocker(rules, buyer_message_at) is None


def decide(rules: AutoReplyRules, state: DialogReplyState, now: datetime) -> AutoReplyDecision:
    """The final word, taken when the deferred job runs."""
    buyer_at = state.last_buyer_message_at
    static = _static_blocker(rules)
    if static is not None:
        return _no(static)
    if buyer_at is None:
        return _no(Reason.NO_BUYER_MESSAGE)
    manager_at = state.last_manager_reply_at
    if manager_at is not None and _utc(manager_at) >= _utc(buyer_at):
        return _no(Reason.MANAGER_ANSWERED)
    auto_at = state.last_auto_reply_at
    if rules.mode is AutoReplyMode.SCHEDULE and rules.schedule is not None:  # None: blocked above
        interval = closed_interval(rules.schedule, buyer_at)
        if interval is None:
            return _no(Reason.OPEN_HOURS)
        if not interval.contains(now):
            return _no(Reason.OPENED_MEANWHILE)
        if auto_at is not None:
            if interval.bounded and interval.contains(auto_at):
                return _no(Reason.ALREADY_REPLIED)
            if not interval.bounded and _within_day(auto_at, now):
                return _no(Reason.ALREADY_REPLIED)
    elif auto_at is not None and _within_day(auto_at, now):
        return _no(Reason.ALREADY_REPLIED)
    return AutoReplyDecision(True, Reason.SEND)


def preview(rules: AutoReplyRules, now: datetime) -> Preview:
    """The cabinet line "now: would answer / would not, next change at …".

    ``next_change`` is set only in schedule mode.
    """
    blocker = _blocker(rules, now)
    change = None
    if rules.mode is AutoReplyMode.SCHEDULE and rules.schedule is not None:
        change = next_change(rules.schedule, now)
    if blocker is None:
        return Preview(True, change, Reason.SEND)
    return Preview(False, change, blocker)


def _blocker(rules: AutoReplyRules, moment: datetime) -> Reason | None:
    static = _static_blocker(rules)
    if static is not None:
        return static
    schedule = rules.schedule
    if rules.mode is AutoReplyMode.SCHEDULE and schedule is not None and is_open(schedule, moment):
        return Reason.OPEN_HOURS
    return None


def _static_blocker(rules: AutoReplyRules) -> Reason | None:
    """Reasons that do not depend on time or on the dialog."""
    if not rules.enabled or rules.mode is AutoReplyMode.OFF:
        return Reason.DISABLED
    if not rules.text.strip():
        return Reason.EMPTY_TEXT
    if rules.mode is AutoReplyMode.SCHEDULE and rules.schedule is None:
        return Reason.NO_SCHEDULE
    return None


def _within_day(auto_at: datetime, now: datetime) -> bool:
    """An auto-reply less than 24 h before ``now`` (or stamped in the future: clock skew)."""
    return _utc(auto_at) > _utc(now) - ALWAYS_MODE_WINDOW


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC)


def _no(reason: Reason) -> AutoReplyDecision:
    return AutoReplyDecision(False, reason)
