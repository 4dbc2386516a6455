"""Following a host by email: double opt-in from /@{handle}, attributed like
any guest; each new public event is mailed to followers once, as list mail
with one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import re

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meetup import tokens
from meetup.db import Database, Row
from meetup.db.tables import events, followers, hosts, now, people
from meetup.errors import NotFound
from meetup.forms import bind
from meetup.hosts import queries as host_queries
from meetup.hosts.forms import HANDLE_PATTERN
from meetup.mail.messages import Owner
from meetup.rsvps import queries as people_queries
from meetup.rsvps.forms import GuestForm
from meetup.rsvps.service import Context
from meetup.sources.service import Attribution
from meetup.web.csrf import checked_form
from meetup.web.pages import PageMeta, render

CONFIRM_SCOPE = "follow"
UNSUBSCRIBE_SCOPE = "unfollow"


class FollowForm(GuestForm):
    """Name and email, as for an RSVP."""


def _link(ctx: Context, scope: str, row: Row, path: str) -> str:
    token = tokens.signed_token(ctx.secret, scope, row["id"], row["token_nonce"])
    return f"{ctx.base_url}/{path}/{token}"


_with_people = (
    sa.select(
        followers,
        people.c.email,
        hosts.c.name.label("host_name"),
        hosts.c.handle.label("host_handle"),
    )
    .join(people, people.c.id == followers.c.person_id)
    .join(hosts, hosts.c.id == followers.c.host_id)
)


async def _by_id(db: Database, follower_id: int) -> Row | None:
    return await db.fetch_one(_with_people.where(followers.c.id == follower_id))


async def follow(
    db: Database, ctx: Context, host: Row, name: str, email: str, source: Attribution
) -> None:
    """Asks to follow: a confirmation mail, even for someone who followed
    before (the page says the same either way, so it tells nobody who
    follows whom). A known address changes nothing stored: only its own
    confirmation link does."""
    async with db.write():
        person = await people_queries.person_id(db, email, name)
        row = await db.fetch_one(
            followers.select().where(
                followers.c.host_id == host["id"], followers.c.person_id == person
            )
        )
        if row is None:
            follower_id = await db.insert(
                followers.insert().values(
                    host_id=host["id"],
                    person_id=person,
                    name=name,
                    status="pending",
                    token_nonce=tokens.new_nonce(),
                    first_source_id=source.first,
                    last_source_id=source.last,
                    created_at=now(),
                )
            )
        else:
            follower_id = row["id"]
        follower = await _by_id(db, follower_id)
        assert follower is not None
        if follower["status"] != "confirmed":
            await _mail(
                db,
                ctx,
                "follow_confirm",
                follower,
                {
                    "confirm_link": _link(ctx, CONFIRM_SCOPE, follower, "f"),
                },
            )


async def announce(db: Database, ctx: Context, event: Row) -> int:
    """A newly published public event, to each confirmed follower, once."""
    query = _with_people.where(
        followers.c.host_id == event["host_id"], followers.c.status == "confirmed"
    )
    count = 0
    for follower in await db.fetch_all(query):
        unsubscribe = _link(ctx, UNSUBSCRIBE_SCOPE, follower, "unsubscribe")
        await _mail(
            db,
            ctx,
            "new_event",
            follower,
            {
                "event": event,
                "event_url": f"{ctx.base_url}/e/{event['slug']}",
                "unsubscribe": unsubscribe,
            },
            unsubscribe_url=unsubscribe,
        )
        count += 1
    return count


async def announce_if_new(db: Database, ctx: Context, event: Row) -> None:
    """Inside the host's write: followers hear of a public event the first
    time it is published (never again after edits or a republish)."""
    if (
        event["status"] == "published"
        and event["visibility"] == "public"
        and event["announced_at"] is None
    ):
        await db.execute(
            events.update().where(events.c.id == event["id"]).values(announced_at=now())
        )
        await announce(db, ctx, event)


async def _mail(
    db: Database,
    ctx: Context,
    kind: str,
    follower: Row,
    extra: dict,
    unsubscribe_url: str = "",
) -> None:
    context = {"name": follower["name"], "host_name": follower["host_name"], **extra}
    draft = ctx.mail.render(
        kind,
        to=(follower["name"], follower["email"]),
        owner=Owner(follower["host_id"], follower["person_id"]),
        context=context,
        unsubscribe_url=unsubscribe_url,
    )
    await ctx.queue(db, draft)


async def _signed(request: Request, scope: str) -> Row:
    db = request.app.state.db
    row = await tokens.signed_row(
        request.path_params["token"],
        secret=request.app.state.rsvp.secret,
        scope=scope,
        load=lambda ident: _by_id(db, ident),
    )
    if row is None:
        raise NotFound("This link is not valid any more.")
    return row


async def _set_status(db: Database, follower_id: int, status: str) -> None:
    values: dict[str, object] = {"status": status}
    if status == "confirmed":
        values["confirmed_at"] = now()
    async with db.write():
        await db.execute(
            followers.update().where(followers.c.id == follower_id).values(**values)
        )


async def follow_form(request: Request) -> Response:
    from meetup.sources.routes import attribution_of

    handle = request.path_params["handle"].lower()
    db = request.app.state.db
    raw = await checked_form(request)
    host = (
        await host_queries.by_handle(db, handle)
        if re.match(HANDLE_PATTERN, handle)
        else None
    )
    if host is None:
        raise NotFound("There is no host with this handle.")
    form = bind(FollowForm, raw)
    meta = PageMeta(title=f"Follow {host['name']}", noindex=True)
    if not form.validate():
        return render(
            request,
            "followers/form.html",
            {"host": host, "form": form, "meta": meta},
            status=400,
        )
    ctx = request.app.state.rsvp
    if not await request.app.state.rate_limits.check(
        request, "follow", form.email.data
    ):
        ctx = ctx.muting(form.email.data)
    source = await attribution_of(request, host["id"], raw)
    await follow(
        db,
        ctx,
        host,
        form.name.data.strip(),
        form.email.data,
        source,
    )
    return render(
        request,
        "followers/sent.html",
        {"host": host, "email": form.email.data, "meta": meta},
    )


async def confirm(request: Request) -> Response:
    """GET shows one button (mail scanners open links); POST confirms."""
    posted = await checked_form(request) if request.method == "POST" else None
    follower = await _signed(request, CONFIRM_SCOPE)
    if posted is not None:
        await _set_status(request.app.state.db, follower["id"], "confirmed")
        follower = await _signed(request, CONFIRM_SCOPE)
    meta = PageMeta(title=f"Follow {follower['host_name']}", noindex=True)
    return render(
        request, "followers/confirm.html", {"follower": follower, "meta": meta}
    )


async def unsubscribe(request: Request) -> Response:
    """GET asks; POST unsubscribes. The POST needs no CSRF token: mail
    providers send RFC 8058 one-click POSTs, and the signed link is the
    proof; it only ever unsubscribes."""
    follower = await _signed(request, UNSUBSCRIBE_SCOPE)
    done = request.method == "POST"
    if done:
        await _set_status(request.app.state.db, follower["id"], "unsubscribed")
    meta = PageMeta(title="Unsubscribe", noindex=True)
    return render(
        request,
        "followers/unsubscribe.html",
        {"follower": follower, "done": done, "meta": meta},
    )


routes = [
    Route("/@{handle}/follow", follow_form, methods=["POST"], name="follow"),
    Route("/f/{token}", confirm, methods=["GET", "POST"], name="follow_confirm"),
    Route(
        "/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"], name="unsubscribe"
    ),
]
