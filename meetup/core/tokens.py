"""Tokens for links in mail. Sign-in links are random and only their hash is
stored (single use); RSVP links are signed with SECRET_KEY and a per-row nonce,
so they can be mailed again and revoked. No I/O but through a given loader."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from meetup.core.text import row_id


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum()


def signed_token(secret: str, scope: str, ident: int, nonce: str) -> str:
    """`<id>.<mac>`: a link that names its row and proves it was issued here for
    `scope`. Nothing secret is stored, so the link can be mailed again, and a
    new `nonce` revokes every earlier link."""
    return f"{ident}.{_mac(secret, scope, ident, nonce)}"


def signed_id(token: str) -> int | None:
    ident, _, mac = token.partition(".")
    row = row_id(ident)
    return row if row is not None and 20 <= len(mac) <= 64 else None


def signature_ok(secret: str, scope: str, ident: int, nonce: str, token: str) -> bool:
    return hmac.compare_digest(
        token.encode(), signed_token(secret, scope, ident, nonce).encode()
    )


def _mac(secret: str, scope: str, ident: int, nonce: str) -> str:
    digest = hmac.new(
        secret.encode(), f"{scope}:{ident}:{nonce}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")


def new_nonce() -> str:
    return secrets.token_hex(8)


async def signed_row(
    token: str,
    *,
    secret: str,
    scope: str,
    load: Callable[[int], Awaitable[Mapping[str, Any] | None]],
    nonce: str = "token_nonce",
) -> Mapping[str, Any] | None:
    """The row a signed link names, loaded by `load(id)`, if the link's
    signature matches that row's current nonce; else None."""
    ident = signed_id(token)
    row = await load(ident) if ident else None
    if row is None or not signature_ok(secret, scope, row["id"], row[nonce], token):
        return None
    return row
