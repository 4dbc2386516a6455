"""Queries on pictures: stored images, event covers, host photos, recap
photos, and what a social card draws."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from meetup.core import text
from meetup.core.clock import now
from meetup.core.statuses import EventStatus
from meetup.db import Database, Row, versions
from meetup.db.tables import event_photos, events, hosts, images
from meetup.media.pictures import Picture

cover_image = images.alias("cover_image")
host_photo = images.alias("host_photo")

# Served on every view of a picture: built once.
_BY_DIGEST = (
    sa.select(images.c.content_type, images.c.data, images.c.width, images.c.height)
    .where(images.c.digest == sa.bindparam("digest"))
    .limit(1)
)


async def image(db: Database, digest: str) -> Row | None:
    """The stored picture named by `digest`: bytes, type and size."""
    return await db.fetch_one(_BY_DIGEST, {"digest": digest})


async def image_data(db: Database, digest: str | None) -> bytes | None:
    if not digest:
        return None
    row = await image(db, digest)
    return bytes(row["data"]) if row else None


async def store(db: Database, host_id: int, picture: Picture) -> int:
    """The id of the stored picture: a new row, or the host's own row already
    holding the same bytes (the same picture uploaded twice is stored once).
    Each host owns their rows, so one host's deletion never takes another's
    picture."""
    await db.upsert(
        images,
        {
            "host_id": host_id,
            "digest": picture.digest,
            "content_type": picture.content_type,
            "width": picture.width,
            "height": picture.height,
            "data": picture.data,
            "created_at": now(),
        },
        ["host_id", "digest"],
    )
    query = sa.select(images.c.id).where(
        images.c.host_id == host_id, images.c.digest == picture.digest
    )
    image_id: int = await db.fetch_val(query)
    return image_id


async def delete_unused(db: Database, image_ids: Iterable[int | None]) -> None:
    """Deletes those of `image_ids` that no cover, host photo or recap uses."""
    ids = [image_id for image_id in image_ids if image_id]
    if not ids:
        return
    used = sa.or_(
        sa.exists().where(events.c.cover_image_id == images.c.id),
        sa.exists().where(hosts.c.photo_image_id == images.c.id),
        sa.exists().where(event_photos.c.image_id == images.c.id),
    )
    await db.execute(images.delete().where(images.c.id.in_(ids), ~used))


async def event_image_ids(db: Database, event_id: int) -> list[int]:
    """The pictures an event shows (its cover, its recap photos): those to
    delete with it, unless something else uses them."""
    cover = sa.select(events.c.cover_image_id.label("id")).where(
        events.c.id == event_id, events.c.cover_image_id.is_not(None)
    )
    photos = sa.select(event_photos.c.image_id.label("id")).where(
        event_photos.c.event_id == event_id
    )
    rows = await db.fetch_all(sa.union(cover, photos))
    return [row["id"] for row in rows]


# --- covers and host photos ---------------------------------------------------


async def lock_event(db: Database, event_id: int, host_id: int) -> Row | None:
    query = (
        sa.select(events.c.id, events.c.cover_image_id, events.c.starts_at)
        .where(events.c.id == event_id, events.c.host_id == host_id)
        .with_for_update()
    )
    return await db.fetch_one(query)


async def set_cover(db: Database, event_id: int, image_id: int | None) -> None:
    await versions.bump(db)
    await db.execute(
        events.update()
        .where(events.c.id == event_id)
        .values(cover_image_id=image_id, updated_at=now())
    )


async def photo_image_id(db: Database, host_id: int) -> int | None:
    query = sa.select(hosts.c.photo_image_id).where(hosts.c.id == host_id)
    image_id: int | None = await db.fetch_val(query)
    return image_id


async def set_host_photo(db: Database, host_id: int, image_id: int | None) -> None:
    await versions.bump(db)
    await db.execute(
        hosts.update().where(hosts.c.id == host_id).values(photo_image_id=image_id)
    )


async def host_photo_digest(db: Database, host_id: int) -> str | None:
    query = (
        sa.select(images.c.digest)
        .select_from(hosts)
        .join(images, images.c.id == hosts.c.photo_image_id)
        .where(hosts.c.id == host_id)
    )
    digest: str | None = await db.fetch_val(query)
    return digest


# --- recap photos ---------------------------------------------------------------


async def event_photo_digests(db: Database, event_id: int) -> list[str]:
    """The digests of a past event's recap photos, in the order they came."""
    query = (
        sa.select(images.c.digest)
        .join(event_photos, event_photos.c.image_id == images.c.id)
        .where(event_photos.c.event_id == event_id)
        .order_by(event_photos.c.created_at, event_photos.c.id)
    )
    return [row["digest"] for row in await db.fetch_all(query)]


async def count_event_photos(db: Database, event_id: int) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(event_photos)
        .where(event_photos.c.event_id == event_id)
    )
    return int(await db.fetch_val(query))


async def add_event_photo(db: Database, event_id: int, image_id: int) -> None:
    await versions.bump(db, versions.event(event_id))
    await db.upsert(
        event_photos,
        {"event_id": event_id, "image_id": image_id, "created_at": now()},
        ["event_id", "image_id"],
    )


async def remove_event_photo(db: Database, event_id: int, digest: str) -> int | None:
    """Unlinks the photo from the event; the image's id, or None if it was
    not one of the event's photos."""
    image_id: int | None = await db.fetch_val(
        sa.select(images.c.id)
        .join(event_photos, event_photos.c.image_id == images.c.id)
        .where(event_photos.c.event_id == event_id, images.c.digest == digest)
    )
    if image_id is None:
        return None
    await versions.bump(db, versions.event(event_id))
    await db.execute(
        event_photos.delete().where(
            event_photos.c.event_id == event_id, event_photos.c.image_id == image_id
        )
    )
    return image_id


# --- what the social cards draw ------------------------------------------------

_EVENT_FOR_CARD = (
    sa.select(
        events.c.slug,
        events.c.title,
        events.c.status,
        events.c.starts_at,
        events.c.ends_at,
        events.c.timezone,
        events.c.all_day,
        events.c.venue_name,
        events.c.venue_address,
        hosts.c.name.label("host_name"),
        hosts.c.language.label("host_language"),
        cover_image.c.digest.label("cover_digest"),
        host_photo.c.digest.label("host_photo_digest"),
    )
    .join(hosts, hosts.c.id == events.c.host_id)
    .outerjoin(cover_image, cover_image.c.id == events.c.cover_image_id)
    .outerjoin(host_photo, host_photo.c.id == hosts.c.photo_image_id)
    .where(
        events.c.slug == sa.bindparam("slug"),
        events.c.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]),
    )
)


async def event_for_card(db: Database, slug: str) -> Row | None:
    """A published (or cancelled) event as its card draws it; never a draft."""
    if not text.is_slug(slug):
        return None
    return await db.fetch_one(_EVENT_FOR_CARD, {"slug": slug})


async def host_for_card(db: Database, handle: str) -> Row | None:
    if not text.is_handle(handle):
        return None
    query = (
        sa.select(
            hosts.c.handle,
            hosts.c.name,
            hosts.c.bio,
            hosts.c.language,
            host_photo.c.digest.label("photo_digest"),
        )
        .outerjoin(host_photo, host_photo.c.id == hosts.c.photo_image_id)
        .where(hosts.c.handle == handle)
    )
    return await db.fetch_one(query)
