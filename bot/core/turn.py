"""One user's action being handled: the message, the open database session, who they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.core.types import Incoming, Outcome
from bot.services import Knowledge, Services
from bot.store import citizens
from bot.store.models import Citizen, Officer


@dataclass
class Turn:
    msg: Incoming
    session: Session
    services: Services
    knowledge: Knowledge
    citizen: Citizen
    lang: str
    officer: Officer | None = None
    queued: int = 0  # messages put in the outbox for other people
    notes: list[str] = field(default_factory=list)

    def say(self, key: str, lang: str | None = None, **params: Any) -> str:
        """The text of message `key` in the user's language (or `lang`)."""
        return self.knowledge.faq.message(key, lang or self.lang, **params)

    def reply(self, key: str, **params: Any) -> Outcome:
        return Outcome.text(self.say(key, **params))

    @property
    def state(self) -> str | None:
        return self.citizen.state

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.citizen.state_data or {})

    def set_state(self, state: str | None, **data: Any) -> None:
        citizens.set_state(self.session, self.citizen, state, data or None)

    @property
    def is_admin(self) -> bool:
        return self.msg.user_id in self.services.settings.telegram.admins

    @property
    def staff_lang(self) -> str:
        """The language of messages to officers and duty desks."""
        return self.services.settings.app.default_lang
