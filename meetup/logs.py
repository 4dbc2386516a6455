"""Structured logs: one JSON line per request and per mail attempt, with no
secrets and no whole tokens (links in mail are credentials)."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("meetup")
# Paths whose next segment is a credential: shown cut to 6 characters.
_SECRET_SEGMENT = re.compile(
    r"^(/(?:r|login|me|host|f|unsubscribe|m|admin/checkin)/)([^/]{7,})", re.IGNORECASE
)


def redact_path(path: str) -> str:
    return _SECRET_SEGMENT.sub(lambda m: f"{m.group(1)}{m.group(2)[:6]}…", path)


def event(name: str, **fields: Any) -> None:
    """Logs one structured event: `meetup` logger, message = the event name,
    the fields in `record.fields`."""
    logger.info(name, extra={"fields": fields})


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure() -> None:
    """JSON lines on stderr for the `meetup` logger (once per process)."""
    if any(isinstance(h.formatter, JsonLines) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # httpx logs each request's full URL at INFO: a host's calendar address
    # is a secret, so only its warnings are let through.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class RequestLog:
    """One line per HTTP request: method, path (credentials cut), status,
    duration. No query string, no headers, no client address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            event(
                "request",
                method=scope["method"],
                path=redact_path(scope["path"]),
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
