"""The one clock: aware UTC instants. Workflows take `at` where tests need
another time; everything else asks here."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
