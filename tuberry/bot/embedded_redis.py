"""A Redis-compatible server inside the process, for `tuberry run` on a machine without Redis.

fakeredis's TCP server (with `lupa` for Lua scripts) speaks the Redis protocol on a loopback port, so arq,
aiogram's FSM storage and the pacing scripts use it through the ordinary `redis` client, unchanged. It keeps
nothing on disk: what a restart loses (queued jobs, FSM state of an open cabinet screen) is rebuilt from the
database by the sweep, as after any Redis restart.
"""

from __future__ import annotations

import threading
from typing import Any

from fakeredis import TcpFakeServer
from fakeredis._clients._tcp_server import TCPFakeRequestHandler
from fakeredis._commands import command
from fakeredis._socket import FakeSocket
from redis.exceptions import ResponseError


@command((), (bytes,))
def info(self: FakeSocket, *sections: bytes) -> bytes:
    """fakeredis has no INFO, and arq's worker logs the server's INFO when it starts (its only use)."""
    return b"# Server\r\nredis_version:7.0.0\r\nredis_mode:embedded\r\n"


# fakeredis finds commands as methods of its socket class; it has no public way to add one.
FakeSocket.info = info  # type: ignore[attr-defined]


class _KeepOpenHandler(TCPFakeRequestHandler):
    """fakeredis's handler closes the connection after any error reply. A real server keeps it open, and
    redis-py relies on that: a script's EVALSHA answered NOSCRIPT is retried as EVAL on the same connection
    (how redis' Lock releases, which aiogram's event isolation uses)."""

    def setup(self) -> None:
        super().setup()
        read = self.current_client.read_response

        def read_response(*args: Any, **kwargs: Any) -> Any:
            try:
                return read(*args, **kwargs)
            except ResponseError as exc:
                return exc  # written as an error reply; the connection stays open

        self.current_client.read_response = read_response  # type: ignore[method-assign]


class EmbeddedRedis:
    """Serves on 127.0.0.1 at a free port in a background thread until `stop`."""

    def __init__(self) -> None:
        self._server = TcpFakeServer(("127.0.0.1", 0), server_type="redis")
        self._server.RequestHandlerClass = _KeepOpenHandler
        # Connection threads must not keep the process alive once the server is shut down.
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-redis", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"redis://{host!s}:{port}/0"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
