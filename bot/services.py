"""The long-lived services, built once: settings, FAQ, matcher (and, with a database, the store)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings
from intents.faq import Faq, load_faq
from intents.matcher import Matcher


def build_matcher(faq: Faq, settings: Settings) -> Matcher:
    m = settings.matcher
    return Matcher(faq, threshold=m.threshold, suggestions=m.suggestions, max_chars=m.max_chars)


@dataclass(frozen=True)
class Knowledge:
    """The FAQ and the matcher built from it: replaced together on a reload."""

    faq: Faq
    matcher: Matcher

    @staticmethod
    def load(settings: Settings) -> Knowledge:
        """Load and check the FAQ; raises FaqError listing every problem."""
        faq = load_faq(settings.faq.dir)
        return Knowledge(faq, build_matcher(faq, settings))
