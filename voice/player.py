"""Playing WAV files through the default audio device, best effort: no device is logged, never fatal."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

# The first one found plays; each blocks until the file has played.
PLAYERS: tuple[tuple[str, ...], ...] = (
    ("aplay", "-q"),
    ("paplay",),
    ("afplay",),
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"),
)


class Playback(Protocol):
    def wait(self, timeout: float | None = None) -> bool: ...

    def stop(self) -> None: ...


class Done:
    """A playback that is already over (nothing to play it with)."""

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def stop(self) -> None:
        pass


class _Process:
    """A player subprocess; stopping it interrupts the sound."""

    def __init__(self, player: Player, name: str, process: subprocess.Popen[bytes]) -> None:
        self.player = player
        self.name = name
        self.process = process

    def wait(self, timeout: float | None = None) -> bool:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        if code > 0:  # a stop gives a negative code: not a failure
            self.player.failed(f"{self.name} exited with {code}")
        return True

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()


class _Winsound:
    """Windows' own player, in a thread: PlaySound blocks until the sound is over."""

    def __init__(self, path: Path) -> None:
        self.thread = threading.Thread(target=self._play, args=(path,), daemon=True)
        self.thread.start()

    def _play(self, path: Path) -> None:
        if sys.platform == "win32":
            import winsound

            try:
                winsound.PlaySound(str(path), winsound.SND_FILENAME)
            except RuntimeError as exc:
                log.warning("cannot play %s: %s", path, exc)

    def wait(self, timeout: float | None = None) -> bool:
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def stop(self) -> None:
        if sys.platform == "win32":
            import winsound

            winsound.PlaySound(None, winsound.SND_PURGE)


def find_player() -> tuple[str, ...] | None:
    """The command line of the first audio player on the PATH."""
    for command in PLAYERS:
        path = shutil.which(command[0])
        if path:
            return (path, *command[1:])
    return None


class Player:
    """Plays WAV files with a system player; `command` "none" plays nothing (a kiosk without speakers)."""

    def __init__(self, command: str = "") -> None:
        self.command: tuple[str, ...] | None
        if command == "none":
            self.command = None
        elif command:
            self.command = tuple(command.split())
        else:
            self.command = find_player()
        self.windows = sys.platform == "win32" and not command
        self._warned = False
        if self.command is None and not self.windows and command != "none":
            self.failed("no audio player found (install alsa-utils for aplay, or pulseaudio-utils, or ffmpeg)")

    def failed(self, why: str) -> None:
        """Log a playback failure once: a kiosk without a sound device still runs."""
        if not self._warned:
            log.warning("speech is not played aloud: %s", why)
            self._warned = True

    def start(self, path: Path) -> Playback:
        """Start playing `path`; the returned playback can be waited for or stopped."""
        if self.windows:
            return _Winsound(path)
        if self.command is None:
            return Done()
        try:
            quiet = subprocess.DEVNULL
            process = subprocess.Popen([*self.command, str(path)], stdin=quiet, stdout=quiet, stderr=quiet)
        except OSError as exc:
            self.failed(f"{self.command[0]}: {exc}")
            return Done()
        return _Process(self, self.command[0], process)
