"""The conflict report: example questions that the matcher gives to another intent."""

from __future__ import annotations

from intents.faq import Problem
from intents.matcher import Matcher
from intents.strategies import NONE


def conflicts(matcher: Matcher) -> list[Problem]:
    """An error when an example, as shipped, is answered by another intent; a warning when it
    would be once left out of the index (it teaches nothing its own intent does not already
    know and sits closer to another one)."""
    problems: list[Problem] = []
    index = 0
    for intent in matcher.faq.intents.values():
        for example, line in zip(intent.examples, intent.example_lines, strict=False):
            for exclude, severity in ((None, "error"), (index, "warning")):
                ranked = matcher.rank(matcher.query(example, exclude))
                top = ranked[0][0] if ranked else None
                if top != intent.id:
                    where = "out of scope" if top == NONE else str(top)
                    problems.append(
                        Problem(intent.source, line, f"{intent.id}: example {example!r} matches {where}", severity)
                    )
                    break
            index += 1
    return problems
