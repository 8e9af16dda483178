"""The core with the demo roster on a real database, and people who talk to it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.core.conversation import Conversation
from bot.core.dispatch import Delivery, Dispatcher, Sent
from bot.core.types import Incoming, Reply, text_message
from bot.services import Knowledge, KnowledgeHolder, Services
from bot.settings import load_settings
from bot.store.demo import load_demo

_KNOWLEDGE: list[Knowledge] = []


def knowledge_once() -> Knowledge:
    """The FAQ and matcher are read-only: build them once for the whole session."""
    if not _KNOWLEDGE:
        _KNOWLEDGE.append(Knowledge.load(load_settings()))
    return _KNOWLEDGE[0]


class Inbox:
    """What the dispatcher delivered, by chat, in order: the other side of the conversation."""

    def __init__(self) -> None:
        self.by_chat: dict[int, list[Reply]] = {}
        self.next_id = 1000

    async def __call__(self, chat_id: int, reply: Reply) -> Delivery:
        self.by_chat.setdefault(chat_id, []).append(reply)
        self.next_id += 1
        return Sent(self.next_id)


class Person:
    """Talks to the core as one Telegram user and keeps every message they see."""

    def __init__(self, world: World, user_id: int, lang: str | None = "zh") -> None:
        self.world = world
        self.user_id = user_id
        self.lang = lang
        self.direct: list[Reply] = []

    def send(self, text: str, **extra: object) -> list[Reply]:
        return self._do(text_message(self.user_id, self.user_id, text, lang_hint=self.lang, **extra))

    def press(self, label: str) -> list[Reply]:
        buttons = [b for r in self.seen for row in r.buttons for b in row if b.label == label]
        assert buttons, f"no button {label!r} in {[r.text[:30] for r in self.seen]}"
        data = buttons[-1].data
        return self._do(Incoming(self.user_id, self.user_id, button=data, kind="button", lang_hint=self.lang))

    def sends(self, kind: str, **extra: object) -> list[Reply]:
        return self._do(Incoming(self.user_id, self.user_id, kind=kind, lang_hint=self.lang, **extra))  # type: ignore[arg-type]

    def _do(self, msg: Incoming) -> list[Reply]:
        outcome = self.world.conversation.handle(msg)
        self.direct += outcome.replies
        if outcome.queued:
            asyncio.run(self.world.dispatcher.drain())
        return list(outcome.replies)

    @property
    def seen(self) -> list[Reply]:
        """Direct replies and messages delivered through the outbox, in the order they came."""
        return self.direct + self.world.inbox.by_chat.get(self.user_id, [])

    @property
    def inbox(self) -> list[Reply]:
        return self.world.inbox.by_chat.get(self.user_id, [])

    @property
    def last(self) -> Reply:
        return self.direct[-1]


class World:
    def __init__(self, factory: sessionmaker[Session], **env: str) -> None:
        settings = load_settings(env={"CUNJING_TELEGRAM__ADMINS": "[9000]", **env})
        load_demo(factory)
        self.services = Services(settings, KnowledgeHolder(settings, knowledge_once()), factory)
        self.conversation = Conversation(self.services)
        self.inbox = Inbox()
        self.dispatcher = Dispatcher(factory, self.inbox, per_chat_interval=0)

    @property
    def faq(self):  # noqa: ANN201 - the FAQ of this world
        return self.services.knowledge().faq

    def person(self, user_id: int, lang: str | None = "zh") -> Person:
        return Person(self, user_id, lang)


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    return World(factory)


@pytest.fixture
def make_world(factory: sessionmaker[Session]) -> Callable[..., World]:
    return lambda **env: World(factory, **env)
