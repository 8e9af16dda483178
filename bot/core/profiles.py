"""What the core remembers of a user between messages, behind one small interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Profile:
    user_id: int
    chat_id: int
    lang: str | None = None  # chosen with /lang; None: follow each question's language
    village_code: str | None = None
    state: str | None = None  # the conversation step a user is in, e.g. waiting for a phone number
    data: dict[str, Any] = field(default_factory=dict)


class Profiles(Protocol):
    def load(self, user_id: int, chat_id: int) -> Profile: ...

    def save(self, profile: Profile) -> None: ...


class MemoryProfiles:
    """Profiles kept in memory: for the matcher's command line and for tests of the core alone."""

    def __init__(self) -> None:
        self._profiles: dict[int, Profile] = {}

    def load(self, user_id: int, chat_id: int) -> Profile:
        return self._profiles.setdefault(user_id, Profile(user_id, chat_id))

    def save(self, profile: Profile) -> None:
        self._profiles[profile.user_id] = profile
