"""Helpers for the alert tests: many villagers at once, a recording sender, running the engine."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.alerts_delivery import AlertEngine
from bot.core.dispatch import Delivery, Sent
from bot.core.types import Reply
from bot.services import Services
from bot.store import citizens, roster
from bot.store.models_outreach import Alert, AlertDelivery

Rule = Callable[[int, int], Delivery | None]  # (chat, how many times it was tried) -> an answer, or None: sent


def add_villagers(factory: sessionmaker[Session], code: str, user_ids: range, lang: str = "zh") -> list[int]:
    """Registered villagers of village `code`, straight into the database."""
    with factory.begin() as session:
        village = roster.village_by_code(session, code)
        assert village is not None
        for uid in user_ids:
            citizen = citizens.get_or_create(session, uid, uid, lang=lang, name=f"村民{uid}")
            citizens.set_village(session, citizen, village.id)
    return list(user_ids)


@dataclass
class Recorder:
    """A fake channel: every send (chat, reply, time), and answers chosen by `rule`."""

    rule: Rule | None = None
    sends: list[tuple[int, Reply, float]] = field(default_factory=list)
    tries: Counter[int] = field(default_factory=Counter)
    shown: list[tuple[int, int | None, str, float]] = field(default_factory=list)
    after_send: Callable[[], None] | None = None

    async def __call__(self, chat_id: int, reply: Reply) -> Delivery:
        self.tries[chat_id] += 1
        answer = self.rule(chat_id, self.tries[chat_id]) if self.rule else None
        if answer is None:
            self.sends.append((chat_id, reply, time.monotonic()))
            answer = Sent(len(self.sends))
        if self.after_send:
            self.after_send()
        return answer

    async def show(self, chat_id: int, message_id: int | None, text: str) -> int | None:
        self.shown.append((chat_id, message_id, text, time.monotonic()))
        return message_id or 777

    def delivered(self) -> Counter[int]:
        return Counter(chat for chat, _, _ in self.sends)


async def deliver_all(engine: AlertEngine, timeout: float = 10.0) -> None:
    """Run the engine again and again (as the channel's job does) until no alert is going out."""
    deadline = time.monotonic() + timeout
    while sending(engine.services):
        assert time.monotonic() < deadline, "alerts still going out"
        await engine.run()
        await asyncio.sleep(0.02)


def sending(services: Services) -> list[int]:
    with services.db() as session:
        return list(session.scalars(select(Alert.id).where(Alert.status == "sending")))


def deliveries(services: Services) -> list[AlertDelivery]:
    with services.db() as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def alert(services: Services, number: int) -> Alert:
    with services.db() as session:
        found = session.get(Alert, number)
        assert found is not None
        return found
