"""Requests this server makes to addresses its users give (calendars to read,
webhook endpoints): only http(s), only to public addresses unless the
setting allows private ones, redirects bounded, answers capped, every step
under a timeout. So the feature cannot be used to probe the server's own
network or to tie up a worker.

The name is resolved once and the connection made to the address that was
checked (the URL's host name still goes in `Host` and in TLS's SNI, so the
certificate is checked against it): a name that resolves to a public address
for the check and to 127.0.0.1 for the connection cannot slip through."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from meetup.core.i18n import gettext as _

REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """Why an address could not be read, in words for the host."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds for the whole exchange, redirects included
    max_bytes: int = 4 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False
    user_agent: str = "meetup (+https://github.com/meetup)"


@dataclass(frozen=True)
class Answer:
    status: int
    url: str  # after redirects
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    body: bytes = b""


def checked_url(url: str) -> str:
    """`url` if it is one this server may be asked to fetch (http or https,
    a host, no credentials), `webcal:` read as https; else a FetchError."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        raise FetchError(_("This is not a web address.")) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Give an address starting with https:// (or http://)."))
    if parts.username or parts.password:
        raise FetchError(_("Leave the user name and password out of the address."))
    return url


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


async def _address(host: str, port: int, limits: Limits) -> str:
    """The address to connect to for `host`, checked."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        candidates = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (socket.gaierror, UnicodeError):
            raise FetchError(
                _("The name %(host)s does not exist.") % {"host": host}
            ) from None
        candidates = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not candidates:
        raise FetchError(_("The name %(host)s does not exist.") % {"host": host})
    if not limits.allow_private:
        for candidate in candidates:
            if _refused(candidate):
                raise FetchError(
                    f"{host} is a private or local address ({candidate}); "
                    "meetup only connects to public addresses."
                )
    return str(candidates[0])


async def _one(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: dict[str, str],
    content: bytes | None,
    limits: Limits,
    read_body: bool,
) -> Answer:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = await _address(host, port, limits)
    pinned = httpx.URL(url).copy_with(host=address)
    sent = {"Host": parts.netloc.rsplit("@", 1)[-1], **headers}
    request = client.build_request(
        method,
        pinned,
        headers=sent,
        content=content,
        extensions={"sni_hostname": host} if parts.scheme == "https" else {},
    )
    response = await client.send(request, stream=True)
    try:
        body = b""
        if read_body and response.status_code not in REDIRECTS:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(_too_big(limits))
            chunks = []
            size = 0
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > limits.max_bytes:
                    raise FetchError(_too_big(limits))
                chunks.append(chunk)
            body = b"".join(chunks)
        return Answer(response.status_code, url, response.headers, body)
    finally:
        await response.aclose()


def _too_big(limits: Limits) -> str:
    megabytes = limits.max_bytes / (1024 * 1024)
    return _("The file is larger than %(megabytes)s MB, the most meetup reads.") % {
        "megabytes": f"{megabytes:g}"
    }


async def fetch(
    url: str,
    limits: Limits,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    read_body: bool = True,
    follow: bool = True,
) -> Answer:
    """Requests `url` within `limits`, following redirects (each one checked
    as the first address was) unless `follow` is off; a FetchError in words
    otherwise."""
    url = checked_url(url)
    sent = {"User-Agent": limits.user_agent, **(headers or {})}
    timeout = httpx.Timeout(limits.timeout)
    try:
        async with (
            asyncio.timeout(limits.timeout),
            httpx.AsyncClient(
                timeout=timeout, trust_env=False, follow_redirects=False
            ) as client,
        ):
            for _attempt in range(limits.max_redirects + 1):
                answer = await _one(
                    client, method, url, sent, content, limits, read_body
                )
                location = answer.headers.get("location")
                if not follow or answer.status not in REDIRECTS or not location:
                    return answer
                url = checked_url(urljoin(url, location))
                if answer.status == 303:
                    method, content = "GET", None
    except TimeoutError:
        raise FetchError(
            _("No answer within %(seconds)s seconds: the server is too slow.")
            % {"seconds": f"{limits.timeout:g}"}
        ) from None
    except httpx.HTTPError as error:
        raise FetchError(_in_words(error)) from None
    raise FetchError(
        _("The address redirects more than %(times)s times.")
        % {"times": limits.max_redirects}
    )


def _in_words(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return _("The server took too long to answer.")
    if isinstance(error, httpx.ConnectError):
        text = str(error)
        if "CERTIFICATE" in text.upper():
            return _("The server's certificate is not valid.")
        return _("The server could not be reached.")
    return _("The server's answer could not be read.")
