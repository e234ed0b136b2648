"""A manager's photo interrupted by a crash: the retry adopts our own sent image, never a photo the seller
sent from the Avito app meanwhile."""

from __future__ import annotations

from sqlalchemy import select

from tests.bridge.conftest import Bridge
from tests.samples import jpeg
from tuberry.storage.models import AvitoState, Direction, Message, Origin, TgState
from tuberry.storage.types import utcnow

SOURCE = 999_999  # the manager's Telegram message


async def _interrupted_photo(bridge: Bridge, *, sent: bool, app_photo_first: bool) -> tuple[str, str | None]:
    """A dead worker uploaded the manager's photo (and sent it when `sent`) but recorded neither; the seller
    sends a photo from the Avito app in the same minutes. Returns the chat and our image's id on Avito."""
    chat = bridge.new_chat()
    bridge.avito.buyer_sends(chat, "Здравствуйте")
    topic = await bridge.topic_of(chat)
    await bridge.until(lambda: any("Здравствуйте" in t for t in bridge.texts(topic)), "the buyer's text")
    await bridge.stop_worker()
    dialog = await bridge.dialog(chat)
    api = bridge.services.avito.session(bridge.account.client_id, bridge.account.client_secret)
    user = bridge.account.user_id
    if app_photo_first:
        bridge.avito.seller_sends_image_from_app(chat)
    uploaded = await api.upload(user, jpeg())
    ours = (await api.send_image(user, chat, uploaded.id)).id if sent else None
    if not app_photo_first:
        bridge.avito.seller_sends_image_from_app(chat)
    async with bridge.db.session() as session:
        session.add(
            Message(
                dialog_id=dialog.id,
                direction=Direction.OUT,
                origin=Origin.MANAGER,
                kind="image",
                content={"file_id": "lost", "image_id": uploaded.id, "image_urls": sorted(uploaded.urls)},
                source_tg_message_id=SOURCE,
                part=0,
                tg_message_id=SOURCE,
                tg_state=TgState.SOURCE,
                avito_state=AvitoState.SENDING,
                sent_at=utcnow(),
            )
        )
        await session.commit()
    await bridge.start_worker()
    await bridge.services.queue.send(dialog.id)
    return chat, ours


async def _settled(bridge: Bridge) -> Message:
    async def row() -> Message | None:
        async with bridge.db.session() as session:
            found = await session.scalar(select(Message).where(Message.source_tg_message_id == SOURCE))
            return found if found is not None and found.avito_state == AvitoState.SENT else None

    return await bridge.until(row, "the interrupted photo settled")


async def test_a_photo_the_seller_sent_from_the_app_is_not_taken_for_ours(bridge: Bridge) -> None:
    chat, _ = await _interrupted_photo(bridge, sent=False, app_photo_first=False)
    row = await _settled(bridge)
    await bridge.settle()
    ours = [m for m in bridge.avito.sent_via_api(chat) if m["type"] == "image"]
    assert len(ours) == 1  # the manager's photo did reach the buyer
    assert row.avito_message_id == ours[0]["id"]


async def test_our_photo_sent_before_a_crash_is_adopted_not_sent_again(bridge: Bridge) -> None:
    chat, ours = await _interrupted_photo(bridge, sent=True, app_photo_first=True)
    row = await _settled(bridge)
    await bridge.settle()
    assert [m["id"] for m in bridge.avito.sent_via_api(chat)] == [ours]
    assert row.avito_message_id == ours
