"""Picture workflows: a host sets or removes an event's cover, their own
photo, and the recap photos of an event that has started. Each runs in one
write transaction; a picture nothing uses any more is deleted with it."""

from __future__ import annotations

from collections.abc import Sequence

from meetup.core.clock import now
from meetup.core.errors import DomainError, NotFound
from meetup.core.i18n import gettext as _
from meetup.core.i18n import ngettext
from meetup.db import Database, Row
from meetup.media import queries
from meetup.media.pictures import Picture

MAX_EVENT_PHOTOS = 12


async def set_event_cover(
    db: Database, host_id: int, event_id: int, picture: Picture | None
) -> None:
    """The event's cover becomes `picture`; None removes it."""
    async with db.write():
        event = await _locked_event(db, event_id, host_id)
        image_id = await queries.store(db, host_id, picture) if picture else None
        if image_id == event["cover_image_id"]:
            return
        await queries.set_cover(db, event_id, image_id)
        await queries.delete_unused(db, [event["cover_image_id"]])


async def set_host_photo(db: Database, host_id: int, picture: Picture | None) -> None:
    """The host's photo becomes `picture`; None removes it."""
    async with db.write():
        old = await queries.photo_image_id(db, host_id)
        image_id = await queries.store(db, host_id, picture) if picture else None
        if image_id == old:
            return
        await queries.set_host_photo(db, host_id, image_id)
        await queries.delete_unused(db, [old])


async def add_event_photos(
    db: Database, host_id: int, event_id: int, pictures: Sequence[Picture]
) -> None:
    """Recap photos for an event that has started, at most MAX_EVENT_PHOTOS."""
    async with db.write():
        event = await _locked_event(db, event_id, host_id)
        if event["starts_at"] > now():
            raise DomainError(
                _("Photos can be added once the event has started."),
                code="photos_too_early",
            )
        have = await queries.count_event_photos(db, event_id)
        if have + len(pictures) > MAX_EVENT_PHOTOS:
            room = MAX_EVENT_PHOTOS - have
            said = (
                ngettext(
                    "An event keeps at most %(most)s photos; "
                    "there is room for %(num)s more.",
                    "An event keeps at most %(most)s photos; "
                    "there is room for %(num)s more.",
                    room,
                )
                if room
                else _("An event keeps at most %(most)s photos; remove one first.")
            )
            raise DomainError(
                said % {"most": MAX_EVENT_PHOTOS, "num": room}, code="too_many_photos"
            )
        for picture in pictures:
            image_id = await queries.store(db, host_id, picture)
            await queries.add_event_photo(db, event_id, image_id)


async def remove_event_photo(
    db: Database, host_id: int, event_id: int, digest: str
) -> None:
    async with db.write():
        await _locked_event(db, event_id, host_id)
        image_id = await queries.remove_event_photo(db, event_id, digest)
        if image_id is None:
            raise NotFound(_("This photo is not among the event's."))
        await queries.delete_unused(db, [image_id])


async def _locked_event(db: Database, event_id: int, host_id: int) -> Row:
    event = await queries.lock_event(db, event_id, host_id)
    if event is None:
        raise NotFound(_("There is no such event among yours."))
    return event
