"""Realistic event rows for the calendar benchmark: rows of the `events` table
(meetup/db/tables.py) as plain dicts, with titles, summaries, 300–800 character
Markdown descriptions (some non-ASCII) and a mix of time zones. Deterministic:
the same count and start give the same rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC")
VENUES = {
    "Europe/Berlin": ("Café Kreuzberg", "Oranienstraße 183, 10999 Berlin"),
    "America/New_York": ("The Greenpoint Loft", "67 West St, Brooklyn, NY 11222"),
    "Asia/Tokyo": ("渋谷ラウンジ", "東京都渋谷区道玄坂1-2-3"),
    "UTC": ("Online", ""),
}
TOPICS = (
    "Python",
    "Rust",
    "Data engineering",
    "Product design",
    "Open source",
    "Machine learning",
    "Frontend",
    "PostgreSQL",
    "Café & Code",
    "Zürich founders",
    "Développeurs",
    "東京 Rust",
)
KINDS = (
    "meetup",
    "lightning talks",
    "workshop",
    "breakfast",
    "study group",
    "hack night",
    "book club",
    "panel",
)
SUBTITLES = (
    "async in practice",
    "what we learnt shipping to production",
    "hands-on, bring a laptop",
    "newcomers welcome",
    "from prototype to scale",
    "Q&A with the maintainers",
    "édition spéciale",
    "勉強会 #12",
)
SUMMARIES = (
    "An evening of short talks, good coffee and conversations with people "
    "who build things.",
    "Bring your questions and your laptop: we pair on real problems and share "
    "what works.",
    "A relaxed meetup for practitioners — talks, demos, and plenty of time to "
    "chat afterwards.",
    "Rencontre mensuelle : présentations courtes, démonstrations et échanges "
    "autour d'un café.",
    "月例の勉強会です。初心者も大歓迎、お気軽にご参加ください。",
)
SENTENCES = (
    "We start with a round of introductions so that everyone knows who is in the room.",
    "Our first speaker walks through a production incident and the fixes that "
    "came out of it.",
    "After the break there are three lightning talks of five minutes each; "
    "slots are still open.",
    "Doors open thirty minutes early, and there is tea, coffee and something to eat.",
    "The venue is step-free; please tell us in your RSVP if you need anything else.",
    "Slides and recordings are shared on the group page within a week.",
    "Nous terminons vers 21 h ; ceux qui veulent prolonger la discussion sont "
    "les bienvenus.",
    "Für Fragen meldet euch gern vorab bei den Organisator:innen.",
    "会場は駅から徒歩5分です。受付で名前をお伝えください。",
    "Please follow the code of conduct: be kind, be curious, and make room for others.",
    "If you cannot come after all, cancel your RSVP so someone on the waitlist "
    "gets your seat.",
    "We record the talks but not the discussion, and nobody is filmed without "
    "asking first.",
)
BULLETS = (
    "- 18:30 doors open\n- 19:00 talks\n- 20:30 drinks",
    "- **Talk 1:** profiling without guesswork\n- **Talk 2:** a tour of the "
    "new release",
    "- bring a laptop with Python 3.11+\n- no prior experience needed",
)


def _description(rng: random.Random) -> str:
    """Markdown paragraphs of 300–800 characters."""
    target = rng.randint(300, 800)
    parts = [rng.choice(BULLETS)]
    while sum(len(p) + 2 for p in parts) < target:
        parts.insert(-1, " ".join(rng.sample(SENTENCES, 2)))
    text = "\n\n".join(parts)
    return text[:target].rsplit(" ", 1)[0] if len(text) > 800 else text


def calendar_rows(count: int, start: datetime) -> list[dict[str, Any]]:
    """`count` public, published events from `start` (aware, UTC) on, ids and
    slugs from 1 (event-1, event-2…), starts spread over the months after."""
    rng = random.Random(5545)
    rows = []
    for n in range(1, count + 1):
        zone = ZONES[n % len(ZONES)]
        venue, address = VENUES[zone]
        starts = start.replace(minute=0, second=0, microsecond=0) + timedelta(
            days=1 + n // 6, hours=(n * 5) % 24, minutes=rng.choice((0, 15, 30))
        )
        changed = start - timedelta(days=rng.randint(1, 90), seconds=n)
        rows.append(
            {
                "id": n,
                "host_id": 1,
                "slug": f"event-{n}",
                "title": f"{rng.choice(TOPICS)} {rng.choice(KINDS)}: "
                f"{rng.choice(SUBTITLES)}",
                "summary": rng.choice(SUMMARIES),
                "description": _description(rng),
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=rng.choice((90, 120, 180))),
                "timezone": zone,
                "all_day": False,
                "venue_name": venue,
                "venue_address": address,
                "capacity": rng.choice((None, 30, 80)),
                "seats_taken": 0,
                "visibility": "public",
                "status": "published",
                "published_at": changed,
                "cancelled_at": None,
                "sequence": rng.choice((0, 0, 0, 1, 2)),
                "max_guests": 1,
                "waitlist": True,
                "confirm_by_email": True,
                "hold_minutes": 30,
                "rsvp_deadline": None,
                "reminder_hours": 24,
                "maybe_nudge_days": 3,
                "questions": "[]",
                "created_at": changed - timedelta(days=7),
                "updated_at": changed,
            }
        )
    return rows
