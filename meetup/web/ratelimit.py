"""Rate limits on the public forms (sign-in, RSVP, coffee, follow), with the
`limits` library: in memory by default, shared by every worker through Redis
when REDIS_URL is set.

A client that sends too many forms gets a 429. An email address that is named
too often is never refused: that would let anyone lock a person out by typing
their address. Instead mail to it is muted for a while, and the page answers
exactly as before."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio
from limits import RateLimitItem, WindowStats, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.exceptions import HTTPException
from starlette.requests import Request

from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext


class Limiter(Protocol):
    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool: ...

    async def get_window_stats(
        self, item: RateLimitItem, *identifiers: str
    ) -> WindowStats: ...


class MemoryWindows:
    """The moving-window limiter in this process's memory. Not `limits`'
    memory storage: after each hit it walks every key it holds, each through
    a thread, so with one key per email address a busy RSVP form spent more
    time expiring keys than answering guests. Here each key drops its old
    hits when it is used, and keys nobody used for a whole window go in a
    sweep at most once a minute."""

    SWEEP_SECONDS = 60.0

    def __init__(self) -> None:
        # key -> (window in seconds, times of the hits inside it, oldest first)
        self._hits: dict[str, tuple[float, deque[float]]] = {}
        self._next_sweep = 0.0

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        at = time.time()
        self._sweep(at)
        window = float(item.get_expiry())
        _, hits = self._hits.setdefault(item.key_for(*identifiers), (window, deque()))
        _forget_before(hits, at - window)
        if len(hits) >= item.amount:
            return False
        hits.append(at)
        return True

    async def get_window_stats(
        self, item: RateLimitItem, *identifiers: str
    ) -> WindowStats:
        at = time.time()
        window = float(item.get_expiry())
        _, hits = self._hits.get(item.key_for(*identifiers), (window, deque()))
        _forget_before(hits, at - window)
        start = hits[0] if hits else at
        return WindowStats(start + window, item.amount - len(hits))

    def _sweep(self, at: float) -> None:
        if at < self._next_sweep:
            return
        self._next_sweep = at + self.SWEEP_SECONDS
        idle = [
            key
            for key, (window, hits) in self._hits.items()
            if not hits or hits[-1] <= at - window
        ]
        for key in idle:
            del self._hits[key]


def _forget_before(hits: deque[float], cutoff: float) -> None:
    while hits and hits[0] <= cutoff:
        hits.popleft()


@dataclass(frozen=True)
class Rule:
    per_client: RateLimitItem
    per_email: RateLimitItem


class RateLimits:
    def __init__(
        self, redis_url: str, per_client: str, per_email: str, namespace: str = "meetup"
    ) -> None:
        self._pool = (
            redis.asyncio.ConnectionPool.from_url(redis_url) if redis_url else None
        )
        self._limiter: Limiter = MemoryWindows()
        if self._pool:
            # `limits` passes these to the redis client; its stubs type options
            # as scalars only, but a shared connection pool is documented.
            options: dict[str, Any] = {"implementation": "redispy"}
            options["connection_pool"] = self._pool
            storage = storage_from_string("async+" + redis_url, **options)
            self._limiter = MovingWindowRateLimiter(storage)
        self._rule = Rule(parse(per_client), parse(per_email))
        self._namespace = namespace

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def check(self, request: Request, form_name: str, email: str) -> bool:
        """Counts one attempt: raises a 429 when this client has sent too
        many lately; returns whether the address may be mailed now."""
        await self.check_client(request, form_name)
        # One count per address across every form: it caps mail, not access.
        mail_key = (self._namespace, "mail", email.lower())
        return await self._limiter.hit(self._rule.per_email, *mail_key)

    async def check_client(self, request: Request, action: str) -> None:
        """Counts one attempt at `action` by this client: raises a 429 when
        it has made too many lately."""
        client = request.client.host if request.client else "unknown"
        ids = (self._namespace, action, f"client:{client}")
        if not await self._limiter.hit(self._rule.per_client, *ids):
            reset, _remaining = await self._limiter.get_window_stats(
                self._rule.per_client, *ids
            )
            wait = max(1, math.ceil(reset - time.time()))
            raise HTTPException(
                429,
                _(
                    "Too many attempts from your network. Please wait %(wait)s and try again."
                )
                % {"wait": _minutes(wait)},
                headers={"Retry-After": str(wait)},
            )


def _minutes(seconds: int) -> str:
    if seconds < 90:
        return ngettext("%(num)d second", "%(num)d seconds", seconds) % {"num": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}
