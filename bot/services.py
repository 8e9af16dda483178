"""The long-lived services, built once at start: settings, knowledge (FAQ + matcher), database."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import FaqError
from bot.settings import Settings
from intents import semantic
from intents.faq import Faq, load_faq
from intents.matcher import Matcher
from intents.scamcheck import ScamChecker
from intents.urgency import Urgency

if TYPE_CHECKING:  # the matcher's command line needs no database: keep SQLAlchemy out of its start-up
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def build_matcher(faq: Faq, settings: Settings) -> Matcher:
    m = settings.matcher
    encoder = semantic.load(m.semantic, m.cache_dir)
    return Matcher(
        faq,
        threshold=m.threshold,
        suggestions=m.suggestions,
        max_chars=m.max_chars,
        cache_dir=m.cache_dir,
        encoder=encoder,
    )


@dataclass(frozen=True)
class Knowledge:
    """The FAQ, the matcher built from it, the scam checker and the urgency reader: replaced together on a reload."""

    faq: Faq
    matcher: Matcher
    checker: ScamChecker
    urgency: Urgency

    @staticmethod
    def load(settings: Settings) -> Knowledge:
        """Load and check the FAQ; raises FaqError listing every problem."""
        faq = load_faq(settings.faq.dir, settings.app.station)
        matcher = build_matcher(faq, settings)
        checker = ScamChecker.from_dir(settings.faq.dir, matcher.normalise)
        return Knowledge(faq, matcher, checker, Urgency(faq.urgency, matcher.normalise, settings.matcher.max_chars))

    @staticmethod
    def of(settings: Settings, faq: Faq, checker: ScamChecker) -> Knowledge:
        """The knowledge built from an FAQ and scam checker already loaded and checked (no file read):
        the core's process is given the channel's last good ones (bot/core/core_process.py)."""
        matcher = build_matcher(faq, settings)
        checker = ScamChecker(checker.rules, matcher.normalise, checker.model)  # the matcher's typos, shared
        return Knowledge(faq, matcher, checker, Urgency(faq.urgency, matcher.normalise, settings.matcher.max_chars))


class KnowledgeHolder:
    """The knowledge in use; a reload that fails keeps the last good one."""

    def __init__(self, settings: Settings, knowledge: Knowledge | None = None) -> None:
        self.settings = settings
        self._current = knowledge or Knowledge.load(settings)
        self._lock = threading.Lock()

    def __call__(self) -> Knowledge:
        return self._current

    def reload(self) -> Knowledge:
        """Load the FAQ again; on FaqError the previous knowledge stays and the error is raised."""
        with self._lock:
            try:
                fresh = Knowledge.load(self.settings)
            except FaqError:
                log.warning("FAQ reload failed; keeping the previous FAQ")
                raise
            self._current = fresh
            return fresh


@dataclass
class Services:
    settings: Settings
    knowledge: KnowledgeHolder
    db: sessionmaker[Session]
