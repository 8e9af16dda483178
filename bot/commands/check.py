"""`cunjing check`: JSON lines in (`{"text": ...}`), one verdict per line out, in order.

The stable interface evaluations use. Every input line gets exactly one output line: a line
that is not JSON or has no text gets `{"line": n, "error": ...}` and the run goes on.
Input and output are UTF-8 whatever the locale; each answer is flushed at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from bot.services import encoder_of
from bot.settings import load_settings
from intents.scamcheck import ScamChecker


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `check` subcommand."""
    p = sub.add_parser("check", help="judge messages: JSON lines {text} on stdin, verdicts as JSON lines on stdout")
    p.add_argument("--faq", type=Path, help="the FAQ directory with scam_rules.yaml (default: the setting faq.dir)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Judge every input line; 0 when the input ends."""
    settings = load_settings()
    checker = ScamChecker.from_dir(args.faq or settings.faq.dir, encoder=encoder_of(settings))
    for answer in answers(checker, sys.stdin.buffer):
        write_line(sys.stdout.buffer, answer)
    return 0


def answers(checker: ScamChecker, lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """One answer per input line, in order."""
    for number, raw in enumerate(lines, start=1):
        yield answer(checker, raw.decode("utf-8-sig" if number == 1 else "utf-8", errors="replace"), number)


def answer(checker: ScamChecker, line: str, number: int) -> dict[str, Any]:
    """The verdict on one input line, or why it could not be read."""
    if not line.strip():
        return {"line": number, "error": "empty line"}
    try:
        data = json.loads(line)
    except ValueError as exc:
        return {"line": number, "error": f"not valid JSON: {exc}"}
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return {"line": number, "error": 'expected an object with a string "text"'}
    out: dict[str, Any] = {"id": data["id"]} if "id" in data else {}
    out["text"] = data["text"]
    out.update(checker.check(data["text"]).as_dict())
    return out


def write_line(stream: IO[bytes], obj: dict[str, Any]) -> None:
    """One JSON object as a UTF-8 line, flushed; a lone surrogate is written as its JSON escape."""
    line = json.dumps(obj, ensure_ascii=False) + "\n"
    stream.write(line.encode("utf-8", errors="backslashreplace"))
    stream.flush()
