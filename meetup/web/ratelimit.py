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
from dataclasses import dataclass
from typing import Any

import redis.asyncio
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.exceptions import HTTPException
from starlette.requests import Request


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
        # `limits` passes these to the redis client; its stubs type options
        # as scalars only, but a shared connection pool is documented.
        options: dict[str, Any] = {"implementation": "redispy"}
        if self._pool:
            options["connection_pool"] = self._pool
        storage = (
            storage_from_string("async+" + redis_url, **options)
            if self._pool
            else storage_from_string("async+memory://")
        )
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
            reset, _ = await self._limiter.get_window_stats(self._rule.per_client, *ids)
            wait = max(1, math.ceil(reset - time.time()))
            raise HTTPException(
                429,
                f"Too many attempts from your network. Please wait {_minutes(wait)} and try again.",
                headers={"Retry-After": str(wait)},
            )


def _minutes(seconds: int) -> str:
    return (
        f"{seconds} seconds" if seconds < 90 else f"{math.ceil(seconds / 60)} minutes"
    )
