"""The matcher's and checker's work on a text is done before the turn holds the database.

On SQLite a turn takes the one write lock at its start; scoring a question inside it kept the
channel's inbox and outbox waiting (bot/store/db.py). A villager's question is scored once, outside
any transaction, and the turn's own call finds the answer done.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.core.conversation import Conversation
from bot.core.types import text_message
from bot.services import Knowledge, KnowledgeHolder, Services
from bot.settings import load_settings
from bot.store.demo import load_demo


class Watch:
    """Whether a transaction is open, and where each scoring happened."""

    def __init__(self, engine: Engine) -> None:
        self.open = 0
        self.scored: list[tuple[str, bool]] = []  # (what, inside a transaction)
        event.listen(engine, "begin", lambda _c: self._move(1))
        event.listen(engine, "commit", lambda _c: self._move(-1))
        event.listen(engine, "rollback", lambda _c: self._move(-1))

    def _move(self, step: int) -> None:
        self.open += step

    def spy(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def scoring(*args: Any) -> Any:
            self.scored.append((name, self.open > 0))
            return real(*args)

        return scoring


def test_a_question_is_scored_once_and_outside_the_transaction(factory: sessionmaker[Session]) -> None:
    settings = load_settings()
    load_demo(factory)
    knowledge = Knowledge.load(settings)  # its own: the spies below must not reach other tests
    engine = factory.kw["bind"]
    watch = Watch(engine)
    knowledge.matcher._recent = lru_cache(maxsize=8)(watch.spy("match", knowledge.matcher._match))  # type: ignore[method-assign]
    knowledge.checker._recent = lru_cache(maxsize=8)(watch.spy("check", knowledge.checker.judge))  # type: ignore[method-assign]
    conversation = Conversation(Services(settings, KnowledgeHolder(settings, knowledge), factory))

    answer = conversation.handle(text_message(5601, 5601, "身份证丢了怎么补办", lang_hint="zh"))
    assert "身份证" in answer.replies[0].text
    assert watch.scored == [("match", False)]

    watch.scored.clear()
    conversation.handle(
        text_message(
            5601, 5601, "【工商银行】您的账户异常，请点击 http://icbc-verify.top 解冻", lang_hint="zh", forwarded=True
        )
    )
    assert watch.scored == [("check", False)]
