"""Pieces of infrastructure a fault case breaks on purpose: its own Redis server and a cuttable TCP proxy."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from pathlib import Path

from redis.asyncio import Redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """The case's own `redis-server` on a free loopback port, without persistence: a restart empties it."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = workdir
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed by the fault suite (apt-get install redis-server)"
        log = (self._dir / f"redis-{self.port}.log").open("ab")
        self._proc = await asyncio.create_subprocess_exec(
            binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            cwd=self._dir, stdout=log, stderr=log,
        )  # fmt: skip
        log.close()
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            client = Redis.from_url(self.url)
            try:
                if await client.ping():
                    return
            except OSError:
                pass
            except Exception:  # redis' ConnectionError while it starts
                pass
            finally:
                await client.aclose()
            assert asyncio.get_running_loop().time() < deadline, "redis-server did not start"
            await asyncio.sleep(0.05)

    async def flush_and_restart(self) -> None:
        """FLUSHALL, then stop the server hard and start it again empty on the same port."""
        client = Redis.from_url(self.url)
        try:
            await client.flushall()
        finally:
            await client.aclose()
        await self.stop()
        await self.start()

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.kill()
            await self._proc.wait()
        self._proc = None


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.port = free_port()
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def cut(self) -> None:
        """The server becomes unreachable: the listener closes, open connections are reset."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()

    async def stop(self) -> None:
        await self.cut()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(src, dst))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(dst)
            dst.transport.abort()
