"""The words in a picture: offline OCR of a screenshot a villager sends, for the scam check.

RapidOCR (rapidocr-onnxruntime) runs PaddleOCR's PP-OCRv4 Chinese detection and recognition
models on onnxruntime; the models ship inside its wheel, so nothing is fetched at run time and
it installs from PyPI alone. Reading is slow next to a turn (a 720x1280 screenshot: 3 s median
on this 2-core machine while shared, `benchmarks/ocr.py`), so the channel reads a photo in a
worker thread before the turn, one picture at a time, and the core gets plain text.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Any

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024  # a bigger photo is not read (Telegram compresses photos to well under this)
MAX_CHARS = 4000  # the scam checker reads no more (bot/core/checks.py)
MIN_SCORE = 0.5  # a line recognised with less confidence is left out
# The detector scales a picture so that its short side is this many pixels (RapidOCR's default)
DET_SIDE = 736
_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")  # characters and their punctuation


class Reader:
    """Reads the text lines of an image, top to bottom; the engine loads on first use."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()  # one picture at a time: a burst of photos must not take every core

    def _load(self) -> Any:
        from rapidocr_onnxruntime import RapidOCR  # ~1 s to import and load: only when a photo comes

        # one thread: on this 2-core machine under load a screenshot took 3.9 s so, 5.4 s with
        # onnxruntime's default (a thread per core), 5.2 s with two
        return RapidOCR(det_limit_side_len=DET_SIDE, intra_op_num_threads=1)

    def lines(self, image: bytes) -> list[str]:
        """The lines of text in `image` (JPEG, PNG, ...), in reading order; [] when it holds none."""
        if not image or len(image) > MAX_BYTES:
            return []
        with self._lock:
            if self._engine is None:
                self._engine = self._load()
            try:
                found, _ = self._engine(image, use_cls=False)  # screenshots stand upright
            except Exception as exc:  # noqa: BLE001 - not an image, or one the decoder refuses: nothing read
                log.info("photo not read: %s: %s", type(exc).__name__, exc)
                return []
        # the engine gives its lines top to bottom, then left to right
        return [line.strip() for _, line, score in (found or []) if float(score) >= MIN_SCORE and line.strip()]

    def text(self, image: bytes) -> str:
        """What `image` says, as one text (at most MAX_CHARS characters): lines apart, but a
        Chinese sentence wrapped across lines whole again (`冻` + `结` is `冻结` to the scam check)."""
        return join(self.lines(image))[:MAX_CHARS]


def join(lines: list[str]) -> str:
    """Lines joined with a newline, or with nothing where Chinese runs on from one to the next."""
    out = ""
    for line in lines:
        if out and not (_CHINESE.fullmatch(out[-1]) and _CHINESE.fullmatch(line[0])):
            out += "\n"
        out += line
    return out


@functools.cache
def reader() -> Reader:
    """The process's one reader: its models load once, whichever bot asks."""
    return Reader()
