"""The fault suite's traffic and its verdict: buyers write 500 messages over 25 chats at about 50 a second
while managers answer 100 times in the topics; then every message is looked for where a user would see it.

A case passes when every manager reply is on Avito exactly once and every buyer message is in its chat's
topic at least once and in order. Duplicates into Telegram are counted and reported (target 0): the Bot API
has no idempotency key, so a lost answer to a send can post a message twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from tests.waiting import until
from tuberry.storage.models import Dialog, Direction, Message

if TYPE_CHECKING:
    from tests.faults.conftest import Stack

CHATS = 25
BUYER_MESSAGES = 500
REPLIES = 100
BUYER_RATE = 50.0  # messages a second
REPLY_EVERY = 0.1  # seconds between two manager replies
DEADLINE = 150.0  # seconds for everything to arrive; generous for a loaded 2-core CI machine
# Seconds without anything new arriving, once all was written, after which a case gives up before DEADLINE.
# Longer than two of the product's own waits stacked (receiver back-off, an update's retry, a lapsing lease:
# 30 s each at most), which a loaded CI machine does reach; what never arrives is still lost at DEADLINE.
STALL = 75.0
SETTLE = 2.0  # seconds after everything arrived, for a late duplicate to show up

BUYER_MARK = re.compile(r"\bc(\d\d)-m(\d\d\d)\b")
OUTCOMES: list[Outcome] = []


def buyer_text(chat: int, n: int) -> str:
    return f"c{chat:02d}-m{n:03d} здравствуйте"


def reply_text(chat: int, n: int) -> str:
    return f"c{chat:02d}-r{n:03d} ответ менеджера"


@dataclass
class Outcome:
    case: str
    seconds: float = 0.0
    complete: bool = False
    lost: dict[int, list[int]] = field(default_factory=dict)  # chat -> buyer message numbers never shown
    order_breaks: dict[int, list[int]] = field(default_factory=dict)  # chat -> shown order when it is wrong
    misplaced: int = 0  # buyer messages shown outside their chat's topic
    telegram_duplicates: int = 0
    extra_topics: int = 0  # topics beyond one per chat
    replies_lost: list[str] = field(default_factory=list)
    replies_twice: list[str] = field(default_factory=list)
    reply_order_breaks: int = 0  # chats whose replies reached Avito out of order (reported, issue 8 item 5)
    faults: dict[str, int] = field(default_factory=dict)
    lost_states: dict[str, int] = field(default_factory=dict)  # where the lost ones stand in the database
    events: list[str] = field(default_factory=list)  # the faults a script played, with when
    jobs: dict[str, object] = field(default_factory=dict)  # arq's queue at the end: a stuck job shows here

    @property
    def ok(self) -> bool:
        broken = self.lost or self.order_breaks or self.misplaced
        return not (broken or self.replies_lost or self.replies_twice)

    def line(self) -> str:
        verdict = "ok" if self.ok else "FAILED"
        return (
            f"{self.case}: {verdict} in {self.seconds:.1f} s; "
            f"duplicates into Telegram {self.telegram_duplicates}; "
            f"lost {sum(map(len, self.lost.values()))}/{BUYER_MESSAGES} buyer messages "
            f"in {len(self.lost)} chats; order broken in {len(self.order_breaks)} topics; "
            f"misplaced {self.misplaced}; extra topics {self.extra_topics}; "
            f"replies lost {len(self.replies_lost)}, twice {len(self.replies_twice)}, "
            f"out of order in {self.reply_order_breaks} chats; faults {self.events or ''} {self.faults or ''}"
        )

    def details(self) -> str:
        parts = [self.line()]
        if self.lost:
            parts.append(f"lost buyer messages (chat: numbers): {self.lost}")
        if self.order_breaks:
            parts.append(f"order in the topic (chat: numbers as shown): {self.order_breaks}")
        if self.lost_states:
            parts.append(f"the lost ones in the database (direction state: count): {self.lost_states}")
        if self.replies_lost:
            parts.append(f"replies never on Avito: {self.replies_lost}")
        if not self.complete:
            parts.append(f"arq at the end (queued; in progress: seconds its key still lives): {self.jobs}")
        if self.replies_twice:
            parts.append(f"replies on Avito more than once: {self.replies_twice}")
        return "\n".join(parts)


class Traffic:
    """Buyers and managers of one case, and what has arrived so far."""

    def __init__(self, stack: Stack, seed: int) -> None:
        self.stack = stack
        self.rng = random.Random(seed)
        self.chats = [
            stack.avito.add_chat(stack.account, buyer_name=f"Покупатель {k}", item_title=f"Товар {k}")
            for k in range(CHATS)
        ]
        order = [k for k in range(CHATS) for _ in range(BUYER_MESSAGES // CHATS)]
        self.rng.shuffle(order)
        self.plan: list[tuple[int, int]] = list(enumerate(order))  # (message number, chat)
        self.expected: dict[int, list[int]] = {k: [n for n, c in self.plan if c == k] for k in range(CHATS)}
        self.replies: dict[int, list[str]] = {k: [] for k in range(CHATS)}
        self.produced = 0
        self.replied = 0
        self.events: list[str] = []
        self.started = time.monotonic()

    def played(self, fault: str) -> None:
        """A fault script notes what it did, and when, for the report."""
        self.events.append(f"{fault} at {time.monotonic() - self.started:.1f} s ({self.produced} written)")

    # -- the people --------------------------------------------------------------------------

    async def buyers(self) -> None:
        start = time.monotonic()
        for n, chat in self.plan:
            self.stack.avito.buyer_sends(self.chats[chat], buyer_text(chat, n))
            self.produced += 1
            await asyncio.sleep(max(0.0, start + (n + 1) / BUYER_RATE - time.monotonic()))

    async def managers(self) -> None:
        """Reply j goes to chat j % 25 once the chat has its topic (a manager answers what they see)."""
        for j in range(REPLIES):
            chat = j % CHATS
            topic = await self._topic(self.chats[chat])
            text = reply_text(chat, j)
            self.stack.tg.user_sends(
                self.stack.shop_bot, self.stack.group_id, self.stack.manager, text, thread_id=topic
            )
            self.replies[chat].append(text)
            self.replied += 1
            await asyncio.sleep(REPLY_EVERY)

    async def _topic(self, chat_id: str) -> int:
        while True:
            async with self.stack.db.session() as session:
                topic = await session.scalar(select(Dialog.topic_id).where(Dialog.avito_chat_id == chat_id))
            if topic is not None:
                return int(topic)
            await asyncio.sleep(0.2)

    # -- what arrived ------------------------------------------------------------------------

    def shown(self) -> list[tuple[int, int, int]]:
        """(chat, message number, topic) of every buyer message in the group, in the order shown; one Telegram
        message carries several when they went together under a 429 hold (coalescing)."""
        found = []
        for message in self.stack.tg.sent(self.stack.group_id, bot=self.stack.shop_bot):
            topic = int(message.get("message_thread_id") or 0)
            for match in BUYER_MARK.finditer(message.get("text") or message.get("caption") or ""):
                found.append((int(match[1]), int(match[2]), topic))
        return found

    def delivered(self) -> int:
        return len({(chat, n) for chat, n, _ in self.shown()})

    def on_avito(self, chat: int) -> list[str]:
        return [
            str(m["content"].get("text"))
            for m in self.stack.avito.sent_via_api(self.chats[chat])
            if "-r" in str(m["content"].get("text"))
        ]

    def replies_arrived(self) -> int:
        return sum(len(set(self.on_avito(k)) & set(self.replies[k])) for k in range(CHATS))

    def complete(self) -> bool:
        return (
            self.produced == BUYER_MESSAGES
            and self.replied == REPLIES
            and self.replies_arrived() == REPLIES
            and self.delivered() == BUYER_MESSAGES
        )

    async def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        """For fault scripts: wait until the traffic has reached a point (e.g. 150 messages written)."""
        await until(condition, what, timeout=DEADLINE, every=0.1)

    async def verdict(self, case: str, seconds: float, complete: bool) -> Outcome:
        out = Outcome(case, seconds=seconds, complete=complete, faults=self._faults(), events=self.events)
        topics: dict[int, int] = {}
        async with self.stack.db.session() as session:
            for k, chat_id in enumerate(self.chats):
                topic = await session.scalar(select(Dialog.topic_id).where(Dialog.avito_chat_id == chat_id))
                topics[k] = int(topic or -1)
        shown = self.shown()
        counts = Counter((chat, n) for chat, n, _ in shown)
        out.telegram_duplicates = sum(c - 1 for c in counts.values())
        out.misplaced = sum(1 for chat, _, topic in shown if topic != topics[chat])
        for k in range(CHATS):
            seen: list[int] = []
            for chat, n, _ in shown:
                if chat == k and n not in seen:
                    seen.append(n)
            lost = sorted(set(self.expected[k]) - set(seen))
            if lost:
                out.lost[k] = lost
            if [n for n in seen if n in self.expected[k]] != [n for n in self.expected[k] if n in seen]:
                out.order_breaks[k] = seen
            sent = self.on_avito(k)
            replies = Counter(sent)
            out.replies_lost += [t for t in self.replies[k] if replies[t] == 0]
            out.replies_twice += [t for t in self.replies[k] if replies[t] > 1]
            firsts = list(dict.fromkeys(t for t in sent if t in self.replies[k]))
            out.reply_order_breaks += firsts != [t for t in self.replies[k] if t in firsts]
        out.jobs = await self._jobs()
        lost_texts = [buyer_text(k, n) for k, ns in out.lost.items() for n in ns] + out.replies_lost
        out.lost_states = await self._states(lost_texts)
        titles = Counter(t.get("name") for t in self.stack.tg.topics(self.stack.group_id))
        out.extra_topics = sum(c - 1 for name, c in titles.items() if name)
        return out

    async def _states(self, texts: list[str]) -> dict[str, int]:
        """Where messages stand in the database: "in <tg_state>" for the buyer's, "out <avito_state>" for
        replies, "not stored" when no row has the text (the update or the poll lost it)."""
        states: Counter[str] = Counter()
        async with self.stack.db.session() as session:
            for text in texts:
                rows = (await session.execute(select(Message).where(Message.text == text))).scalars().all()
                found = [f"{m.direction} {_state(m)}" for m in rows]
                states.update(found or ["not stored"])
        return dict(states)

    async def _jobs(self) -> dict[str, object]:
        redis = self.stack.services.queue.redis
        try:
            queued = await redis.zcard(self.stack.services.queue.name)
            prefix = "arq:in-progress:"
            keys = [key async for key in redis.scan_iter(match=prefix + "*")]
            # The per-second cron's keys are arq's own bookkeeping, not Tuberry's work.
            alive = {
                name: round(await redis.pttl(key) / 1000)
                for key in keys
                if ":tick:" not in (name := key.decode().removeprefix(prefix))
            }
        except Exception as exc:  # Redis is one of the things a case breaks: the report must still come
            return {"unreadable": repr(exc)}
        return {"queued": queued, "in progress": alive}

    def _faults(self) -> dict[str, int]:
        played: Counter[str] = Counter()
        for chaos in (self.stack.tg.chaos, self.stack.avito.chaos):
            if chaos is not None:
                played.update(chaos.played_on)
        return dict(sorted(played.items()))


async def run_case(
    stack: Stack, case: str, fault: Callable[[Traffic], Awaitable[None]] | None = None, *, seed: int = 8
) -> Outcome:
    """Start the bot side and a worker, play the traffic with `fault` alongside, wait for everything to
    arrive (at most DEADLINE, or until nothing new came for STALL seconds once all was written), let
    duplicates show, and return the verdict (also recorded for the summary)."""
    traffic = Traffic(stack, seed)
    await stack.receivers.sync()
    await stack.spawn_worker()
    # The case's clock starts when the worker serves: its start-up (imports, migrations) is no fault's.
    await until(lambda: "worker is running" in stack.worker_logs(), "the worker started", timeout=60)
    started = traffic.started = time.monotonic()
    people = [asyncio.create_task(traffic.buyers()), asyncio.create_task(traffic.managers())]
    script = asyncio.create_task(fault(traffic)) if fault is not None else None
    complete = False
    progress, progressed = -1, started
    try:
        while time.monotonic() - started < DEADLINE and time.monotonic() - progressed < STALL:
            for task in [*people, *([script] if script else [])]:
                if task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            if traffic.complete():
                complete = True
                break
            arrived = traffic.delivered() + traffic.replies_arrived()
            if arrived != progress or not all(task.done() for task in people):
                progress, progressed = arrived, time.monotonic()
            await asyncio.sleep(0.25)
        seconds = time.monotonic() - started
        if complete:
            await asyncio.sleep(SETTLE)
    finally:
        for task in [*people, *([script] if script else [])]:
            task.cancel()
        await asyncio.gather(*people, *([script] if script else []), return_exceptions=True)
    outcome = await traffic.verdict(case, seconds, complete)
    OUTCOMES.append(outcome)
    print(outcome.details())
    _record(outcome)
    return outcome


def _state(message: Message) -> str:
    return message.tg_state if message.direction == Direction.IN else message.avito_state


def _record(outcome: Outcome) -> None:
    if path := os.environ.get("FAULTS_SUMMARY"):
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(json.dumps(outcome.__dict__, ensure_ascii=False) + "\n")


def check(outcome: Outcome, stack: Stack, *, faults: int = 0) -> None:
    """The case's assertion: nothing lost, nothing twice on Avito, nothing out of order in a topic, and the
    fault script played its `faults`."""
    assert outcome.ok and outcome.complete, (
        outcome.details() + "\n--- worker log (tail) ---\n" + (stack.worker_logs()[-4000:])
    )
    assert len(outcome.events) == faults, f"the fault script did not finish: {outcome.events}"
