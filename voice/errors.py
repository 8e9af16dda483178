"""Speech errors, and what to install when a machine has no speech engine."""

from __future__ import annotations

import sys

from bot.errors import CunjingError


class SpeechError(CunjingError):
    """Speech could not be synthesised, checked or played; the message says why."""


class NoEngine(SpeechError):
    """No usable text-to-speech engine on this machine; the message says what to install."""


def install_hint(platform: str = sys.platform) -> str:
    """What to install for offline speech on this platform."""
    if platform == "win32":
        return (
            "Windows uses its built-in SAPI5 voices: `pip install pyttsx3 pywin32`, and for Chinese add the "
            "Chinese (Simplified) speech voice in Settings > Time & language > Speech"
        )
    if platform == "darwin":
        return (
            "macOS uses its built-in voices: `pip install pyttsx3 pyobjc`, and for Chinese add a Mandarin "
            "voice (e.g. Tingting) in System Settings > Accessibility > Spoken Content"
        )
    return "install espeak-ng (Debian/Ubuntu: `sudo apt-get install espeak-ng`, or `make system-deps` as root)"
