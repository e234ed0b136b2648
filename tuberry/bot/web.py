"""The HTTP server: /healthz and /metrics, plus the routes the composition root adds (the Telegram and Avito
webhooks when PUBLIC_URL is set). No bot logic lives here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from tuberry.app.services import Services

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Route = tuple[str, str, Handler]  # (method, path, handler)


def build_web_app(services: Services, routes: Iterable[Route] = ()) -> web.Application:
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
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)  # no access log: Avito webhook paths carry a secret
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    paths = sorted({route.resource.canonical for route in app.router.routes() if route.resource is not None})
    log.info("HTTP server on %s:%s (%s)", host, port, ", ".join(paths))
    return runner
