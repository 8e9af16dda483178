"""A disk cache of the matcher's analysed examples, so start-up does not segment the FAQ again.

The key covers the FAQ's text and the code and libraries that analyse it: any change rebuilds.
A cache that cannot be read or written is simply not used."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
_ANALYSERS = ("normalise.py", "dialect.py", "tokens.py", "pinyin.py", "matcher.py", "strategies.py")
_LIBRARIES = ("jieba", "pypinyin", "opencc")


def key(*parts: Any) -> str:
    """A digest of the given data, this package's analysing code and the libraries' versions."""
    digest = hashlib.sha256(pickle.dumps(parts, protocol=4))
    here = Path(__file__).resolve().parent
    for name in _ANALYSERS:
        digest.update((here / name).read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(metadata.version(library).encode())
        except metadata.PackageNotFoundError:
            digest.update(library.encode())
    return digest.hexdigest()[:24]


def cached(directory: Path | None, name: str, digest: str, build: Callable[[], T]) -> T:
    """The value stored under `name`-`digest` in `directory`, else `build()` stored there."""
    if directory is None:
        return build()
    path = directory / f"{name}-{digest}.pickle"
    value: T | None = load(path)
    if value is None:
        value = build()
        store(path, value)
    return value


def load(path: Path) -> Any:
    """What `store` wrote at `path`, or None when there is nothing readable there."""
    try:
        return pickle.loads(path.read_bytes())  # our own file, written below
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file: rebuilt by the caller
        log.warning("ignoring the unreadable cache file %s", path)
        return None


def store(path: Path, value: Any) -> None:
    """Write `value` at `path` at once (another process reads the old file or the new, never half)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError as exc:
        log.warning("cannot write the cache file %s: %s", path, exc)
