"""One Avito token per account: concurrent jobs and processes share a renewal; a refused new token is
retried, not taken for revoked credentials."""

from __future__ import annotations

import asyncio

from tests.bridge.conftest import Bridge
from tuberry.app.avito_access import account_session
from tuberry.avito import AvitoClient
from tuberry.storage.models import AccountStatus, AvitoAccount


async def _dialog(bridge: Bridge, buyer: str) -> tuple[str, int]:
    chat = bridge.new_chat(buyer=buyer)
    bridge.avito.buyer_sends(chat, f"Здравствуйте, я {buyer}")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any(buyer in t for t in bridge.texts(topic)), f"{buyer}'s text")
    return chat, topic


async def _account(bridge: Bridge) -> AvitoAccount:
    async with bridge.db.session() as session:
        account = await session.get(AvitoAccount, bridge.account_row_id)
        assert account is not None
        return account


async def test_concurrent_jobs_with_an_expired_token_make_one_token_request(bridge: Bridge) -> None:
    dialogs = [await _dialog(bridge, buyer) for buyer in ("Анна", "Борис", "Вера", "Глеб")]
    before = bridge.avito.token_requests

    bridge.avito.expire_tokens()
    bridge.avito.delay_next("/token", 0.5)  # a slow renewal: every job meets the expired token meanwhile
    for n, (_chat, topic) in enumerate(dialogs):
        bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, f"Ответ {n}", thread_id=topic)
    for n, (chat, _topic) in enumerate(dialogs):
        await bridge.until(
            lambda chat=chat, n=n: (
                [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == [f"Ответ {n}"]
            ),
            f"reply {n} on Avito",
        )
    await bridge.settle()
    assert bridge.avito.token_requests == before + 1


async def test_a_401_with_a_renewed_token_stops_nothing_and_the_reply_goes(bridge: Bridge) -> None:
    chat, topic = await _dialog(bridge, "Анна")
    user = bridge.account.user_id
    # Avito refuses the renewed token once more (it may take a moment to accept a new one): each call sees
    # 401 with the held token and again with the renewed one.
    bridge.avito.fail_next(f"/messenger/v2/accounts/{user}/chats", 401, times=2)
    bridge.avito.fail_next(f"/messenger/v1/accounts/{user}/chats/{chat}/messages", 401, times=2)
    bridge.tg.user_sends(bridge.bot, bridge.group_id, bridge.manager, "Ответ сквозь 401", thread_id=topic)

    await bridge.until(lambda: len(bridge.avito.sent_via_api(chat)) == 1, "the reply on Avito", timeout=20)
    bridge.avito.buyer_sends(chat, "а это после")
    await bridge.until(lambda: any("после" in t for t in bridge.texts(topic)), "the next buyer message")
    await bridge.settle()
    assert [m["content"]["text"] for m in bridge.avito.sent_via_api(chat)] == ["Ответ сквозь 401"]
    assert (await _account(bridge)).status == AccountStatus.ACTIVE


async def test_a_token_another_process_renewed_is_read_back_not_renewed_again(bridge: Bridge) -> None:
    await _dialog(bridge, "Анна")
    await bridge.stop_worker()
    other_process = AvitoClient(bridge.avito.base_url)
    try:
        here = account_session(bridge.services.avito, bridge.db, await _account(bridge))
        there = account_session(other_process, bridge.db, await _account(bridge))
        user = bridge.account.user_id
        await asyncio.gather(here.list_chats(user), there.list_chats(user))
        before = bridge.avito.token_requests

        bridge.avito.expire_tokens()
        await here.list_chats(user)  # renews and stores the token
        await there.list_chats(user)  # its copy is refused: it reads the stored one instead of renewing
        assert bridge.avito.token_requests == before + 1
    finally:
        await other_process.aclose()
