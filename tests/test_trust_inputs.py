"""Trust, inputs: nothing a visitor sends gives a 500, and words a visitor
types never become the host's data beyond a bound."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from meetup.attendance import service as door
from meetup.attendance.service import meet_token
from meetup.db.tables import meetings, rsvps, sources
from meetup.settings import load_settings
from meetup.sources import service as sources_service
from meetup.sources.service import MAX_SELF_REPORTED
from meetup.sources.touch import Touch
from tests.helpers import csrf_of, make_event, make_host, page, sign_in
from tests.test_logic_bugs import going

LOOKALIKE = "².aaaaaaaaaaaaaaaaaaaaaaaa"  # "²" passes str.isdigit, not int()


async def test_signed_links_with_lookalike_digits_are_404(client, db) -> None:
    await make_host(db)
    for path in (
        f"/r/{LOOKALIKE}",
        f"/m/{LOOKALIKE}",
        f"/f/{LOOKALIKE}",
        f"/unsubscribe/{LOOKALIKE}",
        f"/me/{LOOKALIKE}/calendar.ics",
        f"/host/{LOOKALIKE}/calendar.ics",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_lookalike_digits_in_forms_are_refused_clearly(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ana = await going(app, db, event, "Ana")
    manage = f"/r/{app.state.rsvp.token(ana)}"
    token = csrf_of(await client.get(manage))
    met = await client.post(f"{manage}/meet", data={"other": "²", "csrf_token": token})
    assert met.status_code < 500

    await sign_in(client, db, host)
    token = csrf_of(await client.get("/admin/"))
    goal = await client.post(
        "/admin/goal", data={"weekly_goal": "²", "csrf_token": token}
    )
    assert goal.status_code == 400 and "1 to 1000" in goal.text


async def test_an_impossible_if_modified_since_is_ignored(client, db) -> None:
    host = await make_host(db, handle="rosa")
    event = await make_event(db, host)
    huge = "Mon, 1 Jan 99999999999999999999 00:00:00 GMT"
    for path in ("/calendar.ics", "/@rosa/calendar.ics", f"/e/{event['slug']}.ics"):
        response = await client.get(path, headers={"If-Modified-Since": huge})
        assert response.status_code == 200, path


async def test_an_rsvp_to_an_address_no_slug_can_have_is_404(client, db) -> None:
    await make_host(db)
    token = csrf_of(await client.get("/login"))
    for slug in ("a%00b", "A_B", "x" * 200):
        response = await client.post(f"/e/{slug}/rsvp", data={"csrf_token": token})
        assert response.status_code == 404, slug


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"name,email\nA\x00B,x@example.com\n", "NUL character"),
        (b'name,email\n"' + b"x" * 200_000 + b'",x@example.com\n', "could not be read"),
    ],
)
async def test_unreadable_contact_files_are_refused_clearly(
    client, db, upload: bytes, message: str
) -> None:
    host = await make_host(db)
    event = await make_event(db, host)
    await sign_in(client, db, host)
    guests = f"/admin/events/{event['id']}/guests"
    response = await client.post(
        f"/admin/events/{event['id']}/invite",
        data={"csrf_token": csrf_of(await client.get(guests))},
        files={"file": ("contacts.csv", upload, "text/csv")},
    )
    assert response.status_code == 400
    assert message in page(response).text
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(rsvps)) == 0


async def test_bodies_beyond_the_largest_form_are_refused(client, db) -> None:
    token = csrf_of(await client.get("/login"))
    # Fields under the per-field limit, together far beyond the whole's.
    huge = {"csrf_token": token} | {f"pad{n}": "x" * 900_000 for n in range(4)}
    assert (await client.post("/login", data=huge)).status_code == 413

    async def streamed():  # no Content-Length: counted as it arrives
        for n in range(4):
            yield f"pad{n}=".encode() + b"x" * 900_000 + b"&"

    response = await client.post(
        "/login",
        content=streamed(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


async def test_a_forgotten_guest_cannot_be_made_to_meet_anyone(app, client, db) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False)
    ana, ben = await going(app, db, event, "Ana"), await going(app, db, event, "Ben")
    for guest in (ana, ben):
        await door.check_in(db, event["id"], guest["id"])
    manage = f"/r/{app.state.rsvp.token(ana)}"
    shown = await client.get(manage)  # this browser is Ana's
    forgotten = await client.post(
        f"{manage}/forget", data={"confirm": "yes", "csrf_token": csrf_of(shown)}
    )
    assert forgotten.status_code == 200

    scan = f"/m/{meet_token(app.state.rsvp, ben)}"
    assert (await client.get(scan)).status_code == 200
    token = csrf_of(await client.get("/login"))
    assert (await client.post(scan, data={"csrf_token": token})).status_code == 200
    assert await db.fetch_val(sa.select(sa.func.count()).select_from(meetings)) == 0
    still = await db.fetch_one(rsvps.select().where(rsvps.c.id == ana["id"]))
    assert not still["meet_opt_in"]


async def test_visitors_words_make_a_bounded_number_of_sources(db) -> None:
    host = await make_host(db)
    nobody = Touch()
    for n in range(MAX_SELF_REPORTED + 5):
        await sources_service.attribute(db, host["id"], nobody, "", f"place {n}")
    told = sources.c.kind == "self_reported"
    count = await db.fetch_val(sa.select(sa.func.count()).where(told))
    assert count == MAX_SELF_REPORTED + 1  # and one catch-all


async def test_a_visitors_words_never_capture_an_invitations_source(db) -> None:
    host = await make_host(db)
    post_id = await sources_service.create_source(
        db, host["id"], kind="post", platform="LinkedIn", label="Launch post"
    )
    post = await db.fetch_one(sources.select().where(sources.c.id == post_id))
    nobody = Touch()
    for words in (post["code"], "Launch post"):  # a visitor types them
        await sources_service.attribute(db, host["id"], nobody, "", words)

    class Contact:
        email, source = "a@example.com", post["code"]

    class ByLabel:
        email, source = "b@example.com", "launch post"

    found = await sources_service.invitation_sources(db, host["id"], [Contact, ByLabel])
    assert found == {"a@example.com": post_id, "b@example.com": post_id}


async def test_a_going_guest_can_leave_after_the_party_maximum_drops(
    app, client, db
) -> None:
    host = await make_host(db)
    event = await make_event(db, host, confirm_by_email=False, max_guests=3)
    ana = await going(app, db, event, "Ana", guests=3)
    from meetup.events import queries as event_queries

    async with db.write():
        await event_queries.update(db, event["id"], max_guests=0)
    manage = f"/r/{app.state.rsvp.token(ana)}"
    shown = await client.get(manage)
    left = await client.post(
        manage,
        data={"answer": "not_going", "guests": "3", "csrf_token": csrf_of(shown)},
    )
    assert left.status_code == 303
    status = await db.fetch_val(
        sa.select(rsvps.c.status).where(rsvps.c.id == ana["id"])
    )
    assert status == "not_going"


def test_a_base_url_with_a_path_is_refused_at_start(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("BASE_URL", "https://example.org/meetup")
    with pytest.raises(ValueError, match="no path"):
        load_settings(env_file=None)
    monkeypatch.setenv("BASE_URL", "https://example.org/")
    assert load_settings(env_file=None).base_url == "https://example.org"
