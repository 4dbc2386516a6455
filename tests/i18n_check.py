"""What in a template a reader sees that is not in the catalog: text between
tags, and the attributes people read (alt, title, placeholder, aria-label,
a meta description), outside `{% trans %}` blocks and `_()` calls.

`python tests/i18n_check.py [template …]` lists them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Words a reader sees that are the same in every language.
SAME_EVERYWHERE = {
    "WhatsApp",
    "LinkedIn",
    "Facebook",
    "Microsoft",
    "com",
    "meetup",
    "OpenStreetMap",
    "Google",
    "Outlook",
    "Apple",
    "iCal",
    "ICS",
}
_TAG = re.compile(r"<[^>]*>", re.S)
# What a browser runs or styles, never shows.
_CODE = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_VISIBLE_ATTRIBUTE = re.compile(
    r"""\b(?:alt|title|placeholder|aria-label)\s*=\s*"([^"\x01]*)\"""", re.I
)
_ENTITY = re.compile(r"&[a-z]+;|&#[0-9]+;")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _own_text(
    source: str, env: jinja2.Environment
) -> tuple[str, list[tuple[int, int]]]:
    """The template's own text outside trans blocks, each `{{ }}` or `{% %}`
    a `HOLE`, and where each line starts in it: (offset, line)."""
    parts: list[str] = []
    lines: list[tuple[int, int]] = []
    size = 0
    in_trans = expect_name = False
    for line, kind, value in env.lex(source):
        if kind == "block_begin":
            expect_name = True
        elif expect_name and kind == "name":
            in_trans = {"trans": True, "endtrans": False}.get(value, in_trans)
            expect_name = False
        elif kind != "whitespace":
            expect_name = False
        if kind == "data" and not in_trans:
            lines.append((size, line))
            parts.append(value)
            size += len(value)
        elif kind in ("variable_begin", "block_begin"):
            parts.append(HOLE)
            size += 1
    return "".join(parts), lines


HOLE = "\x01"


def _line_at(lines: list[tuple[int, int]], offset: int) -> int:
    found = 1
    for start, line in lines:
        if start > offset:
            break
        found = line
    return found


def untranslated(name: str, env: jinja2.Environment | None = None) -> list[str]:
    """`template:line: text` for each piece of visible text of template
    `name` that does not go through the catalog."""
    env = env or jinja2.Environment(extensions=["jinja2.ext.i18n"])
    text, lines = _own_text((TEMPLATES / name).read_text(), env)
    pieces: list[tuple[int, str]] = []
    if name.endswith(".html"):
        text = _CODE.sub(lambda block: HOLE * len(block[0]), text)
        for tag in _TAG.finditer(text):
            pieces += [
                (tag.start(), shown) for shown in _VISIBLE_ATTRIBUTE.findall(tag[0])
            ]
        text = _TAG.sub(lambda tag: HOLE * len(tag[0]), text)
    for match in re.finditer(r"[^\x01]+", text):
        pieces.append((match.start(), match[0]))
    problems = []
    for offset, piece in sorted(pieces):
        piece = _ENTITY.sub(" ", piece)
        words = [w for w in _WORD.findall(piece) if w not in SAME_EVERYWHERE]
        if words:
            shown = " ".join(piece.split())[:80]
            problems.append(f"{name}:{_line_at(lines, offset)}: {shown}")
    return problems


if __name__ == "__main__":
    names = sys.argv[1:] or [
        str(path.relative_to(TEMPLATES)) for path in sorted(TEMPLATES.rglob("*.*"))
    ]
    for template in names:
        for problem in untranslated(template):
            print(problem)
