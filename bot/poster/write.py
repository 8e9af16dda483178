"""A village's poster written as PDF or PNG, chosen by the file's suffix."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from bot.errors import CunjingError
from bot.poster import content
from bot.poster.layout import layout
from bot.poster.pdf import render_pdf
from bot.poster.png import render_png
from bot.settings import Settings
from bot.store.models import Village
from intents.faq import Faq

FORMATS = ("pdf", "png")


def file_format(path: Path) -> str:
    """`pdf` or `png` from the file name; anything else is refused."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise CunjingError(f"{path}: a poster is written as .pdf or .png")
    return suffix


def write_poster(session: Session, village: Village, settings: Settings, faq: Faq, path: Path, lang: str) -> Path:
    """Draw the village's poster into `path` (.pdf or .png)."""
    kind = file_format(path)
    poster = content.build(session, village, settings, faq, lang)
    shapes = layout(poster)
    if kind == "png":
        return render_png(shapes, path)
    return render_pdf(shapes, path, f"{poster.texts['poster.title']} · {poster.village}")
