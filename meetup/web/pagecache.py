"""Public pages, shared by every anonymous visitor: rendered once, kept in a
bounded in-process cache and sent with a strong ETag and a `Cache-Control`
that lets browsers and a reverse proxy keep them briefly.

A page says what it shows (`Subject`): the version keys of the data it is
made of (meetup.db.versions). A copy is served while those versions are
unchanged and it is younger than `max-age` (times change pages too: an event
starts, a chat's notice runs out), so serving it costs one SELECT of a few
version rows and no rendering; a change made by any worker bumps a version in
its own transaction, so every worker's copy goes stale at once.

A visitor whose cookies change the page (a host's session, the answer this
browser gave, a tracked link that told us where we met) gets a page of their
own, marked `private, no-store`, and never a shared copy.

Copies are kept gzip-compressed (a fifth of their size, so a worker holds
every page of a large site in a few MB) and sent as they are to the clients
that accept gzip, which every browser does; others get them inflated."""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

from meetup.core.clock import now
from meetup.db import versions
from meetup.web.conditional import not_modified
from meetup.web.csrf import SESSION_KEY as CSRF_KEY
from meetup.web.language import chosen_language

PRIVATE = "private, no-store"
# Query parameters that record a visit (a tracked link or a campaign): such a
# request writes, and answers with a cookie; never served from a copy.
TRACKING = ("ref", "utm_source")
# What a shared copy varies on: the encoding, and a visitor with a cookie
# may see their own page.
VARY = "Accept-Encoding, Accept-Language, Cookie"
GZIP = 31  # zlib's wbits for the gzip format
GZIP_LEVEL = 6
# Headers a copy never repeats: its own are set when it is sent.
_NOT_KEPT = frozenset(
    {b"content-length", b"set-cookie", b"etag", b"cache-control", b"vary"}
)


@dataclass(frozen=True)
class Subject:
    """What a public page shows, as far as caching goes: the version keys of
    its data, the host and event whose per-visitor parts a cookie may change,
    and the next instant its content changes by itself (an event starts)."""

    keys: tuple[str, ...]
    host_id: int | None = None
    event_id: int | None = None
    changes_at: datetime | None = None


@dataclass(frozen=True)
class Copy:
    gzipped: bytes
    etag: str
    headers: tuple[tuple[bytes, bytes], ...]
    subject: Subject
    versions: tuple[int, ...]
    made_at: datetime
    fresh_until: datetime

    @property
    def gzipped_etag(self) -> str:
        """A strong ETag names one representation: the compressed one has
        its own (RFC 9110 §8.8.3)."""
        return self.etag[:-1] + '-gzip"'

    def fresh(self, values: tuple[int, ...], at: datetime) -> bool:
        return values == self.versions and self.made_at <= at < self.fresh_until

    def serves(self, subject: Subject, values: tuple[int, ...], at: datetime) -> bool:
        """Whether this copy is the page of `subject` at `values`, now."""
        return self.subject == subject and self.fresh(values, at)

    def subject_holds(self, values: tuple[int, ...], at: datetime) -> bool:
        """Whether the address still shows the same subject: subjects are
        looked up in the catalog's data (events by slug, hosts by handle), so
        they hold while its version does, until their next change."""
        keys, changes_at = self.subject.keys, self.subject.changes_at
        if versions.CATALOG not in keys or (changes_at and changes_at <= at):
            return False
        catalog = keys.index(versions.CATALOG)
        return values[catalog] == self.versions[catalog]


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass
class PageCache:
    """The newest copies, least recently used dropped first, within `entries`
    and `max_bytes`."""

    entries: int = 2048
    max_bytes: int = 16 * 2**20  # compressed
    _copies: OrderedDict[str, Copy] = field(default_factory=OrderedDict)
    _bytes: int = 0
    _renders: dict[str, _Turn] = field(default_factory=dict)

    @asynccontextmanager
    async def rendering(self, key: str) -> AsyncIterator[None]:
        """One render of a page at a time: a crowd arriving as a page changes
        waits for one copy instead of each rendering its own."""
        turn = self._renders.setdefault(key, _Turn())
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if turn.users == 0:
                self._renders.pop(key, None)

    def get(self, key: str) -> Copy | None:
        copy = self._copies.get(key)
        if copy is not None:
            self._copies.move_to_end(key)
        return copy

    def put(self, key: str, copy: Copy) -> None:
        self.discard(key)
        self._copies[key] = copy
        self._bytes += len(copy.gzipped)
        while self._copies and (
            len(self._copies) > self.entries or self._bytes > self.max_bytes
        ):
            _, dropped = self._copies.popitem(last=False)
            self._bytes -= len(dropped.gzipped)

    def discard(self, key: str) -> None:
        dropped = self._copies.pop(key, None)
        if dropped is not None:
            self._bytes -= len(dropped.gzipped)

    def __len__(self) -> int:
        return len(self._copies)


Endpoint = Callable[[Request], Awaitable[Response]]
About = Callable[[Request], Awaitable[Subject | None]]
# What a visitor's cookies make of a page: False, the shared copy; True, a
# page of their own; a name, a copy shared by the visitors its name stands
# for (all those a post of this host's brought, say), never by a proxy.
Personal = Callable[[Request, Subject], Awaitable[bool | str]]


async def nothing_personal(request: Request, subject: Subject) -> bool | str:
    return False


def has_session(request: Request) -> bool:
    """A session with anything in it (a host signed in, a notice waiting, a
    guest's "we met" links); the CSRF token alone, which sessions made before
    anonymous forms lost theirs still carry, changes nothing on a page."""
    session = request.scope.get("session") or {}
    return any(key != CSRF_KEY for key in session)


def tracked(request: Request) -> bool:
    return any(name in request.query_params for name in TRACKING)


def shared_page(endpoint: Endpoint, *, about: About, personal: Personal) -> Endpoint:
    """`endpoint` (a public GET page) served from shared copies to anonymous
    visitors; `about` says what a request's page shows (None: nothing to
    share, a 404), `personal` whether this visitor's cookies change it."""

    async def page(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return await endpoint(request)
        if tracked(request) or has_session(request):
            return private(await endpoint(request))
        cache: PageCache = request.app.state.page_cache
        db = request.app.state.db
        # One copy per language a visitor may be given (None: the page's own).
        language = chosen_language(request) or ""
        key = f"{language}:{request.url.path}?{request.url.query}"
        copy = cache.get(key)
        subject: Subject | None = None
        values: tuple[int, ...] = ()
        if copy is not None:
            own = await _own_kind(request, endpoint, personal, key, copy.subject)
            if own is not None:
                return own
            values = await versions.values(db, copy.subject.keys)
            at = now()
            if copy.fresh(values, at):
                return shared(request, copy)
            if copy.subject_holds(values, at):
                subject = copy.subject
        if subject is None:
            subject = await about(request)
            if subject is None:
                cache.discard(key)
                return await endpoint(request)
            if copy is None or subject != copy.subject:
                own = await _own_kind(request, endpoint, personal, key, subject)
                if own is not None:
                    return own
                # Read before the page's data: a change committed while it
                # renders is newer than the copy, which is then made again.
                values = await versions.values(db, subject.keys)
        return await _render(request, endpoint, key, subject, values)

    return page


async def _own_kind(
    request: Request, endpoint: Endpoint, personal: Personal, key: str, subject: Subject
) -> Response | None:
    """The page of a visitor whose cookies change it: their own, or the copy
    shared by their kind (sent to them alone, `private`, kept while the
    subject's versions hold); None for the shared page."""
    who = await personal(request, subject)
    if who is True:
        return private(await endpoint(request))
    if not who:
        return None
    key = f"{key}#{who}"
    values = await versions.values(request.app.state.db, subject.keys)
    copy = request.app.state.page_cache.get(key)
    if copy is not None and copy.serves(subject, values, now()):
        return shared(request, copy, cache_control=PRIVATE)
    return await _render(request, endpoint, key, subject, values, PRIVATE)


async def _render(
    request: Request,
    endpoint: Endpoint,
    key: str,
    subject: Subject,
    values: tuple[int, ...],
    control: str | None = None,
) -> Response:
    """The page rendered and kept; those who come while it renders wait and
    share its copy."""
    cache: PageCache = request.app.state.page_cache
    async with cache.rendering(key):
        copy = cache.get(key)
        if copy is not None and copy.serves(subject, values, now()):
            return shared(request, copy, cache_control=control)
        at = now()
        response = await endpoint(request)
        made = _copy(request, response, subject, values, at)
        if made is None:
            cache.discard(key)
            return private(response)
        cache.put(key, made)
    return shared(request, made, cache_control=control)


def _copy(
    request: Request,
    response: Response,
    subject: Subject,
    values: tuple[int, ...],
    at: datetime,
) -> Copy | None:
    """The response as a copy to share, if it can be: a 200 that sets no
    cookie (the session stayed empty too)."""
    if response.status_code != 200 or has_session(request):
        return None
    if any(name == b"set-cookie" for name, _ in response.raw_headers):
        return None
    body = bytes(response.body)
    ttl = timedelta(seconds=request.app.state.settings.public_max_age)
    fresh_until = at + ttl
    if subject.changes_at is not None and at < subject.changes_at < fresh_until:
        fresh_until = subject.changes_at
    return Copy(
        gzipped=_gzip(body),
        etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
        headers=tuple(
            (name, value)
            for name, value in response.raw_headers
            if name not in _NOT_KEPT
        ),
        subject=subject,
        versions=values,
        made_at=at,
        fresh_until=fresh_until,
    )


def _gzip(body: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP)
    return compressor.compress(body) + compressor.flush()


@lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): named, or
    `*`, without `q=0`. Browsers send a few distinct values: each is read once."""
    allowed: dict[str, bool] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        quality = params.strip().removeprefix("q=").strip() or "1"
        try:
            allowed[name.strip()] = float(quality) > 0
        except ValueError:
            allowed[name.strip()] = False
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


def public_cache_control(request: Request) -> str:
    settings = request.app.state.settings
    return (
        f"public, max-age={settings.public_max_age}, "
        f"stale-while-revalidate={settings.public_stale_seconds}"
    )


def shared(
    request: Request, copy: Copy, *, cache_control: str | None = None
) -> Response:
    """The copy, or 304 Not Modified when the client holds it already."""
    control = cache_control or public_cache_control(request)
    gzipped = accepts_gzip(request.headers.get("accept-encoding", ""))
    etag = copy.gzipped_etag if gzipped else copy.etag
    validators = {"ETag": etag, "Cache-Control": control}
    if not_modified(request, etag, None):
        response = Response(status_code=304, headers=validators)
    elif gzipped:
        response = Response(copy.gzipped, headers=validators)
        response.raw_headers[:0] = [*copy.headers, (b"content-encoding", b"gzip")]
    else:
        response = Response(zlib.decompress(copy.gzipped, GZIP), headers=validators)
        response.raw_headers[:0] = list(copy.headers)
    # The session middleware adds Cookie itself when the page read the session.
    session_read = getattr(request.scope.get("session"), "accessed", False)
    response.headers["Vary"] = (
        "Accept-Encoding, Accept-Language" if session_read else VARY
    )
    return response


def private(response: Response) -> Response:
    """A page made for this visitor alone: no cache may keep it."""
    response.headers["Cache-Control"] = PRIVATE
    return response
