"""Link-preview fetchers: the platforms fetch a shared link to draw its card.
Such fetches are counted as previews, never as clicks."""

from __future__ import annotations

import re

_PREVIEWERS = re.compile(
    r"facebookexternalhit|facebookcatalog|meta-externalagent|twitterbot|linkedinbot"
    r"|slackbot|slack-imgproxy|whatsapp|discordbot|telegrambot|mastodon|pleroma"
    r"|misskey|bluesky|cardyb|skypeuripreview|microsoftpreview|teams|iframely"
    r"|embedly|pinterestbot|redditbot|applebot|google-pagerenderer|googlebot"
    r"|bingbot|bingpreview|yandex|duckduckbot|vkshare|viber|line-poker|snapchat"
    r"|signal|zoom|outbrain|quora link preview|tumblr|flipboard|nuzzel|bot\b|spider|crawler",
    re.IGNORECASE,
)


def is_preview(user_agent: str) -> bool:
    """A link-preview fetcher or another robot, by its User-Agent. An empty
    User-Agent is a robot too: every browser sends one."""
    return not user_agent.strip() or bool(_PREVIEWERS.search(user_agent))
