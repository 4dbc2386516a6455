"""What a source can be: the kinds a host records by hand, the kinds the site
makes itself, and the platforms offered when recording one."""

from __future__ import annotations

KINDS = (
    ("post", "Post"),
    ("conversation", "Conversation"),
    ("direct_message", "Direct message"),
    ("email", "Email"),
    ("newsletter", "Newsletter"),
    ("in_person", "In person"),
    ("other", "Other"),
)
# Sources the site makes itself, never by hand.
SYSTEM_KINDS = {
    "guest_referral": "Guest referral",
    # The host's one-click invitation or coffee offer from a person's page.
    "reinvite": "Re-invited",
    # Clicks from the events embedded on the host's own site.
    "website": "Your website",
    # A visitor's click on a share button: one per platform and page.
    "share": "Share button",
    "self_reported": "Self-reported",
    "campaign": "Campaign (UTM)",
    "direct": "Direct / unknown",
}
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
