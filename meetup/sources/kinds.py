"""What a source can be: the kinds a host records by hand, the kinds the site
makes itself, and the platforms offered when recording one."""

from __future__ import annotations

import re

from meetup.core.i18n import lazy_gettext

# Labels in the reader's language when shown (the codes are what is stored).
KINDS = (
    ("post", lazy_gettext("Post")),
    ("conversation", lazy_gettext("Conversation")),
    ("direct_message", lazy_gettext("Direct message")),
    ("email", lazy_gettext("Email")),
    ("newsletter", lazy_gettext("Newsletter")),
    ("in_person", lazy_gettext("In person")),
    ("other", lazy_gettext("Other")),
)
# Sources the site makes itself, never by hand.
SYSTEM_KINDS = {
    "guest_referral": lazy_gettext("Guest referral"),
    # The host's one-click invitation or coffee offer from a person's page.
    "reinvite": lazy_gettext("Re-invited"),
    # Clicks from the events embedded on the host's own site.
    "website": lazy_gettext("Your website"),
    # A visitor's click on a share button: one per platform and page.
    "share": lazy_gettext("Share button"),
    "self_reported": lazy_gettext("Self-reported"),
    "campaign": lazy_gettext("Campaign (UTM)"),
    "direct": lazy_gettext("Direct / unknown"),
}
# The stored label of every host's "direct" source (found by it, so always
# English whatever language the page reads in).
DIRECT_LABEL = "Direct / unknown"
KIND_LABELS = dict(KINDS) | SYSTEM_KINDS
# What the host shared by hand: posts, conversations, … (not the site's own).
SHARED_KINDS = tuple(kind for kind, _ in KINDS)
PLATFORMS = (
    "LinkedIn",
    "Instagram",
    "X",
    "Facebook",
    "Mastodon",
    "Bluesky",
    "Threads",
    "YouTube",
    "TikTok",
    "WhatsApp",
    "Telegram",
    "Reddit",
    "Email",
    "Newsletter",
)


# Labels the site names its own sources with. They are stored in English (a
# host's "direct" source is found by its label, whatever the page's language)
# and shown in the reader's: each pattern's parts kept, its words translated.
_SITE_LABELS = (
    (re.compile(r"Direct / unknown"), lazy_gettext("Direct / unknown")),
    (re.compile(r"A friend told them"), lazy_gettext("A friend told them")),
    (re.compile(r"Walk-ins at the door"), lazy_gettext("Walk-ins at the door")),
    (re.compile(r"Invited by email"), lazy_gettext("Invited by email")),
    (re.compile(r"Shared by a guest"), lazy_gettext("Shared by a guest")),
    (re.compile(r"Your website"), lazy_gettext("Your website")),
    (re.compile(r"Copied link"), lazy_gettext("Copied link")),
    (re.compile(r"Shared by email"), lazy_gettext("Shared by email")),
    (re.compile(r"Shared on (?P<platform>.+)"), lazy_gettext("Shared on %(platform)s")),
    (re.compile(r"Shared by (?P<name>.+)"), lazy_gettext("Shared by %(name)s")),
    (re.compile(r"Said (?P<platform>.+)"), lazy_gettext("Said %(platform)s")),
    (re.compile(r"Re-invited: (?P<name>.+)"), lazy_gettext("Re-invited: %(name)s")),
    (
        re.compile(r"Newsletter: (?P<subject>.+)"),
        lazy_gettext("Newsletter: %(subject)s"),
    ),
)


def shown_label(label: str | None) -> str:
    """A source's label as the reader reads it: the site's own in their
    language, a host's as the host wrote it."""
    for pattern, words in _SITE_LABELS:
        found = pattern.fullmatch(label or "")
        if found:
            return str(words) % found.groupdict()
    return label or ""
