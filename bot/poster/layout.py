"""The poster's page, placed once in millimetres (origin top left, y down) for every renderer."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageFont, ImageOps
from qrcode.constants import ERROR_CORRECT_M

from bot.fonts import chinese_font
from bot.poster.content import STEPS, Poster

PAGE_W, PAGE_H = 210.0, 297.0  # A4
MARGIN = 14.0
PT = 25.4 / 72  # one typographic point in millimetres

STEPS_BOTTOM = 252.0  # the footer band starts here
BLUE, RED, INK, GREY, PALE, WHITE = "#0B3B8C", "#C62828", "#1A1A1A", "#5F6B7A", "#EDF2FA", "#FFFFFF"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    radius: float = 0.0


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float  # the baseline
    size: float  # in points
    color: str = INK
    bold: bool = False
    align: str = "left"  # left | center | right: where x is


@dataclass(frozen=True)
class Picture:
    image: Image.Image
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Code:
    modules: tuple[tuple[bool, ...], ...]  # dark modules, quiet zone included
    x: float
    y: float
    size: float


Shape = Box | Label | Picture | Code


@functools.cache
def _measure_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(chinese_font()), size=100)


def width(text: str, size: float) -> float:
    """The text's width in millimetres at `size` points."""
    return _measure_font().getlength(text) / 100 * size * PT


def fit(text: str, size: float, room: float, smallest: float = 9.0) -> float:
    """The largest size up to `size` at which the text fits in `room` millimetres."""
    while size > smallest and width(text, size) > room:
        size -= 0.5
    return size


def wrap(text: str, size: float, room: float) -> list[str]:
    """Lines of the text that fit in `room`: cut between words in English, anywhere in Chinese."""
    lines: list[str] = []
    line = ""
    for piece in _pieces(text):
        if line and width((line + piece).rstrip(), size) > room:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    return [*lines, line.rstrip()] if line.strip() else lines


def _pieces(text: str) -> list[str]:
    """Words with their trailing space for Latin text, single characters for Chinese."""
    pieces: list[str] = []
    word = ""
    for char in text:
        if char.isascii() and not char.isspace():
            word += char
            continue
        if word:
            pieces.append(word)
            word = ""
        if char.isspace() and pieces:
            pieces[-1] += char
        elif char in "，。；：、）》”！？,.;:)" and pieces:
            pieces[-1] += char  # no line starts with a closing mark
        else:
            pieces.append(char)
    return [*pieces, word] if word else pieces


def qr_modules(link: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of the link as dark/light modules, with its quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(link)
    code.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in code.get_matrix())


def paragraph(text: str, x: float, y: float, size: float, room: float, color: str = INK) -> tuple[list[Label], float]:
    """Wrapped lines from baseline `y` down; returns them and the baseline after the last one."""
    labels = []
    for line in wrap(text, size, room):
        labels.append(Label(line, x, y, size, color))
        y += size * PT * 1.45
    return labels, y


def header(poster: Poster) -> list[Shape]:
    t = poster.texts
    room = PAGE_W - 2 * MARGIN
    return [
        Box(0, 0, PAGE_W, 46, BLUE),
        Label(t["poster.title"], PAGE_W / 2, 23, fit(t["poster.title"], 34, room), WHITE, True, "center"),
        Label(t["poster.subtitle"], PAGE_W / 2, 37, fit(t["poster.subtitle"], 15, room), WHITE, False, "center"),
        Label(poster.village, PAGE_W / 2, 68, fit(poster.village, 40, room), INK, True, "center"),
        Label(t["poster.town_code"], PAGE_W / 2, 80, fit(t["poster.town_code"], 16, room), GREY, False, "center"),
    ]


def officer_card(poster: Poster) -> list[Shape]:
    t = poster.texts
    photo = ImageOps.fit(poster.photo, (480, 640))  # 3:4, cropped to fill
    shapes: list[Shape] = [Box(MARGIN, 88, PAGE_W - 2 * MARGIN, 78, PALE, 4), Picture(photo, 22, 95, 48, 64)]
    x, room = 80.0, PAGE_W - MARGIN - 8 - 80
    if poster.officer is None:
        shapes.append(Label(t["poster.no_officer"], x, 112, fit(t["poster.no_officer"], 24, room), INK, True))
        shapes += paragraph(t["poster.no_officer_help"], x, 126, 15, room)[0]
        return shapes
    shapes += [
        Label(t["poster.officer_label"], x, 106, 16, GREY),
        Label(poster.officer, x, 124, fit(poster.officer, 40, room), INK, True),
        Label(t["poster.phone_label"], x, 140, 16, GREY),
        Label(poster.phone or "-", x, 155, fit(poster.phone or "-", 30, room), BLUE, True),
    ]
    return shapes


def steps(poster: Poster, x: float, room: float, size: float) -> tuple[list[Shape], float]:
    """The three numbered steps from y=198 down; returns them and the baseline after the last."""
    shapes: list[Shape] = []
    y = 198.0
    for number, key in enumerate(STEPS, start=1):
        shapes += [Box(x, y - 6.5, 9, 9, BLUE, 4.5), Label(str(number), x + 4.5, y, 15, WHITE, True, "center")]
        lines, y = paragraph(poster.texts[key], x + 13, y, size, room - 13)
        shapes += lines
        y += 3
    return shapes, y


def how_to(poster: Poster) -> list[Shape]:
    t = poster.texts
    qr_x, qr_size = 132.0, 64.0
    shapes: list[Shape] = [
        Code(qr_modules(poster.link), qr_x, 173, qr_size),
        Label(t["poster.scan"], qr_x + qr_size / 2, 244, fit(t["poster.scan"], 15, qr_size), BLUE, True, "center"),
        Label(t["poster.how_title"], MARGIN, 184, fit(t["poster.how_title"], 20, qr_x - MARGIN - 4), INK, True),
    ]
    size = 14.0
    listed, bottom = steps(poster, MARGIN, qr_x - MARGIN - 4, size)
    while bottom > STEPS_BOTTOM and size > 9:  # longer (English) steps: smaller type, never over the footer
        size -= 0.5
        listed, bottom = steps(poster, MARGIN, qr_x - MARGIN - 4, size)
    return shapes + listed


def footer(poster: Poster) -> list[Shape]:
    t = poster.texts
    room = PAGE_W - 2 * MARGIN
    return [
        Box(0, 252, PAGE_W, PAGE_H - 252, RED),
        Label(t["poster.emergency"], PAGE_W / 2, 273, fit(t["poster.emergency"], 30, room), WHITE, True, "center"),
        Label(t["poster.warning"], PAGE_W / 2, 287, fit(t["poster.warning"], 14, room), WHITE, False, "center"),
    ]


def layout(poster: Poster) -> list[Shape]:
    """Every shape of the poster, back to front."""
    return [*header(poster), *officer_card(poster), *how_to(poster), *footer(poster)]
