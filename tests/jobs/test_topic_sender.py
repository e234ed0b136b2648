"""Each message a job posts into a topic takes one send slot; a refused call's slot goes to its stand-in."""

from __future__ import annotations

from typing import Any, cast

import pytest
from arq import Retry

from tuberry.domain.render import TEXT_LIMIT
from tuberry.jobs.topic_sender import MAX_INLINE_WAIT, TopicSender
from tuberry.storage.pacing import Pacer
from tuberry.telegram.forum import Rejected, Thread


class Slots:
    """A pacer that grants every slot, or asks to wait `wait` seconds; counts the slots taken."""

    def __init__(self, wait: float = 0.0) -> None:
        self.wait = wait
        self.taken = 0

    async def acquire(self, chat_id: int, bot_id: int) -> float:
        if self.wait:
            return self.wait
        self.taken += 1
        return 0.0


class Topic:
    """A topic that keeps what was posted; photos by URL are refused."""

    chat_id = -100
    topic_id = 7

    def __init__(self) -> None:
        self.posted: list[str] = []

    async def text(self, text: str) -> int:
        self.posted.append(text)
        return len(self.posted)

    async def photo(self, photo: str | bytes, caption: str) -> int:
        if isinstance(photo, str):
            raise Rejected("failed to get HTTP URL content")
        self.posted.append(f"photo: {caption}")
        return len(self.posted)


def sender(slots: Slots, topic: Topic) -> TopicSender:
    return TopicSender(cast(Pacer, slots), 1, cast(Thread, cast(Any, topic)))


async def test_a_long_text_is_posted_in_parts_each_with_a_slot_of_its_own() -> None:
    slots, topic, text = Slots(), Topic(), "слово " * TEXT_LIMIT
    first = await sender(slots, topic).text(text)
    assert len(topic.posted) > 1 and all(len(part) <= TEXT_LIMIT for part in topic.posted)
    assert " ".join(topic.posted) == text.strip()
    assert first == 1
    assert slots.taken == len(topic.posted)


async def test_a_refused_photo_passes_its_slot_to_what_stands_in() -> None:
    slots, topic = Slots(), Topic()
    post = sender(slots, topic)
    with pytest.raises(Rejected):
        await post.photo("https://img.example/1.jpg", "фото")
    await post.photo(b"\xff\xd8", "фото")
    await post.text("ещё")
    assert topic.posted == ["photo: фото", "ещё"]
    assert slots.taken == 2


async def test_a_long_wait_for_a_slot_hands_the_job_back_and_posts_nothing() -> None:
    topic = Topic()
    with pytest.raises(Retry) as handed_back:
        await sender(Slots(wait=MAX_INLINE_WAIT + 1), topic).text("привет")
    assert handed_back.value.defer_score is not None
    assert topic.posted == []
