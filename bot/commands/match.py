"""`cunjing match`: one question per line on stdin, one JSON object per line on stdout."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

from bot.core import language
from bot.services import build_matcher
from bot.settings import load_settings
from intents.faq import load_faq
from intents.matcher import Matcher


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("match", help="match questions (stdin, one per line) to FAQ intents, JSON lines out")
    p.add_argument("--faq", type=Path, help="FAQ directory (default: faq.dir of config.yaml)")
    p.add_argument("--lang", choices=("zh", "en"), help="answer language (default: each question's own)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    faq = load_faq(args.faq or settings.faq.dir)
    matcher = build_matcher(faq, settings)
    gc.freeze()  # the index lives as long as the process: keep the collector from rescanning it
    out = sys.stdout
    for raw in sys.stdin.buffer:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        out.write(json.dumps(result(matcher, text, args.lang, settings.app.default_lang), ensure_ascii=False))
        out.write("\n")
        out.flush()
    return 0


def result(matcher: Matcher, text: str, lang: str | None, default_lang: str) -> dict[str, object]:
    """The stable JSON shape that evaluations read."""
    match = matcher.match(text)
    intent = matcher.faq.get(match.intent)
    answer_lang = lang or language.choose(text[: matcher.max_chars], None, default_lang)  # what the matcher read
    return {
        "text": text,
        "intent": match.intent,
        "score": round(match.score, 4),
        "answer": intent.answer.get(answer_lang) if intent else None,
        "suggestions": list(match.suggestions),
    }
