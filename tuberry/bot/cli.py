"""`tuberry run | bot | worker | migrate | check | rotate-key`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from pydantic import ValidationError

from tuberry.bot.settings import Settings
from tuberry.logs import configure_logging


def _settings() -> Settings:
    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        sys.exit(f"tuberry: configuration is not valid: {problems} (set it in the environment or .env)")


# The long-running commands: (bots, worker).
SERVES = {"run": (True, True), "bot": (True, False), "worker": (False, True)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tuberry", description="Avito Messenger chats in Telegram topics")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="everything in one process: migrations, bots, worker, HTTP server")
    sub.add_parser("bot", help="the master bot, client bots and the HTTP server")
    sub.add_parser("worker", help="the arq worker (run several on one Redis to scale)")
    sub.add_parser("migrate", help="alembic upgrade head")
    sub.add_parser("check", help="validate the configuration and reach every service")
    sub.add_parser("rotate-key", help="re-encrypt stored secrets with the first SECRET_KEY")
    args = parser.parse_args(argv)

    settings = _settings()
    configure_logging(settings.log_level)
    # Imported here: aiogram takes seconds to import, and `migrate` does not need it.
    from tuberry.bot import bootstrap

    if args.command == "migrate":
        try:
            asyncio.run(bootstrap.migrate_when_reachable(settings))
        except bootstrap.StartupError as exc:
            sys.exit(f"tuberry migrate: {exc}")
        print("database is at the newest revision")
        return
    # Before anything imports aiogram: its Telegram types' validators are built when first used.
    from tuberry.telegram.lazy_models import import_aiogram

    import_aiogram()
    from tuberry.bot import maintenance, serve

    if args.command in SERVES:
        bots, worker = SERVES[args.command]
        try:
            asyncio.run(serve.serve(settings, bots=bots, worker=worker))
        except bootstrap.StartupError as exc:
            sys.exit(f"tuberry {args.command}: {exc}")
    elif args.command == "check":
        sys.exit(asyncio.run(maintenance.check(settings)))
    elif args.command == "rotate-key":
        count = asyncio.run(maintenance.rotate_keys(settings))
        print(f"re-encrypted {count} stored secrets with the newest key")


if __name__ == "__main__":
    main()
