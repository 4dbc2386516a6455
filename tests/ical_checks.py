"""Reading calendars back in tests: icalendar, vobject and libical (the last
through Debian's python3, see libical_check.py), so every calendar we make is
checked by parsers that share no code with the one that wrote it."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path

import icalendar
import pytest
import vobject

from tests.conftest import IN_CI

SYSTEM_PYTHON = "/usr/bin/python3"
CHECKER = Path(__file__).with_name("libical_check.py")


def parse(data: bytes) -> icalendar.Calendar:
    """icalendar's reading, which must see exactly one VCALENDAR."""
    return icalendar.Calendar.from_ical(data)


def read_vobject(data: bytes):  # noqa: ANN201
    return vobject.readOne(data.decode())


def only_event(data: bytes) -> icalendar.Event:
    events = parse(data).walk("VEVENT")
    assert len(events) == 1, data.decode()
    return events[0]


@cache
def _libical_missing() -> str | None:
    probe = subprocess.run(
        [SYSTEM_PYTHON, str(CHECKER)], input="[]", capture_output=True, text=True
    )
    return None if probe.returncode == 0 else probe.stderr.strip()[-300:]


def libical_errors(*calendars: bytes) -> list[list[str]]:
    """libical's errors for each calendar (an empty list when it is clean)."""
    missing = _libical_missing()
    if missing:
        message = f"libical through {SYSTEM_PYTHON} is unavailable ({missing}): apt install gir1.2-ical-3.0 python3-gi"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [SYSTEM_PYTHON, str(CHECKER)],
        input=json.dumps([c.decode() for c in calendars]),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def assert_valid(*calendars: bytes) -> None:
    """Each calendar parses in icalendar and vobject, and libical finds nothing wrong."""
    for data in calendars:
        parse(data)
        read_vobject(data)
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
        assert all(len(line) <= 75 for line in data.split(b"\r\n")), "unfolded line"
    assert libical_errors(*calendars) == [[] for _ in calendars]
