"""Work of a blocked workspace or a paused account waits in the database: nothing goes to Avito or Telegram,
the sweep does not re-queue it every 15 s, and it all goes, once, when the workspace or account is back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import idle, job_ctx
from tuberry.bot.master.admin.blocking import set_blocked
from tuberry.jobs.sweep import tick
from tuberry.storage.models import (
    AccountStatus,
    AvitoAccount,
    AvitoState,
    Direction,
    Message,
    Origin,
    TgState,
)
from tuberry.storage.types import utcnow

ADMIN = 1


async def _dialog_topic(bridge: Bridge) -> tuple[str, int]:
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    return chat, topic


async def _reply_attempts(bridge: Bridge, text: str) -> int:
    async with bridge.db.session() as session:
        row = await session.scalar(select(Message).where(Message.text == text))
        return row.attempts if row is not None else 0


async def _as_if_waiting_a_minute(bridge: Bridge) -> None:
    """Age the stored work past the sweep's grace period instead of waiting for it."""
    async with bridge.db.session() as session:
        await session.execute(update(Message).values(created_at=utcnow() - timedelta(minutes=1)))
        await session.commit()


async def test_a_reply_waiting_for_a_retry_is_not_sent_after_block_and_goes_after_unblock(
    bridge: Bridge,
) -> None:
    chat, topic = await _dialog_topic(bridge)
    bridge.avito.fail_next(f"/v1/accounts/{bridge.account.user_id}/chats/{chat}/messages", 503, times=1)
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Ответ до блокировки", thread_id=topic)
    await bridge.until(
        lambda: _reply_attempts(bridge, "Ответ до блокировки"), "the first attempt (answered 503)"
    )
    await set_blocked(bridge.services, bridge.workspace_id, ADMIN, blocked=True, reason="проверка")

    await bridge.settle(4)  # the retry (due after 2 s) has run and found the workspace blocked
    assert bridge.avito.sent_via_api(chat) == []

    await set_blocked(bridge.services, bridge.workspace_id, ADMIN, blocked=False)
    await _as_if_waiting_a_minute(bridge)
    await bridge.stop_worker()
    await bridge.start_worker()  # a starting worker sweeps at once
    await bridge.until(lambda: bridge.avito.sent_via_api(chat), "the reply after unblocking")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Ответ до блокировки"]


async def test_the_sweep_leaves_a_paused_accounts_work_until_it_is_resumed(bridge: Bridge) -> None:
    chat, topic = await _dialog_topic(bridge)
    await idle(bridge)
    dialog = await bridge.dialog(chat)
    async with bridge.db.session() as session:
        account = await session.get(AvitoAccount, bridge.account_row_id)
        assert account is not None
        account.status = AccountStatus.PAUSED
        session.add_all(
            [
                Message(
                    dialog_id=dialog.id,
                    direction=Direction.IN,
                    origin=Origin.AVITO,
                    kind="text",
                    text="пока на паузе",
                    content={"text": "пока на паузе"},
                    avito_message_id="paused-1",
                    avito_created_at=utcnow(),
                    tg_state=TgState.PENDING,
                    avito_state=AvitoState.RECEIVED,
                ),
                Message(
                    dialog_id=dialog.id,
                    direction=Direction.OUT,
                    origin=Origin.MANAGER,
                    kind="text",
                    text="ответ на паузе",
                    source_tg_message_id=777_001,
                    tg_message_id=777_001,
                    tg_state=TgState.SOURCE,
                    avito_state=AvitoState.PENDING,
                ),
            ]
        )
        await session.commit()
    await _as_if_waiting_a_minute(bridge)
    queue = bridge.services.queue
    await queue.redis.delete(queue.name)  # whatever the stopped worker left: only the sweep's work counts

    assert await tick(job_ctx(bridge)) == "0 polls, 0 recovered"
    assert await queue.depth() == 0, await queue.redis.zrange(queue.name, 0, -1)

    async with bridge.db.session() as session:
        account = await session.get(AvitoAccount, bridge.account_row_id)
        assert account is not None
        account.status = AccountStatus.ACTIVE
        await session.commit()
    await bridge.start_worker()
    await bridge.until(lambda: any("пока на паузе" in t for t in bridge.texts(topic)), "the held message")
    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "the held reply")
    await bridge.settle()
    assert sum("пока на паузе" in t for t in bridge.texts(topic)) == 1
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["ответ на паузе"]


async def test_an_unfinished_auto_reply_is_not_sent_while_the_workspace_is_blocked(bridge: Bridge) -> None:
    from tuberry.jobs.autoreply import auto_reply

    chat, _topic = await _dialog_topic(bridge)
    dialog = await bridge.dialog(chat)
    async with bridge.db.session() as session:
        session.add(
            Message(
                dialog_id=dialog.id,
                direction=Direction.OUT,
                origin=Origin.AUTO,
                kind="text",
                text="Мы ответим утром",
                is_auto_reply=True,
                tg_state=TgState.WAITING,
                avito_state=AvitoState.PENDING,
            )
        )
        await session.commit()
    await set_blocked(bridge.services, bridge.workspace_id, ADMIN, blocked=True, reason="проверка")

    assert (await auto_reply(job_ctx(bridge), dialog.id)).startswith("on hold")
    assert bridge.avito.sent_via_api(chat) == []

    await set_blocked(bridge.services, bridge.workspace_id, ADMIN, blocked=False)
    assert await auto_reply(job_ctx(bridge), dialog.id) == "sent"
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Мы ответим утром"]
