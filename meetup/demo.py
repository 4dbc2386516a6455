"""`meetup serve --demo`: a demo host with a few upcoming events, seeded once."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from meetup.calendars.recurrence import WEEKLY, Rule
from meetup.coffee import queries as coffee
from meetup.core.clock import now
from meetup.core.tokens import new_nonce
from meetup.db import Database
from meetup.db.tables import (
    followers,
    meetings,
    newsletter_deliveries,
    newsletters,
    outbox,
    person_notes,
    rsvps,
)
from meetup.db.tables import (
    people as people_table,
)
from meetup.events import cohosts, log, series
from meetup.events import queries as events
from meetup.events import service as event_service
from meetup.hosts import members
from meetup.hosts import queries as hosts
from meetup.hosts import service as host_service
from meetup.mail.context import Context
from meetup.people import queries as people
from meetup.rsvps import queries as rsvp_queries
from meetup.rsvps import service as rsvp_service
from meetup.rsvps.invitations import parse_contacts
from meetup.sources import queries as source_queries
from meetup.sources import service as source_service
from meetup.sources.service import Attribution

DEMO_HOST = host_service.NewHost(
    email="demo@example.com",
    handle="demo",
    name="Dana Demo",
    timezone="Europe/London",
    bio="I host small, friendly meetups for people I meet online. Say hi!",
)


@dataclass(frozen=True)
class DemoEvent:
    slug: str
    title: str
    summary: str
    description: str
    days_ahead: int
    start: time
    hours: float
    venue_name: str
    venue_address: str
    capacity: int | None
    all_day_days: int = 0  # an all-day event over this many days
    venue_lat: float | None = None
    venue_lon: float | None = None
    weekly_dates: int = 0  # a weekly series of this many dates

    def rule(self) -> Rule | None:
        return Rule(WEEKLY, count=self.weekly_dates) if self.weekly_dates else None

    def values(self, today: date) -> dict[str, Any]:
        """The event's fields, `days_ahead` of `today` in the demo host's zone."""
        zone = ZoneInfo(DEMO_HOST.timezone)
        starts = datetime.combine(
            today + timedelta(days=self.days_ahead), self.start, zone
        )
        ends = starts + timedelta(hours=self.hours)
        if self.all_day_days:
            starts = datetime.combine(starts.date(), time(), zone)
            ends = datetime.combine(
                starts.date() + timedelta(days=self.all_day_days), time(), zone
            )
        fields = asdict(self)
        for key in ("days_ahead", "start", "hours", "all_day_days", "weekly_dates"):
            del fields[key]
        return {
            **fields,
            "all_day": bool(self.all_day_days),
            "starts_at": starts.astimezone(UTC),
            "ends_at": ends.astimezone(UTC),
            "timezone": DEMO_HOST.timezone,
            "visibility": "public",
        }


DEMO_EVENTS = (
    DemoEvent(
        slug="coffee-and-code",
        title="Coffee & Code",
        summary="Bring a laptop or just yourself: an easy morning of side projects.",
        description="We take the big table at the back.\n\n- Say hi to people you only know from the internet\n- Show what you are building\n- Leave with a new friend",
        days_ahead=3,
        start=time(9, 30),
        hours=2,
        venue_name="Prufrock Coffee",
        venue_address="23-25 Leather Lane, London EC1N 7TE",
        capacity=12,
        venue_lat=51.5197,
        venue_lon=-0.1089,
        weekly_dates=12,
    ),
    DemoEvent(
        slug="founders-breakfast",
        title="Founders' Breakfast",
        summary="A slow breakfast for people building small companies.",
        description="**No pitches**, just honest stories over eggs.",
        days_ahead=8,
        start=time(8, 0),
        hours=1.5,
        venue_name="The Breakfast Club",
        venue_address="33 D'Arblay Street, London W1F 8EU",
        capacity=8,
        venue_lat=51.5146,
        venue_lon=-0.1362,
    ),
    DemoEvent(
        slug="sunset-walk",
        title="Sunset walk on Primrose Hill",
        summary="Meet the people from the thread in person: a walk and a view.",
        description="We meet at the top of the hill and walk for about an hour.",
        days_ahead=12,
        start=time(18, 0),
        hours=1.5,
        venue_name="Primrose Hill summit",
        venue_address="Primrose Hill, London NW1 4NR",
        capacity=None,
        venue_lat=51.5394,
        venue_lon=-0.1608,
    ),
    DemoEvent(
        slug="chilterns-weekend",
        title="Weekend in the Chilterns",
        summary="Two days of walking and a night at a village inn.",
        description="Trains from Marylebone on Saturday morning; back on Sunday evening.",
        days_ahead=19,
        start=time(0, 0),
        hours=0,
        venue_name="The Red Lion",
        venue_address="Chinnor Road, Bledlow Ridge HP14 4AA",
        capacity=14,
        all_day_days=2,
    ),
)


# Guests for the demo events: (how many say going, how many join the waitlist,
# how many of the first bring a friend, contacts invited, whether a friend of
# the first guest answers through her share link). Founders' Breakfast ends
# up full with a waitlist.
DEMO_GUESTS: dict[str, tuple[int, int, int, tuple[str, ...], bool]] = {
    "coffee-and-code": (5, 0, 1, (), True),
    "founders-breakfast": (8, 2, 0, (), False),
    "chilterns-weekend": (4, 0, 2, (), False),
    "sunset-walk": (
        3,
        0,
        0,
        (
            "Mina <mina@example.com>",
            "Theo <theo@example.com>",
            "Priya <priya@example.com>",
        ),
        False,
    ),
}
NAMES = ("Alex", "Sam", "Jo", "Kai", "Noa", "Ravi", "Lena", "Omar", "Yuki", "Zoe")


async def seed(db: Database, login_url: str, ctx: Context) -> str:
    """Seeds what is missing and returns a fresh sign-in link for the demo host."""
    host = await hosts.by_email(db, DEMO_HOST.email)
    host_id = host["id"] if host else await host_service.create_host(db, DEMO_HOST)
    today = now().astimezone(ZoneInfo(DEMO_HOST.timezone)).date()
    fresh = []
    for spec in DEMO_EVENTS:
        if not await events.slug_taken(db, spec.slug):
            rule = spec.rule()
            if rule is None:
                event = await event_service.create_event(
                    db, host_id, spec.values(today)
                )
            else:
                event = await series.create(db, host_id, spec.values(today), rule)
            await series.publish_all(db, host_id, event["id"])
            fresh.append((event["id"], spec.slug))
    await _seed_coffee(db, host_id)
    source_ids = await _seed_sources(db, host_id)
    for event_id, slug in fresh:
        await _seed_guests(db, ctx, event_id, source_ids, DEMO_GUESTS[slug])
    await _seed_past_event(db, host_id, today, source_ids)
    await _seed_relationships(db, host_id)
    await _seed_team(db, host_id)
    async with db.write():
        return await host_service.new_login_link(db, host_id, login_url)


# Dana runs Coffee & Code with Omar (an organiser of @demo), and co-hosts the
# sunset walk with Python London, a community page Dana also owns.
ORGANISER = ("omar@example.com", "Omar Okafor")
COMMUNITY = host_service.NewHost(
    email="hello@pylondon.example",
    handle="pylondon",
    name="Python London",
    timezone="Europe/London",
    bio="Talks, sprints and coffee for Pythonistas in London. All levels welcome.",
    kind="community",
    owner_email=DEMO_HOST.email,
)
COHOSTED = "sunset-walk"


async def _seed_team(db: Database, host_id: int) -> None:
    if await hosts.by_handle(db, COMMUNITY.handle) is not None:
        return
    email, name = ORGANISER
    async with db.write():
        await members.add(db, host_id, email, name, members.ORGANISER, DEMO_HOST.name)
    # Omar's edit shows in the series' next date's history.
    coffee_and_code = await events.by_slug_with_host(db, "coffee-and-code")
    if coffee_and_code is not None:
        omar = {"member_name": name, "member_email": email, "role": members.ORGANISER}
        dana = {
            "member_name": DEMO_HOST.name,
            "member_email": DEMO_HOST.email,
            "role": members.OWNER,
        }
        found = await series.by_id(db, coffee_and_code["series_id"])
        said = series.describe(found) if found else "weekly"
        await log.record(db, coffee_and_code["id"], dana, f"created the series: {said}")
        await log.record(db, coffee_and_code["id"], dana, "published")
        await log.record(db, coffee_and_code["id"], omar, "edited description")
    community_id = await host_service.create_host(db, COMMUNITY)
    walk = await events.by_slug_with_host(db, COHOSTED)
    if walk is not None:
        await cohosts.invite(db, host_id, walk["id"], COMMUNITY.handle)
        await cohosts.answer(db, community_id, walk["id"], accept=True)


# (label, kind, platform, clicks, distinct visitors, link previews): where the
# demo host's guests came from. Some visitors click twice.
DEMO_SOURCES = (
    ("LinkedIn post: “who wants to code over coffee?”", "post", "LinkedIn", 42, 35, 7),
    ("Instagram story from the last meetup", "post", "Instagram", 18, 15, 3),
    ("DM thread with the Python group", "conversation", "WhatsApp", 12, 9, 0),
    ("Flyer at Prufrock Coffee", "in_person", "Flyer", 9, 9, 0),
)
# Which source (an index in DEMO_SOURCES) brought the n-th guest of an event,
# in turn: most from LinkedIn, a few from the flyer.
LAST_TOUCH = (0, 1, 0, 2, 0, 1, 3, 0, 2, 1)
# The conversation the invited contacts come from.
INVITED_FROM = 2


async def _seed_sources(db: Database, host_id: int) -> list[int]:
    """The demo host's sources (made once, with their clicks and previews
    spread over the last weeks); their ids in DEMO_SOURCES' order."""
    ids = []
    at = now()
    for label, kind, platform, clicked, visitors, previewed in DEMO_SOURCES:
        found = await source_queries.find(db, host_id, label=label)
        if found:
            ids.append(int(found["id"]))
            continue
        source_id = await source_service.create_source(
            db,
            host_id,
            label=label,
            kind=kind,
            platform=platform,
            target="event",
            event_id=await _event_id(db, "coffee-and-code"),
        )
        ids.append(source_id)
        async with db.write():
            for n in range(clicked + previewed):
                preview = n >= clicked
                await source_queries.record_click(
                    db,
                    source_id,
                    visitor="" if preview else f"demo-{source_id}-{n % visitors}",
                    referrer_host="",
                    preview=preview,
                    at=at - timedelta(days=45 * n / (clicked + previewed), hours=1),
                )
    return ids


def _attribution(source_ids: list[int], n: int) -> Attribution:
    """The n-th guest's last touch, and for every third guest a first touch
    elsewhere (they saw another post before the one they answered from)."""
    last = LAST_TOUCH[n % len(LAST_TOUCH)]
    first = (last + 1) % len(source_ids) if n % 3 == 2 else last
    return Attribution(first=source_ids[first], last=source_ids[last])


async def _seed_past_event(
    db: Database, host_id: int, today: date, source_ids: list[int]
) -> None:
    """Last month's meetup: eight answers (one with a friend), seven of them
    checked in, so the dashboard has something real on first start. Written
    directly (RSVPs to a past event are closed), seats held as the capacity
    rule would hold them."""
    spec = DemoEvent(
        slug="coffee-and-code-october",
        title="Coffee & Code (last month)",
        summary="Where it started: eight people, one long table.",
        description="Thanks for coming!",
        days_ahead=-25,
        start=time(9, 30),
        hours=2,
        venue_name="Prufrock Coffee",
        venue_address="23-25 Leather Lane, London EC1N 7TE",
        capacity=12,
        venue_lat=51.5197,
        venue_lon=-0.1089,
    )
    if await events.slug_taken(db, spec.slug):
        return
    past = await event_service.create_event(db, host_id, spec.values(today))
    await event_service.publish(db, host_id, past["id"])
    answered = past["starts_at"] - timedelta(days=3)
    async with db.write():
        for n in range(8):
            person = await people.person_id(db, f"past{n}@example.com", NAMES[n])
            touch = _attribution(source_ids, n)
            party = 1 if n == 2 else 0
            taken = await rsvp_queries.take_seats(db, past["id"], 1 + party)
            assert taken, "the past demo event has room for everyone"
            rsvp_id = await rsvp_queries.insert(
                db,
                event_id=past["id"],
                person_id=person,
                name=NAMES[n],
                status="going",
                guests=party,
                seats=1 + party,
                token_nonce=new_nonce(),
                first_source_id=touch.first,
                last_source_id=touch.last,
                show_name=n % 2 == 0,
                confirmed_at=answered + timedelta(hours=n),
                checked_in_at=past["starts_at"] + timedelta(minutes=5 * n)
                if n < 7
                else None,
            )
            await db.execute(
                rsvps.update()
                .where(rsvps.c.id == rsvp_id)
                .values(
                    created_at=answered + timedelta(hours=n),
                    updated_at=answered + timedelta(hours=n),
                )
            )


FEEDBACK = (
    ("great", "Best Thursday morning in ages. More of these please!"),
    ("great", ""),
    ("good", "Loved it; a bit loud near the espresso machine."),
    ("great", "Met two people from my field, thank you."),
)
LETTER = """Hi friends,

December is here, and with it a new season of **Coffee & Code**: every
Thursday morning at Prufrock. Bring a laptop, or just a question.

- Thank you to the eight of you who came last month: seven new connections!
- Want a 1:1 instead? My coffee page is open for December.

See you at the long table,

Dana"""


async def _seed_relationships(db: Database, host_id: int) -> None:
    """After last month's meetup: who met whom, their feedback, six of them
    following the page, a note on Alex, and a newsletter they were sent."""
    past = await db.fetch_all(
        sa.select(
            rsvps.c.id,
            rsvps.c.person_id,
            rsvps.c.checked_in_at,
            rsvps.c.first_source_id,
            rsvps.c.last_source_id,
        )
        .join(people_table, people_table.c.id == rsvps.c.person_id)
        .where(people_table.c.email.like("past%@example.com"))
        .order_by(rsvps.c.id)
    )
    if not past or await db.fetch_val(
        sa.select(sa.func.count()).where(newsletters.c.host_id == host_id)
    ):
        return
    event_id = await _event_id(db, "coffee-and-code-october")
    at = past[0]["checked_in_at"]
    async with db.write():
        for a, b in ((0, 1), (0, 2), (1, 3), (2, 4), (3, 5)):
            await db.execute(
                meetings.insert().values(
                    event_id=event_id,
                    rsvp_a=past[a]["id"],
                    rsvp_b=past[b]["id"],
                    created_at=at + timedelta(minutes=30 + a),
                )
            )
        for row, (answer, note) in zip(past, FEEDBACK, strict=False):
            await db.execute(
                rsvps.update()
                .where(rsvps.c.id == row["id"])
                .values(
                    feedback=answer,
                    feedback_note=note,
                    feedback_at=at + timedelta(hours=5),
                    followed_up_at=at + timedelta(hours=4),
                )
            )
        for n, row in enumerate(past[:6]):
            await db.execute(
                followers.insert().values(
                    host_id=host_id,
                    person_id=row["person_id"],
                    name=NAMES[n],
                    status="confirmed",
                    token_nonce=new_nonce(),
                    first_source_id=row["first_source_id"],
                    last_source_id=row["last_source_id"],
                    created_at=at + timedelta(hours=6 + n),
                    confirmed_at=at + timedelta(hours=6 + n),
                )
            )
        await db.execute(
            person_notes.insert().values(
                host_id=host_id,
                person_id=past[0]["person_id"],
                body="Runs the Python user group in Leeds; wants to co-host a "
                "sprint in the spring.",
                tags="speaker, Python, co-host?",
                updated_at=at + timedelta(days=1),
            )
        )
        sent_at = now() - timedelta(days=3)
        letter_id = await db.insert(
            newsletters.insert().values(
                host_id=host_id,
                subject="December: a new season of Coffee & Code",
                body=LETTER,
                status="sent",
                created_at=sent_at,
                updated_at=sent_at,
                sent_at=sent_at,
            )
        )
        for row in past[:6]:
            await db.execute(
                newsletter_deliveries.insert().values(
                    newsletter_id=letter_id,
                    person_id=row["person_id"],
                    queued_at=sent_at,
                )
            )


async def _seed_coffee(db: Database, host_id: int) -> None:
    """Weekday mornings at a named café, if the demo host has no rules yet."""
    if await coffee.rules(db, host_id):
        return
    async with db.write():
        await coffee.save_settings(
            db, host_id, question="What are you working on?", confirm_by_email=True
        )
        await coffee.insert_rule(
            db,
            host_id,
            weekdays="12345",
            start_minute=9 * 60,
            end_minute=12 * 60,
            slot_minutes=30,
            buffer_minutes=15,
            notice_hours=12,
            horizon_days=21,
            daily_max=3,
            place_name="Prufrock Coffee",
            place_address="23-25 Leather Lane, London EC1N 7TE",
        )


async def _seed_guests(
    db: Database,
    ctx: Context,
    event_id: int,
    source_ids: list[int],
    guests: tuple[int, int, int, tuple[str, ...], bool],
) -> None:
    """Demo guests answer through the real workflows, each attributed to one
    of the demo sources; their mails (to example.com addresses) are dropped
    so the console shows only yours."""
    going, waiting, with_friend, invited, referred = guests
    for n in range(going + waiting):
        name = NAMES[n % len(NAMES)]
        reply = rsvp_service.Reply(
            name=name,
            email=f"{name.lower()}{n}@example.com",
            guests=1 if n < with_friend else 0,
            source=_attribution(source_ids, n),
            show_name=n % 3 != 2,
        )
        outcome = await rsvp_service.submit(db, ctx, event_id, reply)
        await rsvp_service.answer(db, ctx, ctx.token(outcome.rsvp), "going")
    if invited:
        contacts = parse_contacts("\n".join(invited)).contacts
        conversation = source_ids[INVITED_FROM]
        await rsvp_service.invite(
            db,
            ctx,
            event_id,
            contacts,
            {contact.email: conversation for contact in contacts},
            daily_limit=len(contacts),
        )
    if referred:
        await _seed_referral(db, ctx, event_id)
    async with db.write():
        await db.execute(
            outbox.delete().where(
                outbox.c.recipient.like("%@example.com"), outbox.c.status == "pending"
            )
        )


async def _seed_referral(db: Database, ctx: Context, event_id: int) -> None:
    """A friend of the event's first guest follows her share link and
    answers: the sources page has a guest's link that brought someone."""
    first = (await rsvp_queries.with_status(db, event_id, ("going",)))[0]
    event = await events.by_id_with_host(db, event_id)
    assert event is not None
    link = await source_service.share_link_for(
        db, event["host_id"], first["person_id"], first["name"], event_id
    )
    async with db.write():
        await source_queries.record_click(
            db,
            link["id"],
            visitor="demo-friend",
            referrer_host="",
            preview=False,
            at=now() - timedelta(days=1),
        )
    reply = rsvp_service.Reply(
        name="Mia",
        email="mia.friend@example.com",
        source=Attribution(first=link["id"], last=link["id"]),
    )
    outcome = await rsvp_service.submit(db, ctx, event_id, reply)
    await rsvp_service.answer(db, ctx, ctx.token(outcome.rsvp), "going")


async def _event_id(db: Database, slug: str) -> int:
    event = await events.by_slug_with_host(db, slug)
    assert event is not None, f"the demo event {slug} is seeded first"
    return int(event["id"])
