"""The HTTP server: /healthz and /metrics (webhook endpoints join here when PUBLIC_URL is used)."""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from tuberry.bot.common.services import Services

log = logging.getLogger(__name__)


def build_web_app(services: Services) -> web.Application:
    async def healthz(_: web.Request) -> web.Response:
        problems = []
        try:
            async with services.db.session() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            problems.append(f"database: {exc.__class__.__name__}")
        try:
            await services.queue.redis.ping()
        except Exception as exc:
            problems.append(f"redis: {exc.__class__.__name__}")
        if problems:
            return web.json_response({"status": "unhealthy", "problems": problems}, status=503)
        return web.json_response({"status": "ok"})

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("HTTP server on %s:%s (/healthz, /metrics)", host, port)
    return runner
