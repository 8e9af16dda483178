"""Rendered speech kept on disk, keyed by text, voice and rate: a cached answer plays without synthesis."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_WAV_HEADER = 44  # bytes: a file no longer than its header holds no sound


class SpeechCache:
    """WAV files named by the sha256 of what was spoken, how and by which engine family."""

    def __init__(self, directory: Path, max_bytes: int = 0) -> None:
        self.directory = directory
        self.max_bytes = max_bytes  # 0: no limit
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str, voice: str, rate: int, volume: float = 1.0) -> str:
        """The cache key of `text` spoken by `voice` (the configured name) at `rate` and `volume`."""
        # the platform stands for the engine family: espeak-ng's `cmn` is not SAPI5's `cmn`
        raw = "\x1f".join((sys.platform, voice, str(rate), f"{volume:.3f}", text))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.wav"

    def get(self, key: str) -> Path | None:
        """The cached WAV of `key`, or None; a hit is touched so pruning keeps it."""
        path = self.path(key)
        try:
            if path.stat().st_size > _WAV_HEADER:
                with contextlib.suppress(OSError):
                    os.utime(path)
                self.hits += 1
                return path
        except OSError:
            pass
        self.misses += 1
        return None

    def scratch(self, key: str) -> Path:
        """A fresh file name beside the entry of `key`, for the engine to write into."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.with_name(f".{key}.{os.getpid()}.{threading.get_ident()}.tmp.wav")

    def put(self, key: str, rendered: Path) -> Path:
        """Move a checked render into the cache (atomic: readers never see half a file)."""
        path = self.path(key)
        os.replace(rendered, path)
        return path

    def prune(self) -> int:
        """Delete the least recently used entries above `max_bytes`; returns how many went."""
        if not self.max_bytes or not self.directory.is_dir():
            return 0
        with self._lock:
            entries = []
            for path in self.directory.glob("*/*.wav"):
                with contextlib.suppress(OSError):
                    st = path.stat()
                    entries.append((st.st_mtime, st.st_size, path))
            total = sum(size for _, size, _ in entries)
            removed = 0
            for _, size, path in sorted(entries, key=lambda e: e[0]):
                if total <= self.max_bytes:
                    break
                with contextlib.suppress(OSError):
                    path.unlink()
                    total -= size
                    removed += 1
            if removed:
                log.info("speech cache: %d old file(s) removed, %d bytes kept", removed, total)
            return removed
