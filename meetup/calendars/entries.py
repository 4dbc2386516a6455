"""What calendars show of our rows: an event row becomes an `Entry` for a
public feed or a download, a guest's copy (with organizer and attendee) for
an invitation or their private feed, or the host's copy with guest counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from meetup.calendars.ical import Attendee, Entry, Person, uid
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext

DESCRIPTION_LIMIT = 500
GOING_PARTSTAT = {"going": "ACCEPTED", "maybe": "TENTATIVE"}


@dataclass(frozen=True)
class Site:
    """Where links point and the domain that makes UIDs unique."""

    base_url: str

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def webcal(self, path: str) -> str:
        """The feed's subscribe link: calendar apps open webcal:// themselves."""
        return "webcal://" + self.url(path).split("://", 1)[1]

    def google_subscribe(self, path: str) -> str:
        return "https://calendar.google.com/calendar/r?" + urlencode(
            {"cid": self.webcal(path)}
        )


def event_uid(event: Mapping[str, Any], site: Site) -> str:
    return uid("event", event["id"], site.domain)


def event_entry(event: Mapping[str, Any], site: Site) -> Entry:
    url = site.url(f"/e/{event['slug']}")
    return Entry(
        uid=event_uid(event, site),
        sequence=event["sequence"],
        title=event["title"],
        starts_at=event["starts_at"],
        ends_at=event["ends_at"],
        timezone=event["timezone"],
        all_day=bool(event["all_day"]),
        location=location(event),
        description=_description(event, url),
        url=url,
        status="CANCELLED" if event["status"] == "cancelled" else "CONFIRMED",
        created=event["created_at"],
        last_modified=event["updated_at"],
    )


def guest_entry(
    event: Mapping[str, Any],
    host: Mapping[str, Any],
    rsvp: Mapping[str, Any],
    site: Site,
    *,
    manage_url: str,
) -> Entry:
    """The guest's own copy: the host organises, the guest alone attends, and
    the SEQUENCE includes the guest's own changes (rsvps.calendar_sequence).
    What it adds to the description is in the current language (the
    guest's: meetup.core.i18n); the title stays the host's."""
    entry = event_entry(event, site)
    yours = (
        ngettext(
            "Your RSVP (you and %(num)d guest): %(url)s",
            "Your RSVP (you and %(num)d guests): %(url)s",
            rsvp["guests"],
        )
        if rsvp["guests"]
        else _("Your RSVP: %(url)s")
    ) % {"num": rsvp["guests"], "url": manage_url}
    return replace(
        entry,
        sequence=entry.sequence + rsvp["calendar_sequence"],
        description=f"{entry.description}\n\n{yours}",
        status=entry.status
        if rsvp["status"] != "maybe" or entry.status == "CANCELLED"
        else "TENTATIVE",
        organizer=organizer(host, rsvp["email"], site),
        attendees=(
            Attendee(
                rsvp["name"],
                rsvp["email"],
                partstat=GOING_PARTSTAT.get(rsvp["status"], "DECLINED"),
            ),
        ),
    )


def host_entry(
    event: Mapping[str, Any], counts: Mapping[str, int], site: Site
) -> Entry:
    """The host's copy in their private feed: guest counts in the title (in
    the current language: the host's)."""
    entry = event_entry(event, site)
    going = counts.get("going", 0)
    waiting = counts.get("waitlisted", 0)
    numbers = {"going": going, "waiting": waiting}
    tally = (
        _("%(going)d going, %(waiting)d waitlisted") % numbers
        if waiting
        else _("%(going)d going") % numbers
    )
    guests_url = site.url(f"/admin/events/{event['id']}/guests")
    return replace(
        entry,
        title=f"{entry.title} ({tally})",
        description=_("%(tally)s. Guest list: %(url)s")
        % {"tally": tally, "url": guests_url}
        + f"\n\n{entry.description}",
    )


def booking_uid(booking: Mapping[str, Any], site: Site) -> str:
    return uid("coffee", booking["id"], site.domain)


def booking_entry(
    booking: Mapping[str, Any],
    site: Site,
    *,
    for_host: bool,
    link: str,
    mailbox: Person | None = None,
) -> Entry:
    """A coffee chat as the guest or the host sees it. In invitations the
    site's mailbox organises and both people attend, so neither is told they
    organise it; feeds leave organizer and attendees out."""
    other = booking["name"] if for_host else booking["host_name"]
    lines = [
        _("Topic: %(topic)s") % {"topic": booking["topic"]} if booking["topic"] else "",
        link,
    ]
    people = (
        Attendee(booking["host_name"], booking["host_email"]),
        Attendee(booking["name"], booking["email"]),
    )
    return Entry(
        uid=booking_uid(booking, site),
        sequence=booking["sequence"],
        title=_("Coffee with %(name)s") % {"name": other},
        starts_at=booking["starts_at"],
        ends_at=booking["ends_at"],
        timezone=booking["timezone"],
        location=", ".join(
            p for p in (booking["place_name"], booking["place_address"]) if p
        ),
        description="\n\n".join(line for line in lines if line),
        status="CANCELLED" if booking["status"] == "cancelled" else "CONFIRMED",
        created=booking["created_at"],
        last_modified=booking["updated_at"],
        organizer=mailbox,
        attendees=people if mailbox else (),
    )


def organizer(host: Mapping[str, Any], recipient: str, site: Site) -> Person:
    """The host, unless the host is the recipient: a client shows no invitation
    to its own organizer, so the site's mailbox organises then."""
    if host["email"].lower() == recipient.lower():
        return Person(host["name"], f"calendar@{site.domain}")
    return Person(host["name"], host["email"])


def location(event: Mapping[str, Any]) -> str:
    return ", ".join(p for p in (event["venue_name"], event["venue_address"]) if p)


def _description(event: Mapping[str, Any], url: str) -> str:
    parts = [event["summary"], _shortened(event["description"]), url]
    return "\n\n".join(p for p in parts if p)


def _shortened(text: str) -> str:
    text = text.strip()
    if len(text) <= DESCRIPTION_LIMIT:
        return text
    return text[:DESCRIPTION_LIMIT].rsplit(None, 1)[0] + " …"


def google_link(entry: Entry) -> str:
    """Google Calendar's "add event" page, prefilled."""
    params = {
        "action": "TEMPLATE",
        "text": entry.title,
        "dates": _google_dates(entry),
        "details": entry.description,
        "location": entry.location,
        "ctz": entry.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(
        params, quote_via=quote
    )


def outlook_link(entry: Entry, host: str = "outlook.live.com") -> str:
    """Outlook on the web's compose page (outlook.office.com for work accounts)."""
    if entry.all_day:
        first, after = entry.local_dates()
        start, end = first.isoformat(), after.isoformat()
    else:
        start = _utc(entry.starts_at, "%Y-%m-%dT%H:%M:%SZ")
        end = _utc(entry.end(), "%Y-%m-%dT%H:%M:%SZ")
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": entry.title,
        "startdt": start,
        "enddt": end,
        "allday": "true" if entry.all_day else "false",
        "body": entry.description,
        "location": entry.location,
    }
    return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(
        params, quote_via=quote
    )


def _google_dates(entry: Entry) -> str:
    if entry.all_day:
        first, after = entry.local_dates()
        return f"{first:%Y%m%d}/{after:%Y%m%d}"
    utc = "%Y%m%dT%H%M%SZ"
    return f"{_utc(entry.starts_at, utc)}/{_utc(entry.end(), utc)}"


def _utc(instant: datetime, pattern: str) -> str:
    return instant.astimezone(UTC).strftime(pattern)


def add_links(entry: Entry, ics_url: str) -> dict[str, str]:
    """ "Add to calendar" choices for one entry."""
    return {
        "ics": ics_url,
        "google": google_link(entry),
        "outlook": outlook_link(entry),
        "office": outlook_link(entry, host="outlook.office.com"),
    }


def subscribe_links(site: Site, path: str) -> dict[str, str]:
    """Subscribe choices for a feed: calendar apps, Google, and the plain URL."""
    return {
        "webcal": site.webcal(path),
        "google": site.google_subscribe(path),
        "url": site.url(path),
    }
