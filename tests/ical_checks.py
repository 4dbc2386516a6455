"""Reading calendars back in tests: icalendar, vobject, libical (through
Debian's python3, see libical_check.py) and ical.js (the parser of web
calendar clients, through node, see icaljs_check.mjs), so every calendar we
make is checked by parsers that share no code with the one that wrote it."""

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
ICALJS_CHECKER = Path(__file__).with_name("icaljs_check.mjs")


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


def icaljs_events(*calendars: bytes) -> list[list[list[object]]]:
    """ical.js's reading of each calendar: its events as [uid, summary,
    start in UTC (ISO 8601), sequence]; a calendar it refuses fails the test."""
    done = subprocess.run(
        ["node", str(ICALJS_CHECKER)],
        input=json.dumps([c.decode() for c in calendars]),
        capture_output=True,
        text=True,
        cwd=CHECKER.parent.parent,  # node_modules (npm ci)
    )
    if done.returncode != 0:
        message = f"ical.js through node failed ({done.stderr.strip()[-300:]}): npm ci"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    read = json.loads(done.stdout)
    errors = [result["error"] for result in read if "error" in result]
    assert not errors, errors
    return [result["events"] for result in read]
