"""Webhooks end to end: a host adds one in /admin/integrations; what guests
do (answer, cancel, get checked in, book and cancel a chat, follow) reaches
a real local receiver that fails, hangs past the timeout, then recovers:
every event delivered, each accepted once per id, signed as Standard
Webhooks say (checked with their own library); an endpoint that keeps
failing is turned off and its host told by mail; another page's webhooks
are out of reach."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook

from meetup.attendance import service as attendance
from meetup.coffee import service as coffee
from meetup.core.clock import now
from meetup.db import Database
from meetup.db.tables import followers as followers_table
from meetup.db.tables import webhook_endpoints, webhook_messages
from meetup.followers import service as followers
from meetup.rsvps import service as rsvp_service
from meetup.sources.service import Attribution
from meetup.web.outbound import Limits
from meetup.webhooks import service as webhooks
from meetup.webhooks.kinds import KINDS
from tests.helpers import add_coffee_rule, csrf_of, make_event, make_host, page, sign_in
from tests.local_server import LocalServer, Received

FAST = Limits(timeout=2.0, allow_private=True)


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    return settings.with_(allow_private_addresses=True)


class Receiver:
    """The endpoint: answers each id's first attempt 500, hangs on its
    second until the test ends, accepts the third and later."""

    def __init__(self, server: LocalServer, plan: tuple[str, ...]) -> None:
        self.server = server
        self.plan = plan
        self.tries: Counter[str] = Counter()
        self.accepted: list[Received] = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        server.routes["/hook"] = self.answer

    def answer(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.tries[request.headers["webhook-id"]] += 1
            step = self.plan[
                min(self.tries[request.headers["webhook-id"]], len(self.plan)) - 1
            ]
        if step == "hang":
            self.release.wait(timeout=30)
            return 200, {}, b"too late"
        if step == "fail":
            return 500, {}, b"down"
        with self.lock:
            self.accepted.append(request)
        return 204, {}, b""

    def bodies(self) -> list[dict]:
        return [json.loads(r.body) for r in self.accepted]


async def add_webhook(client, db, host, url: str, kinds=tuple(KINDS)):  # noqa: ANN001, ANN201
    await sign_in(client, db, host)
    shown = await client.get("/admin/integrations")
    return await client.post(
        "/admin/integrations/webhooks",
        data={"url": url, "events": list(kinds), "csrf_token": csrf_of(shown)},
    )


async def things_happen(app, db, host) -> None:  # noqa: ANN001
    """Guests answer, cancel, come, book and cancel a chat, and follow."""
    ctx = app.state.rsvp
    event = await make_event(db, host, title="Coffee & Code", confirm_by_email=False)
    ana = await rsvp_service.submit(
        db, ctx, event["id"], rsvp_service.Reply("Ana", "ana@example.com")
    )
    ben = await rsvp_service.submit(
        db, ctx, event["id"], rsvp_service.Reply("Ben", "ben@example.com")
    )
    await rsvp_service.answer(db, ctx, ctx.token(ana.rsvp), "not_going")
    await attendance.check_in(db, event["id"], ben.rsvp["id"])
    await coffee.save_settings(db, host["id"], confirm_by_email=False)
    await add_coffee_rule(db, host)
    slot = (await coffee.availability(db, host, now())).open_slots(now())[0]
    booking = await coffee.book(
        db, ctx, host, slot.key(), coffee.Request("Cy", "cy@example.com", "Hi")
    )
    await coffee.host_cancel(db, ctx, host["id"], booking["id"], "Sorry")
    await followers.follow(
        db, ctx, host, "Dee", "dee@example.com", Attribution(None, None)
    )
    dee = await db.fetch_val(sa.select(sa.func.max(followers_table.c.id)))
    await followers.set_status(db, dee, "confirmed")


EXPECTED = [
    "rsvp.created",
    "rsvp.created",
    "rsvp.cancelled",
    "guest.checked_in",
    "coffee.booked",
    "coffee.cancelled",
    "follower.created",
]


async def test_every_event_reaches_a_receiver_that_fails_hangs_and_recovers_once(
    app, client, db, settings, local_server: LocalServer
) -> None:
    host = await make_host(db, handle="rosa", timezone="Europe/London")
    added = await add_webhook(client, db, host, local_server.url("/hook"))
    assert added.status_code == 303
    endpoint_page = added.headers["location"]
    receiver = Receiver(local_server, ("fail", "hang", "ok"))
    await things_happen(app, db, host)
    delivery = webhooks.Delivery(FAST, disable_after=100, base_url="http://testserver")
    ctx = app.state.rsvp
    other = Database(settings.database_url)
    await other.connect()
    try:
        start = now()
        assert await webhooks.deliver_due(db, ctx, delivery, at=start) == 0
        shown = page(await client.get(endpoint_page))
        answers = {
            r.select_one("td[data-label=Last\\ answer]").get_text(strip=True)
            for r in shown.select("tr.delivery")
        }
        assert answers == {"The endpoint answered 500."}
        assert await webhooks.deliver_due(db, ctx, delivery, at=start) == 0  # not due
        second = start + timedelta(seconds=6)
        assert await webhooks.deliver_due(db, ctx, delivery, at=second) == 0
        shown = page(await client.get(endpoint_page)).get_text(" ", strip=True)
        assert "No answer within 2 seconds" in shown
        # The third attempt, by two workers at once: each message goes once.
        third = second + timedelta(minutes=5, seconds=1)
        done = await asyncio.gather(
            webhooks.deliver_due(db, ctx, delivery, at=third),
            webhooks.deliver_due(other, ctx, delivery, at=third),
        )
    finally:
        receiver.release.set()
        await other.disconnect()
    assert sum(done) == len(EXPECTED)

    ids = [r.headers["webhook-id"] for r in receiver.accepted]
    assert len(ids) == len(set(ids)) == len(EXPECTED)
    assert set(receiver.tries.values()) == {3}  # failed, hung, accepted: same id
    assert sorted(body["type"] for body in receiver.bodies()) == sorted(EXPECTED)
    secret = await db.fetch_val(sa.select(webhook_endpoints.c.secret))
    verifier = Webhook(secret)
    for request in receiver.accepted:
        verified = verifier.verify(request.body, request.headers)
        assert verified["type"] in KINDS
    by_type = {body["type"]: body["data"] for body in receiver.bodies()}
    assert by_type["guest.checked_in"]["rsvp"]["name"] == "Ben"
    assert by_type["guest.checked_in"]["event"]["url"].startswith(
        "http://testserver/e/"
    )
    assert by_type["rsvp.cancelled"]["rsvp"]["previous_status"] == "going"
    assert by_type["coffee.booked"]["booking"]["email"] == "cy@example.com"
    assert by_type["follower.created"]["follower"]["name"] == "Dee"
    # A forged signature does not verify.
    tampered = {**receiver.accepted[0].headers}
    with pytest.raises(Exception, match="(?i)signature"):
        verifier.verify(receiver.accepted[0].body + b" ", tampered)

    shown = page(await client.get(endpoint_page))
    statuses = [
        row.select_one("td[data-label=Status]").get_text(strip=True)
        for row in shown.select("tr.delivery")
    ]
    assert statuses == ["Delivered"] * len(EXPECTED)
    assert [
        row.select_one("td[data-label=Attempts]").text
        for row in shown.select("tr.delivery")
    ] == ["3"] * len(EXPECTED)


async def test_a_failing_endpoint_is_turned_off_its_host_told_and_resumed(
    app, client, db, sender, smtp, local_server: LocalServer
) -> None:
    host = await make_host(db, handle="rosa", email="rosa@example.com")
    added = await add_webhook(
        client, db, host, local_server.url("/hook"), ["rsvp.created"]
    )
    endpoint_page = added.headers["location"]
    receiver = Receiver(local_server, ("fail",))
    event = await make_event(db, host, confirm_by_email=False)
    await rsvp_service.submit(
        db, app.state.rsvp, event["id"], rsvp_service.Reply("Ana", "ana@example.com")
    )
    delivery = webhooks.Delivery(FAST, disable_after=3, base_url="http://testserver")
    at = now()
    for step in (timedelta(), timedelta(seconds=6), timedelta(minutes=6)):
        at += step
        await webhooks.deliver_due(db, app.state.rsvp, delivery, at=at)
    assert sum(receiver.tries.values()) == 3
    await sender.deliver_due()
    [mail] = smtp.inbox.to("rosa@example.com")
    assert "was turned off" in mail["Subject"]
    assert "3 failed attempts in a row" in mail.get_body(("plain",)).get_content()
    shown = page(await client.get(endpoint_page)).get_text(" ", strip=True)
    assert "Off." in shown and "The endpoint answered 500." in shown

    # Off: nothing goes, however long it waits.
    await webhooks.deliver_due(db, app.state.rsvp, delivery, at=at + timedelta(days=1))
    assert sum(receiver.tries.values()) == 3
    # The receiver is mended and the host turns it on: the event goes, same id.
    receiver.plan = ("ok",)
    turned = await client.post(
        endpoint_page + "/enable",
        data={"csrf_token": csrf_of(await client.get(endpoint_page))},
    )
    assert turned.status_code == 303
    await webhooks.deliver_due(db, app.state.rsvp, delivery, at=at + timedelta(days=1))
    assert len(receiver.accepted) == 1 and set(receiver.tries.values()) == {4}
    # "Send a test" and "Send again" from the page.
    shown = await client.get(endpoint_page)
    await client.post(endpoint_page + "/test", data={"csrf_token": csrf_of(shown)})
    message_id = await db.fetch_val(sa.select(sa.func.min(webhook_messages.c.id)))
    again = await client.post(
        f"{endpoint_page}/deliveries/{message_id}/resend",
        data={"csrf_token": csrf_of(shown)},
    )
    assert again.status_code == 303
    await webhooks.deliver_due(
        db, app.state.rsvp, delivery, at=now() + timedelta(seconds=1)
    )
    kinds = [json.loads(r.body)["type"] for r in receiver.accepted]
    assert kinds.count("webhook.test") == 1 and kinds.count("rsvp.created") == 2
    assert len({r.headers["webhook-id"] for r in receiver.accepted}) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_bad_webhooks_are_refused_and_other_pages_are_out_of_reach(
    app, client, db, local_server: LocalServer
) -> None:
    host = await make_host(db, handle="rosa")
    for url, kinds, message in (
        ("file:///etc/passwd", ["rsvp.created"], "starting with https://"),
        ("https://example.com/hook", [], "Choose at least one"),
        ("https://example.com/hook", ["rsvp.exploded"], "Choose at least one"),
    ):
        refused = await add_webhook(client, db, host, url, kinds)
        assert refused.status_code == 400
        assert message in page(refused).select_one("#webhooks").get_text()
    assert (
        await db.fetch_val(sa.select(sa.func.count()).select_from(webhook_endpoints))
        == 0
    )

    added = await add_webhook(client, db, host, local_server.url("/hook"))
    endpoint_page = added.headers["location"]
    other = await make_host(db, handle="omar")
    await sign_in(client, db, other)
    token = csrf_of(await client.get("/admin/integrations"))
    assert (await client.get(endpoint_page)).status_code == 404
    for action in ("events", "enable", "disable", "test", "delete"):
        answer = await client.post(
            f"{endpoint_page}/{action}", data={"csrf_token": token}
        )
        assert answer.status_code == 404, action
    assert (
        await db.fetch_val(sa.select(sa.func.count()).select_from(webhook_messages))
        == 0
    )

    # With private addresses refused (the default), a delivery to this
    # machine fails with the reason, and nothing reaches it.
    await sign_in(client, db, host)
    await webhooks.send_test(db, host["id"], int(endpoint_page.rsplit("/", 1)[1]))
    public_only = webhooks.Delivery(Limits(timeout=0.5), base_url="http://testserver")
    await webhooks.deliver_due(db, app.state.rsvp, public_only)
    assert local_server.received == []
    assert "only connects to public addresses" in (await client.get(endpoint_page)).text
