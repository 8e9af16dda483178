"""The shipped scam checker, built once for the session: as the bot runs it (its n-gram model, and its
meaning head read with the sentence encoder), and the rules alone."""

from __future__ import annotations

import pytest

from bot.core.guard import answers
from bot.services import encoder_of
from bot.settings import PROJECT_ROOT, load_settings
from intents.scamcheck import ScamChecker

FAQ = PROJECT_ROOT / "faq"


@pytest.fixture(scope="session")
def checker() -> ScamChecker:
    return ScamChecker.from_dir(FAQ, encoder=encoder_of(load_settings()))


@pytest.fixture(scope="session")
def rules_only() -> ScamChecker:
    return ScamChecker.from_dir(FAQ, with_model=False)


def answered(judge: ScamChecker, text: str) -> bool:
    """Whether the guard of a linked group would answer `text`."""
    return answers(judge.check(text), judge.rules.group_at)
