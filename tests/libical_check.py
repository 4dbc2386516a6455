"""Run by Debian's own python3 (which has PyGObject and libical's GObject
bindings, gir1.2-ical-3.0): reads a JSON list of iCalendar texts on stdin and
prints, for each, the errors libical reports — parse errors, and for a text
with a METHOD the iTIP restriction checks of RFC 5546 for that method."""

import json
import re
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402


def errors(text):
    component = ICalGLib.Component.new_from_string(text)
    if component is None:
        return ["libical could not parse it"]
    ICalGLib.restriction_check(component)
    unfolded = re.sub(r"\r?\n[ \t]", "", component.as_ical_string())
    return [line for line in unfolded.splitlines() if line.startswith("X-LIC-ERROR")]


json.dump([errors(text) for text in json.load(sys.stdin)], sys.stdout)
