"""An Avito API session for a stored account, whose refreshed tokens go back to the database encrypted."""

from __future__ import annotations

from tuberry.avito import AccessToken, AvitoClient, AvitoSession
from tuberry.storage.db import Database
from tuberry.storage.models import AvitoAccount


def account_session(avito: AvitoClient, db: Database, account: AvitoAccount) -> AvitoSession:
    token = None
    if account.access_token and account.token_expires_at:
        token = AccessToken(account.access_token, account.token_expires_at)
    account_id = account.id

    async def store(new: AccessToken) -> None:
        async with db.session() as session:
            row = await session.get(AvitoAccount, account_id)
            if row is not None:
                row.access_token = new.value
                row.token_expires_at = new.expires_at
                await session.commit()

    return avito.session(account.client_id, account.client_secret, token=token, on_token=store)
