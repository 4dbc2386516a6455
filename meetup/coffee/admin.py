"""The host's coffee admin at /admin/coffee: availability rules, days off,
settings, and the list of chats (cancel with a message, mark held/no-show)."""

from __future__ import annotations

from starlette.routing import Route

routes: list[Route] = []
