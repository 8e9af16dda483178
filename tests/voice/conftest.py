"""Speech fixtures: real espeak-ng in a real worker process, a cache per test, fake time for the kiosk."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.services import Knowledge
from bot.settings import PROJECT_ROOT, Settings, VoiceSettings, load_settings
from voice.tts import Tts


@pytest.fixture(scope="session")
def settings() -> Settings:
    """config.yaml as shipped, without the environment's overrides."""
    return load_settings(PROJECT_ROOT / "config.yaml", env={})


@pytest.fixture
def voice(settings: Settings, tmp_path: Path) -> VoiceSettings:
    """The shipped voice settings with a fresh cache and no loudspeaker."""
    return replace(settings.voice, cache_dir=tmp_path / "speech-cache", player="none")


@pytest.fixture
def tts(voice: VoiceSettings) -> Iterator[Tts]:
    with Tts(voice) as tts:
        yield tts


@pytest.fixture(scope="session")
def knowledge(settings: Settings) -> Knowledge:
    """The real FAQ and matcher."""
    return Knowledge.load(settings)
