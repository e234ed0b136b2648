"""The idle check, one job run at a time with the worker stopped: an account with nothing new costs one chat
list request, an account with news goes on to its poll, and two ticks start each due poll once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.bridge.conftest import Bridge
from tests.jobs.conftest import idle, job_ctx
from tuberry.jobs.check import check_accounts
from tuberry.storage.models import AvitoAccount
from tuberry.storage.repos import AccountRepo
from tuberry.storage.types import utcnow


async def _quiet_chat(bridge: Bridge) -> tuple[str, int]:
    """A chat whose buyer's text is in its topic; then the worker stops."""
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    await idle(bridge)
    return chat, topic


async def test_an_idle_account_costs_one_chat_list_request(bridge: Bridge) -> None:
    await _quiet_chat(bridge)
    before = len(bridge.avito.requests)

    assert await check_accounts(job_ctx(bridge), [bridge.account_row_id]) == "1 idle, 0 to poll"
    made = [(method, path) for method, path, _ in bridge.avito.requests[before:]]
    assert len(made) == 1
    assert made[0][0] == "GET" and made[0][1].endswith("/chats")


async def test_an_account_with_a_new_message_goes_on_to_its_poll(bridge: Bridge) -> None:
    chat, topic = await _quiet_chat(bridge)
    bridge.avito.buyer_sends(chat, "Ещё продаёте?")

    assert await check_accounts(job_ctx(bridge), [bridge.account_row_id]) == "0 idle, 1 to poll"
    await bridge.start_worker()
    await bridge.until(lambda: any("Ещё продаёте?" in t for t in bridge.texts(topic)), "the new text")


async def test_a_second_tick_finds_the_due_polls_taken(bridge: Bridge) -> None:
    await _quiet_chat(bridge)
    async with bridge.db.session() as session:
        await session.execute(
            update(AvitoAccount)
            .where(AvitoAccount.id == bridge.account_row_id)
            .values(last_poll_at=utcnow() - timedelta(minutes=5))
        )
        await session.commit()
    now = utcnow()

    claimed = []
    for _ in range(2):  # two ticks of the same moment, one after the other
        async with bridge.db.session() as session:
            claimed.append(await AccountRepo(session).due_for_poll(now, 10))
            await session.commit()
    assert claimed == [[bridge.account_row_id], []]
