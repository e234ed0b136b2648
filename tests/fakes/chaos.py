"""Random faults for the fake servers: a seeded draw per request, so that a fault run can be replayed.

A fake that has a `Chaos` asks it once per request which fault (if any) to play. Kinds:
- "429", "500", "502", "503": answer that status without doing the work;
- "drop": close the connection without an answer, the work not done;
- "drop_after": do the work, then close the connection (the answer is lost: the client cannot know);
- "hold": keep the request open `hold` seconds, then close the connection, the work not done;
- "hold_after": do the work, keep the request open `hold` seconds, then close the connection.

Only aiohttp and the standard library are imported (the fakes must not share code with the product).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

KINDS = ("429", "500", "502", "503", "drop", "drop_after", "hold", "hold_after")


@dataclass
class Chaos:
    rate: float
    kinds: tuple[str, ...]
    seed: int = 0
    hold: float = 2.0
    played: Counter[str] = field(default_factory=Counter)
    played_on: Counter[str] = field(default_factory=Counter)  # "kind label" (label: the method or path)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        self._rng = random.Random(self.seed)

    def draw(self, label: str = "") -> str | None:
        """The fault for this request, or None (counted in `played` and `played_on`)."""
        if self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(self.kinds)
        self.played[kind] += 1
        self.played_on[f"{kind} {label}"] += 1
        return kind

    @staticmethod
    def status(kind: str) -> int | None:
        return int(kind) if kind.isdigit() else None

    @staticmethod
    def works(kind: str) -> bool:
        """Whether the request's work is done before the connection is lost."""
        return kind.endswith("_after")

    async def lose(self, request: web.Request, kind: str) -> web.Response:
        """Close the connection (after `hold` for the hold kinds): the client sees no answer."""
        if kind.startswith("hold"):
            await asyncio.sleep(self.hold)
        if request.transport is not None:
            request.transport.abort()
        # Nothing reaches the client: the transport is gone before aiohttp writes this.
        return web.Response(status=500)
