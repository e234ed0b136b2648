"""An Avito API session for a stored account. Its token is shared by every job of the process (one slot per
account in the AvitoClient), re-read from the database before a renewal (another process may have renewed
it) and written back encrypted after one."""

from __future__ import annotations

from tuberry.avito import AccessToken, AvitoClient, AvitoSession
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount


def _stored(account: AvitoAccount) -> AccessToken | None:
    if account.access_token and account.token_expires_at:
        return AccessToken(account.access_token, account.token_expires_at)
    return None


def account_session(avito: AvitoClient, db: Database, account: AvitoAccount) -> AvitoSession:
    account_id = account.id

    async def load() -> AccessToken | None:
        async with db.session() as session:
            row = await session.get(AvitoAccount, account_id)
            return _stored(row) if row is not None else None

    async def store(new: AccessToken) -> None:
        async with db.session() as session:
            row = await session.get(AvitoAccount, account_id)
            if row is not None:
                row.access_token = new.value
                row.token_expires_at = new.expires_at
                await session.commit()

    return avito.session(
        account.client_id, account.client_secret, token=_stored(account), on_token=store, load_token=load
    )
