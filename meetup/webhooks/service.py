"""Webhooks: what happens on a page, posted to the addresses its owner gives,
signed as the Standard Webhooks specification says (HMAC-SHA256 over
`id.timestamp.body` with the endpoint's `whsec_` secret, in the
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers).

A feature that changes something calls `emit` inside its own write, so a
message exists exactly when the change does. The worker delivers due
messages (`deliver_due`): each is claimed by one worker for one attempt,
2xx is delivered, anything else (an error status, a redirect, a timeout, a
refused address) is retried later on `RETRY_AFTER`, with the same id every
time so a receiver can tell a retry from a new event. An endpoint that has
failed `disable_after` attempts in a row is turned off, and its page's
address is told by mail; its messages wait until it is turned on again."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from meetup.core import i18n
from meetup.core.clock import now
from meetup.core.dates import utc_stamp
from meetup.core.errors import Conflict, DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.db import Database, Row
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.web.outbound import FetchError, Limits, checked_url, fetch
from meetup.webhooks import queries, words
from meetup.webhooks.kinds import KINDS, TEST

MAX_ENDPOINTS = 10
# After the first attempt fails, the next ones come this long after the one
# before (Svix's schedule): about a day and a half in all.
RETRY_AFTER = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
PARALLEL = 8


@dataclass(frozen=True)
class Delivery:
    """How the worker delivers: the limits of each request, and how many
    failed attempts in a row turn an endpoint off."""

    limits: Limits = field(default_factory=Limits)
    disable_after: int = 15
    base_url: str = ""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` of `msg_id.timestamp.body`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def _kinds(chosen: Sequence[str]) -> str:
    kinds = [kind for kind in KINDS if kind in chosen]
    if not kinds or len(kinds) != len(set(chosen)):
        raise DomainError(
            _("Choose at least one of the events listed."), code="no_kinds"
        )
    return ",".join(kinds)


async def add(db: Database, host_id: int, url: str, kinds: Sequence[str]) -> int:
    try:
        url = checked_url(url)
    except FetchError as error:
        raise DomainError(words.said(error.message), code="bad_webhook_url") from None
    if url.startswith("webcal"):
        raise DomainError(_("Give an address starting with https://."))
    chosen = _kinds(kinds)
    async with db.write():
        await db.serialise(f"webhooks:{host_id}")
        if await queries.endpoint_count(db, host_id) >= MAX_ENDPOINTS:
            raise Conflict(
                _("A page can have at most %(num)d webhooks.") % {"num": MAX_ENDPOINTS},
                code="too_many_webhooks",
            )
        return await queries.insert_endpoint(
            db,
            host_id=host_id,
            url=url,
            secret=new_secret(),
            events=chosen,
            created_at=now(),
        )


async def change(
    db: Database,
    host_id: int,
    endpoint_id: int,
    *,
    kinds: Sequence[str] | None = None,
    enabled: bool | None = None,
) -> None:
    values: dict[str, Any] = {}
    if kinds is not None:
        values["events"] = _kinds(kinds)
    if enabled is not None:
        values.update(enabled=enabled, failures=0, disabled_reason="")
    async with db.write():
        if not await queries.update_endpoint(db, host_id, endpoint_id, **values):
            raise NotFound(_("There is no such webhook among yours."))


async def remove(db: Database, host_id: int, endpoint_id: int) -> None:
    async with db.write():
        if not await queries.delete_endpoint(db, host_id, endpoint_id):
            raise NotFound(_("There is no such webhook among yours."))


async def emit(
    db: Database,
    listeners: Sequence[Row],
    kind: str,
    data: Mapping[str, Any] | Callable[[], Awaitable[Mapping[str, Any]]],
) -> int:
    """Queues `kind` for each of `listeners` (`queries.listening…`) that asked
    for it, inside the caller's write; `data` may be a function, called only
    when someone listens. Links in `data` are paths (`url` keys): the worker
    makes them absolute. How many messages it queued."""
    wanted = [row for row in listeners if kind in row["events"].split(",")]
    if not wanted:
        return 0
    found = data if isinstance(data, Mapping) else await data()
    payload = json.dumps(found, separators=(",", ":"), default=_json_value)
    at = now()
    for endpoint in wanted:
        await queries.insert_message(
            db,
            endpoint_id=endpoint["id"],
            host_id=endpoint["host_id"],
            msg_id="msg_" + secrets.token_urlsafe(18),
            event_type=kind,
            payload=payload,
            next_attempt_at=at,
            created_at=at,
        )
    return len(wanted)


async def send_test(db: Database, host_id: int, endpoint_id: int) -> None:
    """Queues a `webhook.test` message for one endpoint, whatever it asked for."""
    async with db.write():
        endpoint = await queries.endpoint(db, host_id, endpoint_id)
        if endpoint is None:
            raise NotFound(_("There is no such webhook among yours."))
        await emit(
            db,
            [{**endpoint, "events": TEST}],
            TEST,
            {"message": "A test from meetup: your endpoint is listening."},
        )


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return utc_stamp(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _absolute(value: Any, base_url: str) -> Any:
    """Every `url` path in a payload, made an address on this site."""
    if isinstance(value, dict):
        return {
            key: (
                base_url + item
                if key == "url" and isinstance(item, str) and item.startswith("/")
                else _absolute(item, base_url)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_absolute(item, base_url) for item in value]
    return value


def body_of(message: Row, base_url: str) -> bytes:
    """The JSON posted for a message: the same bytes on every attempt."""
    document = {
        "type": message["event_type"],
        "timestamp": _json_value(message["created_at"]),
        "data": _absolute(json.loads(message["payload"]), base_url),
    }
    return json.dumps(document, separators=(",", ":")).encode()


async def deliver_due(
    db: Database,
    ctx: Context,
    delivery: Delivery,
    at: datetime | None = None,
    limit: int = 100,
) -> int:
    """Attempts the due messages once each; how many were delivered."""
    at = at or now()
    hold = at + timedelta(seconds=delivery.limits.timeout + 30)
    claimed = []
    for row in await queries.due(db, at, limit):
        async with db.write():
            if await queries.claim(db, row, at, hold):
                claimed.append(row)
    gate = asyncio.Semaphore(PARALLEL)

    async def one(row: Row) -> bool:
        async with gate:
            return await _attempt(db, ctx, delivery, row, at)

    return sum(await asyncio.gather(*(one(row) for row in claimed)))


async def _attempt(
    db: Database, ctx: Context, delivery: Delivery, message: Row, at: datetime
) -> bool:
    body = body_of(message, delivery.base_url)
    stamp = int(now().timestamp())  # when it is sent, which `at` need not be
    headers = {
        "Content-Type": "application/json",
        "webhook-id": message["msg_id"],
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature(
            message["secret"], message["msg_id"], stamp, body
        ),
    }
    status: int | None = None
    try:
        answer = await fetch(
            message["url"],
            delivery.limits,
            method="POST",
            headers=headers,
            content=body,
            read_body=False,
            follow=False,
        )
        status = answer.status
        # Stored in English: the page or mail that shows it translates it.
        error = "" if 200 <= status < 300 else words.ANSWERED.format(status=status)
    except FetchError as failed:
        error = failed.message
    attempts = message["attempts"] + 1
    async with db.write():
        if not error:
            await queries.record_attempt(
                db,
                message["id"],
                status="delivered",
                attempts=attempts,
                last_attempt_at=at,
                last_status=status,
                last_error="",
                delivered_at=at,
            )
            await queries.reset_failures(db, message["endpoint_id"])
            return True
        gave_up = attempts > len(RETRY_AFTER)
        await queries.record_attempt(
            db,
            message["id"],
            status="failed" if gave_up else "pending",
            attempts=attempts,
            last_attempt_at=at,
            last_status=status,
            last_error=error[:300],
            next_attempt_at=at if gave_up else at + RETRY_AFTER[attempts - 1],
        )
        failures = await queries.count_failure(db, message["endpoint_id"])
        if failures >= delivery.disable_after:
            await _turn_off(db, ctx, delivery, message["endpoint_id"], error, failures)
    return False


async def _turn_off(
    db: Database,
    ctx: Context,
    delivery: Delivery,
    endpoint_id: int,
    error: str,
    failures: int,
) -> None:
    reason = words.TURNED_OFF.format(failures=failures, error=error)
    if not await queries.disable(db, endpoint_id, reason):
        return  # another worker turned it off and told the host
    host = await queries.host_of_endpoint(db, endpoint_id)
    assert host is not None
    # A host mail: in the page's language, the reason too.
    with i18n.use(host["language"]):
        reason = words.said(reason)
    draft = ctx.mail.render(
        "webhook_disabled",
        to=(host["name"], host["email"]),
        owner=Owner(host["id"]),
        context={
            "host": host,
            "url": host["endpoint_url"],
            "reason": reason,
            "link": f"{ctx.base_url}/admin/integrations/webhooks/{endpoint_id}",
        },
        language=host["language"],
    )
    await ctx.queue(db, draft)


async def resend(db: Database, host_id: int, endpoint_id: int, message_id: int) -> None:
    """Delivers a message again (a failed one, or one the receiver lost),
    under the same id."""
    async with db.write():
        if await queries.endpoint(db, host_id, endpoint_id) is None:
            raise NotFound(_("There is no such webhook among yours."))
        found = await queries.message(db, endpoint_id, message_id)
        if found is None:
            raise NotFound(_("There is no such delivery."))
        await queries.record_attempt(
            db, message_id, status="pending", next_attempt_at=now()
        )
