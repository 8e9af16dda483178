"""The shipped scam checker, built once for the session: with its n-gram model, and the rules alone."""

from __future__ import annotations

import pytest

from bot.settings import PROJECT_ROOT
from intents.scamcheck import ScamChecker

FAQ = PROJECT_ROOT / "faq"


@pytest.fixture(scope="session")
def checker() -> ScamChecker:
    return ScamChecker.from_dir(FAQ)


@pytest.fixture(scope="session")
def rules_only() -> ScamChecker:
    return ScamChecker.from_dir(FAQ, with_model=False)
