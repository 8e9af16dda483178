"""What the matcher found for a question (`Evidence`) and what it decided (`Match`): plain values."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    intent: str | None
    score: float
    suggestions: tuple[str, ...]
    candidates: tuple[tuple[str, float], ...] = ()

    @property
    def fallback(self) -> bool:
        return self.intent is None


@dataclass(frozen=True)
class Evidence:
    """What the strategies found for one query: the intents ranked, and how out-of-scope it looks."""

    ranked: tuple[tuple[str, float], ...]  # real intents, best first
    none: float  # the nearest out-of-scope question's similarity
    meaning: tuple[float, float, float, float] | None = None  # the sentence encoder's signals, when it read it

    def signals(self) -> tuple[float, float, float]:
        """The inputs of the confidence: best score, its margin over the second, out-of-scope."""
        best = self.ranked[0][1] if self.ranked else 0.0
        second = self.ranked[1][1] if len(self.ranked) > 1 else 0.0
        return best, best - second, self.none
