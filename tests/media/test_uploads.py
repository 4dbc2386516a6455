"""A host uploads a cover in the event editor, a photo in the profile and
recap photos after an event, through the real forms; bad files are refused
with a message and nothing else the host typed is lost."""

from __future__ import annotations

import sqlalchemy as sa
from PIL import ExifTags

from meetup.db import Database
from meetup.db.tables import event_photos, hosts, images
from meetup.events import service as events
from meetup.media.queries import event_photo_digests
from tests.helpers import (
    client_for,
    error_texts,
    form_values,
    in_days,
    make_event,
    make_host,
    page,
    sign_in,
    stored_event,
)
from tests.media.samples import opened, photo_with_gps, picture, png_claiming

PROFILE_FORM = "form:has(input[name=handle])"


async def image_count(db: Database) -> int:
    return int(await db.fetch_val(sa.select(sa.func.count()).select_from(images)))


async def stored_image(db: Database, image_id: int) -> bytes:
    query = sa.select(images.c.data).where(images.c.id == image_id)
    return bytes(await db.fetch_val(query))


async def save_editor(client, event_id: int, files=None, **changes: str):
    """Submits the editor as a browser would, with `changes` and `files`."""
    path = f"/admin/events/{event_id}/edit"
    editor = await client.get(path)
    assert editor.status_code == 200
    values = {**form_values(editor), **changes}
    return await client.post(path, data=values, files=files or {})


async def test_a_phone_photo_becomes_the_cover_without_its_location(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, publish=False)
    await sign_in(client, db, host)

    files = {"cover": ("IMG_0001.jpg", photo_with_gps(), "image/jpeg")}
    response = await save_editor(client, event["id"], files)

    assert response.status_code == 303, error_texts(response)
    cover_id = (await stored_event(db, event["id"]))["cover_image_id"]
    stored = opened(await stored_image(db, cover_id))
    assert stored.format == "JPEG" and stored.size == (600, 900)
    assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert len(stored.getexif()) == 0
    editor = page(await client.get(f"/admin/events/{event['id']}/edit"))
    assert editor.select_one(".cover-current img")["src"].startswith("/media/")


async def test_a_text_file_named_png_is_refused_and_the_form_keeps_its_text(
    client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, publish=False, title="Old title")
    await sign_in(client, db, host)

    fake = b"This is not a picture at all, only text.\n" * 20
    response = await save_editor(
        client,
        event["id"],
        {"cover": ("holiday.png", fake, "image/png")},
        title="A better title",
        summary="Typed by the host",
    )

    assert response.status_code == 400
    assert any("not a picture we can use" in text for text in error_texts(response))
    doc = page(response)
    assert doc.select_one("input[name=title]")["value"] == "A better title"
    assert doc.select_one("input[name=summary]")["value"] == "Typed by the host"
    assert (await stored_event(db, event["id"]))["title"] == "Old title"
    assert await image_count(db) == 0


async def test_oversized_uploads_get_a_clear_answer(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, publish=False)
    await sign_in(client, db, host)

    nine_mb = b"\xff\xd8\xff" + b"\x00" * (9 * 1024 * 1024)
    response = await save_editor(
        client, event["id"], {"cover": ("big.jpg", nine_mb, "image/jpeg")}
    )
    assert response.status_code == 400
    assert any("the limit is 8 MB" in text for text in error_texts(response))

    twelve_mb = nine_mb + b"\x00" * (3 * 1024 * 1024)
    response = await save_editor(
        client, event["id"], {"cover": ("huge.jpg", twelve_mb, "image/jpeg")}
    )
    assert response.status_code == 413
    assert "at most 10 MB" in response.text
    assert await image_count(db) == 0


async def test_other_forms_keep_the_small_body_limit(client, db) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    three_mb = picture() + b"\x00" * (3 * 1024 * 1024)
    response = await client.post(
        "/admin/sources", files={"file": ("a.png", three_mb, "image/png")}
    )
    assert response.status_code == 413


async def test_a_decompression_bomb_is_refused(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, publish=False)
    await sign_in(client, db, host)

    bomb = png_claiming(40000, 40000)
    response = await save_editor(
        client, event["id"], {"cover": ("bomb.png", bomb, "image/png")}
    )

    assert response.status_code == 400
    assert any("too many pixels" in text for text in error_texts(response))
    assert await image_count(db) == 0


async def test_a_new_event_can_start_with_a_cover(client, db) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    editor = await client.get("/admin/events/new")
    values = {
        **form_values(editor),
        "title": "Picnic",
        "starts_at": "2031-06-01T12:00",
        "ends_at": "2031-06-01T15:00",
        "max_guests": "1",
        "reminder_hours": "24",
        "maybe_nudge_days": "3",
    }
    files = {"cover": ("park.webp", picture((2400, 1200), fmt="WEBP"), "image/webp")}
    response = await client.post("/admin/events/new", data=values, files=files)
    assert response.status_code == 303, error_texts(response)
    event_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])
    cover = opened(
        await stored_image(db, (await stored_event(db, event_id))["cover_image_id"])
    )
    assert cover.size == (1600, 800)


async def test_the_same_picture_twice_is_stored_once_and_removed_when_unused(
    client, db
) -> None:
    host = await make_host(db)
    first = await make_event(db, host, publish=False)
    second = await make_event(db, host, publish=False)
    await sign_in(client, db, host)
    same = picture((1000, 500))

    for event in (first, second):
        files = {"cover": ("same.png", same, "image/png")}
        assert (await save_editor(client, event["id"], files)).status_code == 303
    assert await image_count(db) == 1

    await save_editor(client, first["id"], remove_cover="y")
    assert (await stored_event(db, first["id"]))["cover_image_id"] is None
    assert await image_count(db) == 1, "the second event still shows it"
    await save_editor(client, second["id"], remove_cover="y")
    assert await image_count(db) == 0


async def test_a_host_photo_is_a_square_on_their_page_and_can_be_removed(
    client, db
) -> None:
    host = await make_host(db, name="Ana Example")
    await sign_in(client, db, host)
    profile = await client.get("/admin/profile")
    values = form_values(profile, PROFILE_FORM)

    files = {"photo": ("me.jpg", photo_with_gps(1600, 1200), "image/jpeg")}
    response = await client.post("/admin/profile", data=values, files=files)

    assert response.status_code == 303, error_texts(response)
    public = page(await client.get(f"/@{host['handle']}"))
    avatar = public.select_one(".host-heading img.avatar")
    assert avatar is not None
    photo = await client.get(avatar["src"])
    assert opened(photo.content).size == (400, 400)

    await client.post("/admin/profile", data={**values, "remove_photo": "y"}, files={})
    public = page(await client.get(f"/@{host['handle']}"))
    assert public.select_one(".host-heading img") is None
    assert await image_count(db) == 0


async def test_a_refused_photo_keeps_the_profile_text(client, db) -> None:
    host = await make_host(db)
    await sign_in(client, db, host)
    values = form_values(await client.get("/admin/profile"), PROFILE_FORM)
    response = await client.post(
        "/admin/profile",
        data={**values, "bio": "New bio, typed with care"},
        files={"photo": ("me.png", b"<svg></svg>", "image/png")},
    )
    assert response.status_code == 400
    assert page(response).select_one("textarea[name=bio]").text.strip() == (
        "New bio, typed with care"
    )
    assert (
        await db.fetch_val(sa.select(hosts.c.bio).where(hosts.c.id == host["id"]))
        != "New bio, typed with care"
    )


async def test_recap_photos_after_the_event_can_be_added_and_removed(
    client, db
) -> None:
    host = await make_host(db)
    past = await make_event(db, host, starts_at=in_days(-2))
    await sign_in(client, db, host)
    editor = await client.get(f"/admin/events/{past['id']}/edit")
    token = page(editor).select_one("#photos input[name=csrf_token]")["value"]

    files = [
        ("photos", ("a.jpg", picture((2000, 1500), (200, 0, 0), "JPEG"), "image/jpeg")),
        ("photos", ("b.png", picture((900, 900), (0, 0, 200)), "image/png")),
    ]
    response = await client.post(
        f"/admin/events/{past['id']}/photos", data={"csrf_token": token}, files=files
    )
    assert response.status_code == 303
    digests = await event_photo_digests(db, past["id"])
    assert len(digests) == 2
    shown = page(await client.get(f"/admin/events/{past['id']}/edit"))
    assert len(shown.select("#photos .photo-grid img")) == 2

    await client.post(
        f"/admin/events/{past['id']}/photos/remove",
        data={"csrf_token": token, "digest": digests[0]},
    )
    assert await event_photo_digests(db, past["id"]) == digests[1:]
    assert await image_count(db) == 1


async def test_recap_photos_wait_for_the_event_and_refuse_non_pictures(
    client, db
) -> None:
    host = await make_host(db)
    future = await make_event(db, host)
    past = await make_event(db, host, starts_at=in_days(-1))
    await sign_in(client, db, host)
    token = page(await client.get(f"/admin/events/{past['id']}/edit")).select_one(
        "#photos input[name=csrf_token]"
    )["value"]
    photo = [("photos", ("a.png", picture(), "image/png"))]

    early = await client.post(
        f"/admin/events/{future['id']}/photos", data={"csrf_token": token}, files=photo
    )
    assert early.status_code == 400
    assert "once the event has started" in page(early).text

    text = [("photos", ("notes.jpg", b"meeting notes", "image/jpeg"))]
    refused = await client.post(
        f"/admin/events/{past['id']}/photos", data={"csrf_token": token}, files=text
    )
    assert refused.status_code == 400
    assert "notes.jpg: This file is not a picture" in page(refused).text
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(event_photos)) == 0


async def test_another_hosts_event_takes_no_pictures(client, db) -> None:
    owner = await make_host(db)
    event = await make_event(db, owner, starts_at=in_days(-1))
    intruder = await make_host(db)
    await sign_in(client, db, intruder)
    token = page(await client.get("/admin/profile")).select_one(
        "input[name=csrf_token]"
    )["value"]
    photo = [("photos", ("a.png", picture(), "image/png"))]
    response = await client.post(
        f"/admin/events/{event['id']}/photos", data={"csrf_token": token}, files=photo
    )
    assert response.status_code == 404
    assert await image_count(db) == 0


async def test_a_host_who_leaves_takes_their_pictures(client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, publish=False)
    await sign_in(client, db, host)
    files = {"cover": ("c.png", picture(), "image/png")}
    assert (await save_editor(client, event["id"], files)).status_code == 303

    async with db.write():
        await db.execute(hosts.delete().where(hosts.c.id == host["id"]))
    assert await image_count(db) == 0


async def test_a_deleted_draft_takes_its_cover_but_not_a_shared_one(client, db) -> None:
    host = await make_host(db)
    alone, sharing, other = [await make_event(db, host, publish=False) for _ in "abc"]
    await sign_in(client, db, host)
    own, shared = picture((900, 500), (1, 2, 3)), picture((900, 500), (9, 8, 7))
    await save_editor(client, alone["id"], {"cover": ("a.png", own, "image/png")})
    for event in (sharing, other):
        await save_editor(
            client, event["id"], {"cover": ("b.png", shared, "image/png")}
        )
    assert await image_count(db) == 2

    await events.delete_draft(db, host["id"], alone["id"])
    await events.delete_draft(db, host["id"], sharing["id"])

    assert await image_count(db) == 1, "only the picture another event shows"
    assert (await stored_event(db, other["id"]))["cover_image_id"] is not None


async def test_the_same_picture_from_two_hosts_stays_each_hosts_own(
    client, db, app
) -> None:
    first, second = await make_host(db), await make_host(db)
    first_event = await make_event(db, first, publish=False)
    second_event = await make_event(db, second, publish=False)
    same = picture((900, 500), (4, 5, 6))
    for host, event in ((first, first_event), (second, second_event)):
        async with client_for(app) as browser:
            await sign_in(browser, db, host)
            files = {"cover": ("same.png", same, "image/png")}
            assert (await save_editor(browser, event["id"], files)).status_code == 303
    assert await image_count(db) == 2

    async with db.write():
        await db.execute(hosts.delete().where(hosts.c.id == first["id"]))

    cover_id = (await stored_event(db, second_event["id"]))["cover_image_id"]
    assert cover_id is not None, "the second host keeps their cover"
    assert opened(await stored_image(db, cover_id)).size == (900, 500)
