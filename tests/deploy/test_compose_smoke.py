"""docker-compose.yml run without Docker: each Tuberry service's `command` with its `environment`, as local
processes against the CI's PostgreSQL and Redis (compose's hostnames rewritten to 127.0.0.1). One buyer
message reaches its topic and one manager's reply reaches Avito through them."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import make_url

from tests.conftest import REDIS_URL
from tests.deploy.files import compose
from tests.test_tuberry_run import Installation, _free_port, onboard_and_relay
from tests.waiting import until

HOSTNAMES = {"postgres", "redis"}


def _interpolated(value: str) -> str:
    """Compose's `${VAR:?message}` filled with a placeholder: the smoke test supplies its own credentials."""
    return re.sub(r"\$\{[^}]+\}", "placeholder", value)


def local_environment(service: dict[str, Any], pg_url: str) -> dict[str, str]:
    environment = {key: _interpolated(str(value)) for key, value in service["environment"].items()}
    database = make_url(environment["DATABASE_URL"])
    assert database.host in HOSTNAMES, database.host
    ours = make_url(pg_url)
    environment["DATABASE_URL"] = database.set(
        host=ours.host, port=ours.port, username=ours.username, password=ours.password, database=ours.database
    ).render_as_string(hide_password=False)
    redis, ours_redis = make_url(environment["REDIS_URL"]), make_url(REDIS_URL)
    assert redis.host in HOSTNAMES, redis.host
    environment["REDIS_URL"] = redis.set(host=ours_redis.host, port=ours_redis.port).render_as_string()
    # Every container has its own port 8080; processes on one host need one each.
    environment["HTTP_PORT"] = str(_free_port())
    return environment


def command_of(service: dict[str, Any]) -> str:
    program, command = service["command"]
    assert program == "tuberry"
    return str(command)


async def test_the_compose_services_relay_a_message_and_a_reply(
    installation: Installation, pg_url: str
) -> None:
    site = installation
    services = compose()["services"]

    migrate_env = local_environment(services["migrate"], pg_url)
    migrate = await site.spawn(command_of(services["migrate"]), **migrate_env)
    assert await asyncio.wait_for(migrate.wait(), 60) == 0, site.logs()
    site.procs.remove(migrate)

    bot_env = local_environment(services["bot"], pg_url)
    site.port = int(bot_env["HTTP_PORT"])
    await site.spawn(command_of(services["bot"]), **bot_env)
    for _ in range(2):  # `--scale worker=2`
        await site.spawn(command_of(services["worker"]), **local_environment(services["worker"], pg_url))
    await until(site.healthy, "the bot's /healthz", timeout=60)

    shop_bot, account = await onboard_and_relay(site)

    assert await site.stop() == [0, 0, 0]
    logs = site.logs()
    assert shop_bot.token not in logs and account.client_secret not in logs
