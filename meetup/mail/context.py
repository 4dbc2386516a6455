"""What workflows need from the app to tell people things: the mail renderer,
the key that signs their links, the site's base URL, and which addresses a
request must not mail. Built once in `create_app`; a request may narrow it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.requests import Request

from meetup.calendars.entries import Site
from meetup.core import tokens
from meetup.db import Database, Row
from meetup.mail import outbox
from meetup.mail.messages import Draft, Mail

# The scope of a guest's own RSVP link (/r/{token}).
TOKEN_SCOPE = "rsvp"


@dataclass(frozen=True)
class Context:
    """What RSVP workflows need from the app: mail, link signing, base URL."""

    mail: Mail
    secret: str
    base_url: str
    # Addresses that get no mail from this request: a public form's per-email
    # limit mutes mail to the address instead of refusing the person.
    muted: frozenset[str] = frozenset()

    def muting(self, address: str) -> Context:
        return replace(self, muted=self.muted | {address.lower()})

    async def queue(self, db: Database, draft: Draft) -> None:
        """Queues a message in the caller's transaction, unless muted."""
        if not self.mutes(draft.recipient):
            await outbox.enqueue(db, draft)

    def token(self, rsvp: Row) -> str:
        return self.signed(TOKEN_SCOPE, rsvp)

    def signed(self, scope: str, row: Row) -> str:
        """`row`'s token for `scope`: revoked with a new `token_nonce`."""
        return tokens.signed_token(self.secret, scope, row["id"], row["token_nonce"])

    def signed_link(self, scope: str, row: Row, path: str) -> str:
        """An absolute link to `path` ("f/{token}") with `row`'s token."""
        return f"{self.base_url}/{path.format(token=self.signed(scope, row))}"

    @property
    def site(self) -> Site:
        return Site(self.base_url)

    def manage_url(self, rsvp: Row, answer: str | None = None) -> str:
        return self.link(self.token(rsvp), answer)

    def link(self, token: str, answer: str | None = None) -> str:
        """A guest's own link /r/{token} (preselecting `answer`)."""
        url = f"{self.base_url}/r/{token}"
        return f"{url}?answer={answer}" if answer else url

    def mutes(self, address: str) -> bool:
        return address.lower() in self.muted


async def for_form(request: Request, limit: str, address: str) -> Context:
    """The app's context for a visitor's public form: past the per-address
    limit `limit`, mail to `address` is muted instead of the person refused
    (the page they see is the same either way)."""
    ctx: Context = request.app.state.rsvp
    if await request.app.state.rate_limits.check(request, limit, address):
        return ctx
    return ctx.muting(address)
