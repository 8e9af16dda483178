"""pytest fixtures for the fake Bot API. In a conftest.py: ``from tests.fakes.fixtures import fake_api``.

``fake_api`` is a started :class:`FakeBotApi` (stopped after the test); build the bot with
``fake_api.app_builder()`` and run it with ``async with fake_api.running(app):``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .bot_api import FakeBotApi


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api
