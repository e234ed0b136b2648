"""Messages of both directions and their delivery states."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tuberry.storage.models import AvitoAccount, AvitoState, Dialog, Message, Origin, TgState
from tuberry.storage.repos.accounts import runnable
from tuberry.storage.types import utcnow

# Built once: it runs for every message posted into a topic, and building it (its cache key) cost more than
# executing it. No session synchronisation: the sessions that mark deliveries hold no Message rows.
_DELIVERED = (
    update(Message)
    .where(Message.id.in_(bindparam("ids", expanding=True)))
    .values(
        tg_state=TgState.DELIVERED,
        tg_message_id=bindparam("carrier"),
        delivered_at=bindparam("at"),
        error=bindparam("why"),
    )
    .execution_options(synchronize_session=False)
)


class MessageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_id(self, message_id: int) -> Message | None:
        return await self.session.get(Message, message_id)

    async def known_avito_ids(self, dialog_id: int, avito_ids: list[str]) -> set[str]:
        if not avito_ids:
            return set()
        rows = await self.session.scalars(
            select(Message.avito_message_id).where(
                Message.dialog_id == dialog_id, Message.avito_message_id.in_(avito_ids)
            )
        )
        return {row for row in rows if row is not None}

    async def pending_delivery(self, dialog_id: int, limit: int = 50) -> list[Message]:
        """Messages waiting for the topic, oldest first: the order buyers wrote them in."""
        rows = await self.session.scalars(
            select(Message)
            .where(Message.dialog_id == dialog_id, Message.tg_state == TgState.PENDING)
            .order_by(Message.avito_created_at, Message.id)
            .limit(limit)
        )
        return list(rows)

    async def delivered(self, message_ids: list[int], tg_message_id: int, error: str | None = None) -> None:
        """These messages are in the topic, carried by that Telegram message (several went as one). Message
        rows loaded in this session are not updated."""
        values = {"ids": message_ids, "carrier": tg_message_id, "at": utcnow(), "why": error}
        await self.session.execute(_DELIVERED, values)

    async def parts_of(self, dialog_id: int, source_tg_message_id: int) -> list[Message]:
        rows = await self.session.scalars(
            select(Message)
            .where(Message.dialog_id == dialog_id, Message.source_tg_message_id == source_tg_message_id)
            .order_by(Message.part)
        )
        return list(rows)

    async def in_flight(self, dialog_id: int) -> bool:
        """Whether a send to Avito may have happened whose id is not stored yet."""
        found = await self.session.scalar(
            select(Message.id)
            .where(Message.dialog_id == dialog_id, Message.avito_state == AvitoState.SENDING)
            .limit(1)
        )
        return found is not None

    async def outbound_pending(self, dialog_id: int, limit: int) -> list[Message]:
        """Managers' messages still to send to Avito, oldest first: the order they were written in."""
        rows = await self.session.scalars(
            select(Message)
            .where(
                Message.dialog_id == dialog_id,
                Message.origin == Origin.MANAGER,
                Message.avito_state.in_([AvitoState.PENDING, AvitoState.SENDING]),
            )
            .order_by(Message.id)
            .limit(limit)
        )
        return list(rows)

    async def unsent(self, created_before: datetime) -> list[tuple[int, bool]]:
        """(dialog id, is it an auto-reply) of messages left unsent that can be sent now, for the sweep."""
        query = (
            select(Message.dialog_id, Message.origin == Origin.AUTO)
            .join(Dialog, Dialog.id == Message.dialog_id)
            .join(AvitoAccount, AvitoAccount.id == Dialog.account_id)
        )
        rows = await self.session.execute(
            runnable(query)
            .where(
                Message.avito_state.in_([AvitoState.PENDING, AvitoState.SENDING]),
                Message.created_at <= created_before,
            )
            .distinct()
        )
        return [(row[0], bool(row[1])) for row in rows]

    def add(self, message: Message) -> None:
        self.session.add(message)
