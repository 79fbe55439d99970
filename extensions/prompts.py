"""What the questionnaire says: refusals that read in an 80-column terminal, and answers passed
for questions that do not exist.

Copier prints a refused answer as "Validation error for question 'NAME': MESSAGE", and the
interactive prompt shows only the first line of it, cut at the terminal's width. So the first
line says what is wrong and fits after that prefix; the rest follows on lines of 80 columns
(shown whole when answers come from `--data`), and docs/questions.md has every rule.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2.ext import Extension

WIDTH = 80
COPIER_PREFIX = "Validation error for question '{}': "
# Keys the answers file holds besides the questions' answers (entities.RELEASED_KEY).
RECORDED_KEYS = frozenset({"released_resources"})
# Questions a release removed: an update renders with every answer the project recorded, so
# their names must stay accepted. Add a question's name here when it leaves copier.yml.
RETIRED_QUESTIONS: frozenset[str] = frozenset()
COPIER_YML = Path(__file__).resolve().parent.parent / "copier.yml"


# A refusal about one place of an answer begins with it: "order.item_id: ...".
LOCATION = re.compile(r'^(?P<where>[^:"]+): (?P<what>.+)$', re.DOTALL)
QUOTED = re.compile(r'"[^"]*":?')


def for_prompt(message: str, question: str) -> str:
    """`message` wrapped so that its first line fits after Copier's prefix in 80 columns.

    The first line is the message's first clause (up to "; "), so that the line the prompt shows
    (its only one) is a statement rather than a cut sentence. When the clause is too long, the
    first of these that fits is shown, and the whole message follows it:
    the place it is about shortened to its last part ("order.customer_id: " to "customer_id: "),
    then the clause without the values it quotes (with the whole place, then the short one),
    then the clause without its place.
    """
    if not message:
        return ""
    first_width = WIDTH - len(COPIER_PREFIX.format(question))
    clause, separator, after = message.partition("; ")
    # A clause before more ends with ";", a whole sentence with its own period.
    end = ";" if separator else ""
    if len(clause) + len(end) <= first_width:
        # As many whole clauses as fit: the line the prompt shows says how to fix it too,
        # where there is room.
        while after:
            following, more, rest = after.partition("; ")
            joined = f"{clause}; {following}"
            if len(joined) + (1 if more else 0) > first_width:
                break
            clause, after, end = joined, rest, ";" if more else ""
        return _wrapped(clause + end, after)
    for first in _shorter_clauses(clause):
        if len(first) + len(end) <= first_width:
            return _wrapped(first + end, message)
    first = textwrap.wrap(message, first_width, break_on_hyphens=False)[0]
    return _wrapped(first, message[len(first) :].strip())


def _shorter_clauses(clause: str) -> list[str]:
    """The clause told in fewer characters, the most informative first."""
    unquoted = " ".join(QUOTED.sub("", clause).split())
    located = LOCATION.match(clause)
    if not located:
        return [unquoted] if unquoted else []
    where, what = located["where"], located["what"]
    short_where = where.rpartition(".")[2]
    unquoted_what = " ".join(QUOTED.sub("", what).split())
    candidates = [f"{short_where}: {what}"]
    # Not when the quoted value is what the clause is about: "must start with a-z" would then
    # read as said of the field.
    if unquoted_what and not what.startswith('"'):
        candidates += [f"{where}: {unquoted_what}", f"{short_where}: {unquoted_what}"]
    return [*candidates, what]


def _wrapped(first: str, rest: str) -> str:
    return "\n".join([first, *textwrap.wrap(rest, WIDTH, break_on_hyphens=False)])


@cache
def question_names(copier_yml: Path = COPIER_YML) -> tuple[str, ...]:
    settings = yaml.safe_load(copier_yml.read_text())
    return tuple(name for name in settings if not name.startswith("_"))


def unknown_answers_error(data: Any) -> str:
    """Refuse `--data`/`--data-file` keys that name no question (Copier ignores them)."""
    known = set(question_names()) | RECORDED_KEYS | RETIRED_QUESTIONS
    unknown = sorted(
        str(key) for key in dict(data or {}) if not str(key).startswith("_") and key not in known
    )
    if not unknown:
        return ""
    refusals = []
    for key in unknown:
        close = difflib.get_close_matches(key, question_names(), n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else ""
        refusals.append(f'"{key}" is not a question{hint}')
    return (
        f"{'; '.join(refusals)}. docs/questions.md lists the questions; a key added to "
        ".copier-answers.yml by hand is refused too: remove it there."
    )


class PromptFilters(Extension):
    """Registers the filters above in Copier's Jinja environment."""

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.filters.update(
            {
                "for_prompt": for_prompt,
                "unknown_answers_error": unknown_answers_error,
            }
        )
