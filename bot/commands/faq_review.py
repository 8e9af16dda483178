"""`cunjing faq review`: the review loop of `/review` in a terminal. Each question the bot could not
answer (or barely) is shown with its three likeliest intents; the answer typed on the next line
(1-3, o for out of scope, s to skip, q to quit) is decided and written by bot/review.py, as in
Telegram. The matcher is calibrated once at the end (it takes tens of seconds on the shipped FAQ),
unless --no-calibrate. The running bot uses the new examples after /reload (or a restart)."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.orm import Session, sessionmaker

from bot import review
from bot.faq_tools import recalibrate
from bot.services import Knowledge
from bot.settings import Settings, load_settings
from bot.store import db, reviews
from bot.store.models_outreach import AskedQuestion
from bot.store.types import utcnow

TOP = 3


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine = db.make_engine(settings.database)
    try:
        db.upgrade(engine)
        factory = db.session_factory(engine)
        knowledge = Knowledge.load(settings)
        who = f"terminal:{getpass.getuser()}"
        added = 0
        while True:
            with factory() as session:  # no transaction stays open while someone types
                question = reviews.next_pending(session, settings.matcher.threshold)
            if question is None:
                print("nothing left to review")
                break
            choices = likely(knowledge, question)
            show(question, choices, knowledge)
            line = sys.stdin.readline()
            answer = line.strip().lower()
            if not line or answer == "q":
                break
            target = {"s": reviews.SKIP, "o": review.OUT}.get(answer) or pick(answer, choices)
            if target is None:
                print("type 1-3, o, s or q")
            elif target == reviews.SKIP:
                mark(factory, question.id, target, who)
                print(f"#{question.id} skipped")
            elif add(settings, question, target, who):
                mark(factory, question.id, target, who)
                added += 1
                knowledge = Knowledge.load(settings)  # the next question's likeliest intents know the new example
        print(f"{added} question(s) added to {settings.faq.dir / review.FILE}")
        if added and not args.no_calibrate:
            print(recalibrate(settings.faq.dir, settings))
        return 0
    finally:
        engine.dispose()


def add(settings: Settings, question: AskedQuestion, target: str, who: str) -> bool:
    result = review.add(settings, [review.Label(question.text, target, who, utcnow())])
    for _, reasons in result.refused:
        print(f"#{question.id} not added, the FAQ check would report:")
        print("\n".join(f"  {r}" for r in reasons))
        return False
    print(f"#{question.id} added as {target}")
    return True


def mark(factory: sessionmaker[Session], question_id: int, target: str, who: str) -> None:
    with factory.begin() as session:
        question = reviews.get(session, question_id)
        assert question is not None
        reviews.mark(session, question, target, who)


def likely(knowledge: Knowledge, question: AskedQuestion) -> list[str]:
    match = knowledge.matcher.match(question.text)
    ids = [i for i in (*match.suggestions, *(c for c, _ in match.candidates)) if i in knowledge.faq.intents]
    return list(dict.fromkeys(ids))[:TOP]


def pick(answer: str, choices: list[str]) -> str | None:
    return choices[int(answer) - 1] if answer.isdigit() and 1 <= int(answer) <= len(choices) else None


def show(question: AskedQuestion, choices: list[str], knowledge: Knowledge) -> None:
    was = "fell back" if question.fallback else f"answered {question.intent} ({question.score:.2f})"
    print(f"\n#{question.id} [{was}] {question.text}")
    for n, intent_id in enumerate(choices, 1):
        print(f"  {n}. {intent_id}  {knowledge.faq[intent_id].title.zh}")
    print("  o. out of scope   s. skip   q. quit")
    print("> ", end="", flush=True)
