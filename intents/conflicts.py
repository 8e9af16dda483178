"""The conflict report: example questions that the matcher gives to another intent."""

from __future__ import annotations

from intents.faq import Problem
from intents.matcher import Matcher
from intents.strategies import NONE


def conflicts(matcher: Matcher, warnings: bool = True) -> list[Problem]:
    """An error when an example, as shipped, is answered by another intent; a warning when it
    would be once left out of the index (it teaches nothing its own intent does not already
    know and sits closer to another one). Without `warnings`, only the errors (half the work)."""
    problems: list[Problem] = []
    index = 0
    for intent in matcher.faq.intents.values():
        files = intent.example_files or (intent.source,) * len(intent.examples)  # reviewed.yaml has its own
        for example, line, source in zip(intent.examples, intent.example_lines, files, strict=False):
            for exclude, severity in ((None, "error"), (index, "warning"))[: 2 if warnings else 1]:
                ranked = matcher.rank(matcher.query(example, exclude))
                top = ranked[0][0] if ranked else None
                if top != intent.id:
                    where = "out of scope" if top == NONE else str(top)
                    problems.append(
                        Problem(source, line, f"{intent.id}: example {example!r} matches {where}", severity)
                    )
                    break
            index += 1
    return problems
