"""What went wrong with a delivery, in the reader's language. The worker
stores it in English (a delivery's `last_error`, an endpoint's
`disabled_reason`): it runs for no reader, and the page or the mail that
shows it later knows whose language to use. English text nobody here
knows (an older wording) is shown as it was stored."""

from __future__ import annotations

import re

from meetup.core.i18n import lazy_gettext, ngettext

ANSWERED = "The endpoint answered {status}."
TURNED_OFF = "Turned off after {failures} failed attempts in a row. The last: {error}"

# The stored English (this module's and meetup.web.outbound's), each part
# that varies a named group, and the same in the catalog.
_KNOWN = (
    (
        r"The endpoint answered (?P<status>\d+)\.",
        lazy_gettext("The endpoint answered %(status)s."),
    ),
    (r"This is not a web address\.", lazy_gettext("This is not a web address.")),
    (
        r"Give an address starting with https:// \(or http://\)\.",
        lazy_gettext("Give an address starting with https:// (or http://)."),
    ),
    (
        r"Leave the user name and password out of the address\.",
        lazy_gettext("Leave the user name and password out of the address."),
    ),
    (
        r"The name (?P<host>\S+) does not exist\.",
        lazy_gettext("The name %(host)s does not exist."),
    ),
    (
        r"(?P<host>\S+) is a private or local address \((?P<address>[^)]+)\); "
        r"meetup only connects to public addresses\.",
        lazy_gettext(
            "%(host)s is a private or local address (%(address)s); "
            "meetup only connects to public addresses."
        ),
    ),
    (
        r"The file is larger than (?P<megabytes>[\d.]+) MB, the most meetup reads\.",
        lazy_gettext(
            "The file is larger than %(megabytes)s MB, the most meetup reads."
        ),
    ),
    (
        r"No answer within (?P<seconds>[\d.]+) seconds: the server is too slow\.",
        lazy_gettext("No answer within %(seconds)s seconds: the server is too slow."),
    ),
    (
        r"The address redirects more than (?P<times>\d+) times\.",
        lazy_gettext("The address redirects more than %(times)s times."),
    ),
    (
        r"The server took too long to answer\.",
        lazy_gettext("The server took too long to answer."),
    ),
    (
        r"The server's certificate is not valid\.",
        lazy_gettext("The server's certificate is not valid."),
    ),
    (
        r"The server could not be reached\.",
        lazy_gettext("The server could not be reached."),
    ),
    (
        r"The server's answer could not be read\.",
        lazy_gettext("The server's answer could not be read."),
    ),
)
_PATTERNS = tuple((re.compile(pattern), said) for pattern, said in _KNOWN)
_TURNED_OFF = re.compile(
    r"Turned off after (?P<failures>\d+) failed attempts in a row\. The last: (?P<error>.*)",
    re.S,
)


def said(stored: str) -> str:
    """`stored` (a delivery's error, or why an endpoint was turned off) in
    the current language."""
    off = _TURNED_OFF.fullmatch(stored)
    if off:
        failures = int(off["failures"])
        return ngettext(
            "Turned off after %(num)d failed attempt in a row. The last: %(error)s",
            "Turned off after %(num)d failed attempts in a row. The last: %(error)s",
            failures,
        ) % {"num": failures, "error": said(off["error"])}
    for pattern, words in _PATTERNS:
        found = pattern.fullmatch(stored)
        if found:
            return str(words) % found.groupdict()
    return stored
