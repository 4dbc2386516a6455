"""What a source can be: the kinds a host records by hand, the kinds the site
makes itself, and the platforms offered when recording one."""

from __future__ import annotations

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
