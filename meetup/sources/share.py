"""Share buttons: a visitor shares an event, a host's page or their coffee
page on a platform through the host's tracked link for that platform and
page (a "share" source, made on first use), so what sharing brings is
counted like any post."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote, urlencode

from meetup.core.i18n import gettext as _
from meetup.core.text import event_when
from meetup.db import Database, Row
from meetup.events import queries as events
from meetup.hosts import queries as hosts
from meetup.sources import queries, service

KIND = "share"

# Spaces as %20, not "+": not every share form reads "+" as a space.
_query = partial(urlencode, quote_via=quote)

# The pages that can be shared, by their path.
_EVENT = re.compile(r"^/e/(?P<slug>[^/?#]+)$")
_HOST = re.compile(r"^/@(?P<handle>[^/?#]+)$")
_COFFEE = re.compile(r"^/@(?P<handle>[^/?#]+)/coffee$")


@dataclass(frozen=True)
class Target:
    """A page being shared, and what the share says about it."""

    kind: str  # as sources.target: "event", "host" or "coffee"
    host_id: int
    event_id: int | None
    path: str
    title: str
    text: str  # one line: what, when, where
    label: str  # how the host's sources page names it


@dataclass(frozen=True)
class Platform:
    key: str  # in the URL: /share/{key}
    name: str  # sources.platform
    verb: str  # "Shared on WhatsApp"
    intent: Callable[[str, Target], str]  # (tracked link, target) → URL


def _whatsapp(link: str, target: Target) -> str:
    return "https://wa.me/?" + _query({"text": f"{target.text}\n{link}"})


def _linkedin(link: str, target: Target) -> str:
    return "https://www.linkedin.com/sharing/share-offsite/?" + _query({"url": link})


def _x(link: str, target: Target) -> str:
    return "https://x.com/intent/post?" + _query({"url": link, "text": target.text})


def _facebook(link: str, target: Target) -> str:
    return "https://www.facebook.com/sharer/sharer.php?" + _query({"u": link})


def _email(link: str, target: Target) -> str:
    # RFC 6068: a mailto URL is percent-encoded, and "?" needs no address.
    return "mailto:?" + _query(
        {"subject": target.title, "body": f"{target.text}\n\n{link}"}
    )


def _copy(link: str, target: Target) -> str:
    return link


PLATFORMS = {
    platform.key: platform
    for platform in (
        Platform("copy", "Link", "Copied link", _copy),
        Platform("whatsapp", "WhatsApp", "Shared on WhatsApp", _whatsapp),
        Platform("linkedin", "LinkedIn", "Shared on LinkedIn", _linkedin),
        Platform("x", "X", "Shared on X", _x),
        Platform("facebook", "Facebook", "Shared on Facebook", _facebook),
        Platform("email", "Email", "Shared by email", _email),
    )
}


async def target_for(db: Database, path: str) -> Target | None:
    """The public page at `path` that can be shared, or None."""
    if match := _EVENT.match(path):
        event = await events.by_slug_with_host(db, match["slug"])
        if event is None or event["status"] != "published":
            return None
        return _event_target(event, path)
    if match := _COFFEE.match(path) or _HOST.match(path):
        host = await hosts.by_handle(db, match["handle"])
        if host is None:
            return None
        # The title is the sharer's words (their language); the label is
        # part of the stored name of the host's source, so stays English.
        if path.endswith("/coffee"):
            title = _("Coffee with %(name)s") % {"name": host["name"]}
            return Target("coffee", host["id"], None, path, title, title, "coffee page")
        title = _("%(name)s's events") % {"name": host["name"]}
        return Target("host", host["id"], None, path, title, title, "your page")
    return None


def _event_target(event: Row, path: str) -> Target:
    place = event["venue_name"] or event["venue_address"]
    text = " · ".join(
        part for part in (event["title"], event_when(event), place) if part
    )
    label = f"event {event['title']}"
    return Target(
        "event", event["host_id"], event["id"], path, event["title"], text, label
    )


async def source_for(db: Database, target: Target, platform: Platform) -> Row:
    """The host's share source for this platform and page, made on first use
    (under the per-host lock, so two clicks never make two)."""
    match = {
        "kind": KIND,
        "platform": platform.name,
        "target": target.kind,
        "event_id": target.event_id,
    }
    label = f"{platform.verb} · {target.label}"[:140]
    source_id = await service.find_or_make(db, target.host_id, match, {"label": label})
    row = await queries.by_id_for_host(db, source_id, target.host_id)
    assert row is not None
    return row
