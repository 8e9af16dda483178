"""The Chinese font of posters and charts, found among the system's fonts at run time.

Only TrueType outlines will do: reportlab cannot embed the CFF outlines of Noto Sans CJK, so
the font comes from the Debian package fonts-wqy-zenhei (scripts/system-deps.sh installs it)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from bot.errors import CunjingError

PACKAGE = "fonts-wqy-zenhei"
ENV = "CUNJING_FONT"  # a font file to use instead of searching
# File names in order of preference; each is a TrueType collection or font with CJK glyphs.
NAMES = ("wqy-zenhei.ttc", "wqy-microhei.ttc", "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf")
DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
)


class FontMissing(CunjingError):
    """No Chinese TrueType font on this machine."""

    def __init__(self) -> None:
        super().__init__(
            f"no Chinese font found: install the Debian package {PACKAGE} "
            f"(sudo apt-get install {PACKAGE}, or run scripts/system-deps.sh as root), "
            f"or set {ENV} to a TrueType font file with Chinese glyphs"
        )


@functools.cache
def chinese_font() -> Path:
    """The path of a Chinese TrueType font (`CUNJING_FONT` first); raises FontMissing."""
    override = os.environ.get(ENV)
    if override:
        if Path(override).is_file():
            return Path(override)
        raise FontMissing()
    for name in NAMES:
        for folder in DIRS:
            root = Path(folder).expanduser()
            if root.is_dir():
                found = next(iter(sorted(root.rglob(name))), None)
                if found is not None:
                    return found
    raise FontMissing()
