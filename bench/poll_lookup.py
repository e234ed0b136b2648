"""What an idle poll's database lookup costs for an account with a long history.

    .venv/bin/python -m bench.poll_lookup --dialogs 5000

A poll reads one page of chats (100) and needs the stored cursor of each. It used to load every dialog of the
account (`DialogRepo.of_account`); it now asks for the chats on the page (`DialogRepo.cursors`). Prints the
rows loaded and the mean time of each on a fresh SQLite database.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

from tuberry.storage import crypto
from tuberry.storage.db import Database
from tuberry.storage.migrate import upgrade
from tuberry.storage.models import AvitoAccount, Dialog
from tuberry.storage.repos import DialogRepo, WorkspaceRepo

PAGE = 100
ROUNDS = 20


async def _seed(db: Database, dialogs: int) -> int:
    async with db.session() as session:
        workspace = (await WorkspaceRepo(session).ensure_owner(1, "bench")).workspace
        account = AvitoAccount(
            workspace_id=workspace.id, client_id="c", client_secret="s", avito_user_id=1, name="bench",
            webhook_secret="w",
        )  # fmt: skip
        session.add(account)
        await session.flush()
        session.add_all(
            Dialog(account_id=account.id, avito_chat_id=f"u2i-{n:06d}", last_message_id=f"m{n}")
            for n in range(dialogs)
        )
        await session.commit()
        return account.id


async def _measure(db: Database, account_id: int, dialogs: int) -> None:
    page = [f"u2i-{n:06d}" for n in range(dialogs - PAGE, dialogs)]  # the most recently updated chats
    for name, lookup in (
        ("before: of_account", lambda repo: repo.of_account(account_id)),
        ("after:  cursors   ", lambda repo: repo.cursors(account_id, page)),
    ):
        started = time.perf_counter()
        for _ in range(ROUNDS):
            async with db.session() as session:
                rows = len(await lookup(DialogRepo(session)))
        mean_ms = (time.perf_counter() - started) / ROUNDS * 1000
        print(f"{name}  {rows:6d} rows, 1 query, {mean_ms:8.2f} ms per poll")


async def main(dialogs: int) -> None:
    crypto.install_keys([Fernet.generate_key().decode()])
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        db = Database(url)
        try:
            account_id = await _seed(db, dialogs)
            print(f"{dialogs} stored dialogs, a page of {PAGE} chats, mean of {ROUNDS} polls (SQLite)")
            await _measure(db, account_id, dialogs)
        finally:
            await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogs", type=int, default=5000)
    asyncio.run(main(parser.parse_args().dialogs))
