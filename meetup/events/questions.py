"""The host's questions for guests: written as lines, kept as JSON, asked on
the RSVP form. Pure functions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from meetup.core.i18n import gettext as _

MAX_QUESTIONS = 5
MAX_ANSWER = 500


@dataclass(frozen=True)
class Question:
    label: str
    choices: tuple[str, ...] = ()


def parse_lines(text: str) -> list[Question]:
    """`What brings you here?` asks for free text; `Diet: vegetarian | vegan | none`
    offers a choice. Raises ValueError with a readable message."""
    questions = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        label, sep, options = line.partition(":")
        choices = (
            tuple(o.strip() for o in options.split("|") if o.strip())
            if sep and "|" in options
            else ()
        )
        label = (label if choices else line).strip()
        if len(label) > 200:
            raise ValueError(_("A question can be at most 200 characters long."))
        questions.append(Question(label, choices))
    if len(questions) > MAX_QUESTIONS:
        raise ValueError(_("Ask at most %(most)s questions.") % {"most": MAX_QUESTIONS})
    return questions


def to_json(questions: list[Question]) -> str:
    return json.dumps(
        [{"label": q.label, "choices": list(q.choices)} for q in questions]
    )


def from_json(data: str) -> list[Question]:
    return [
        Question(q["label"], tuple(q.get("choices", ())))
        for q in json.loads(data or "[]")
    ]


def to_lines(data: str) -> str:
    return "\n".join(
        f"{q.label}: {' | '.join(q.choices)}" if q.choices else q.label
        for q in from_json(data)
    )


def answers_from(form: Any, questions: list[Question]) -> dict[str, str]:
    """The guest's answers by question label; raises ValueError for a bad one."""
    answers = {}
    for index, question in enumerate(questions):
        value = str(form.get(f"q{index}") or "").strip()
        if question.choices and value and value not in question.choices:
            raise ValueError(
                _("Choose one of the offered answers for “%(question)s”.")
                % {"question": question.label}
            )
        if len(value) > MAX_ANSWER:
            raise ValueError(
                _("Keep the answer to “%(question)s” under %(most)s characters.")
                % {"question": question.label, "most": MAX_ANSWER}
            )
        if value:
            answers[question.label] = value
    return answers
