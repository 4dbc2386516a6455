"""Follower workflows: asking to follow, confirming, unsubscribing, and
telling followers about a new public event. Each runs in one write."""

from __future__ import annotations

from meetup.core import tokens
from meetup.core.clock import now
from meetup.db import Database, Row
from meetup.events import queries as events
from meetup.events.service import Change
from meetup.followers import queries
from meetup.mail.context import Context
from meetup.mail.messages import Owner
from meetup.people import queries as people
from meetup.sources.service import Attribution
from meetup.webhooks import queries as webhook_queries
from meetup.webhooks import service as webhooks

CONFIRM_SCOPE = "follow"
UNSUBSCRIBE_SCOPE = "unfollow"


async def follow(
    db: Database,
    ctx: Context,
    host: Row,
    name: str,
    email: str,
    source: Attribution,
    language: str = "",
) -> None:
    """Asks to follow: a confirmation mail, even for someone who followed
    before (the page says the same either way, so it tells nobody who
    follows whom). A known address changes nothing stored: only its own
    confirmation link does."""
    async with db.write():
        person = await people.person_id(db, email, name)
        row = await queries.of_person(db, host["id"], person)
        follower_id = (
            row["id"]
            if row
            else await queries.insert(
                db,
                host_id=host["id"],
                person_id=person,
                name=name,
                status="pending",
                token_nonce=tokens.new_nonce(),
                language=language,
                first_source_id=source.first,
                last_source_id=source.last,
            )
        )
        follower = await queries.by_id(db, follower_id)
        assert follower is not None
        if follower["status"] != "confirmed":
            confirm_link = ctx.signed_link(CONFIRM_SCOPE, follower, "f/{token}")
            await _mail(
                db, ctx, "follow_confirm", follower, {"confirm_link": confirm_link}
            )


async def set_status(db: Database, follower_id: int, status: str) -> None:
    async with db.write():
        before = await queries.by_id(db, follower_id)
        await queries.set_status(db, follower_id, status)
        if before and before["status"] != "confirmed" and status == "confirmed":
            listeners = await webhook_queries.listening(db, before["host_id"])
            await webhooks.emit(
                db,
                listeners,
                "follower.created",
                {
                    "follower": {
                        "id": before["id"],
                        "name": before["name"],
                        "email": before["email"],
                        "followed_at": now(),
                    }
                },
            )


async def on_event_change(ctx: Context, db: Database, change: Change) -> dict[str, int]:
    return {"new_event": await announce_if_new(db, ctx, change.after)}


async def announce_if_new(db: Database, ctx: Context, event: Row) -> int:
    """Inside the host's write: followers hear of a public event the first
    time it is published (never again after edits or a republish). Returns
    how many were mailed."""
    if (
        event["status"] == "published"
        and event["visibility"] == "public"
        and event["announced_at"] is None
    ):
        await events.mark_announced(db, event["id"])
        return await announce(db, ctx, event)
    return 0


async def announce(db: Database, ctx: Context, event: Row) -> int:
    """A newly published public event, to each confirmed follower, once."""
    count = 0
    for follower in await queries.confirmed(db, event["host_id"]):
        unsubscribe = ctx.signed_link(
            UNSUBSCRIBE_SCOPE, follower, "unsubscribe/{token}"
        )
        extra: dict[str, object] = {
            "event": event,
            "event_url": f"{ctx.base_url}/e/{event['slug']}",
            "unsubscribe": unsubscribe,
        }
        await _mail(db, ctx, "new_event", follower, extra, unsubscribe)
        count += 1
    return count


async def _mail(
    db: Database,
    ctx: Context,
    kind: str,
    follower: Row,
    extra: dict[str, object],
    unsubscribe_url: str = "",
) -> None:
    context = {"name": follower["name"], "host_name": follower["host_name"], **extra}
    draft = ctx.mail.render(
        kind,
        to=(follower["name"], follower["email"]),
        owner=Owner(follower["host_id"], follower["person_id"]),
        context=context,
        unsubscribe_url=unsubscribe_url,
        language=follower["language"] or follower["host_language"],
    )
    await ctx.queue(db, draft)
