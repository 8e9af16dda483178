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

FOOTER = 258.0  # the red footer band starts here
STEPS_BOTTOM = FOOTER - 2
STEP_SIZE, STEP_SMALLEST = 20.0, 18.0  # points: the steps read at arm's length on a village notice board
QR_SIZE = 52.0
QR_X, QR_Y = PAGE_W - MARGIN - QR_SIZE, 160.0
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


def paragraph(
    text: str, x: float, y: float, size: float, room: float, color: str = INK, leading: float = 1.45
) -> tuple[list[Label], float]:
    """Wrapped lines from baseline `y` down; returns them and the baseline after the last one."""
    labels = []
    for line in wrap(text, size, room):
        labels.append(Label(line, x, y, size, color))
        y += size * PT * leading
    return labels, y


def header(poster: Poster) -> list[Shape]:
    t = poster.texts
    room = PAGE_W - 2 * MARGIN
    return [
        Box(0, 0, PAGE_W, 40, BLUE),
        Label(t["poster.title"], PAGE_W / 2, 21, fit(t["poster.title"], 34, room), WHITE, True, "center"),
        Label(t["poster.subtitle"], PAGE_W / 2, 33, fit(t["poster.subtitle"], 15, room), WHITE, False, "center"),
        Label(poster.village, PAGE_W / 2, 58, fit(poster.village, 40, room), INK, True, "center"),
        Label(t["poster.town_code"], PAGE_W / 2, 70, fit(t["poster.town_code"], 16, room), GREY, False, "center"),
    ]


def officer_card(poster: Poster) -> list[Shape]:
    t = poster.texts
    photo = ImageOps.fit(poster.photo, (480, 640))  # 3:4, cropped to fill
    shapes: list[Shape] = [Box(MARGIN, 77, PAGE_W - 2 * MARGIN, 71, PALE, 4), Picture(photo, 22, 82, 45, 60)]
    x, room = 77.0, PAGE_W - MARGIN - 6 - 77
    if poster.officer is None:
        shapes.append(Label(t["poster.no_officer"], x, 94, fit(t["poster.no_officer"], 24, room), INK, True))
        desk = t.get("poster.duty_phone")
        help_bottom = 130.0 if desk else 144.0  # the desk's phone, when known, goes under the help
        size = 15.0
        lines, bottom = paragraph(t["poster.no_officer_help"], x, 106, size, room)
        while bottom > help_bottom and size > 10:
            size -= 0.5
            lines, bottom = paragraph(t["poster.no_officer_help"], x, 106, size, room)
        shapes += lines
        if desk:
            shapes.append(Label(desk, x, 141, fit(desk, 24, room), BLUE, True))
        return shapes
    shapes += [
        Label(t["poster.officer_label"], x, 93, 16, GREY),
        Label(poster.officer, x, 111, fit(poster.officer, 40, room), INK, True),
        Label(t["poster.phone_label"], x, 126, 16, GREY),
        Label(poster.phone or "-", x, 140, fit(poster.phone or "-", 30, room), BLUE, True),
    ]
    return shapes


def steps(poster: Poster, x: float, room: float, size: float) -> tuple[list[Shape], float]:
    """The three numbered steps from y=175 down; returns them and where the last line's ink ends."""
    shapes: list[Shape] = []
    y = 175.0
    for number, key in enumerate(STEPS, start=1):
        shapes += [Box(x, y - 7, 10, 10, BLUE, 5), Label(str(number), x + 5, y, 18, WHITE, True, "center")]
        lines, y = paragraph(poster.texts[key], x + 13, y, size, room - 13, leading=1.3)
        shapes += lines
        y += 2
    return shapes, y - 2 - size * PT  # the last line's baseline and its descenders (0.3 of the size)


def how_to(poster: Poster) -> list[Shape]:
    t = poster.texts
    middle, room = QR_X + QR_SIZE / 2, QR_SIZE + MARGIN - 2
    shapes: list[Shape] = [
        Label(t["poster.scan"], middle, QR_Y - 3, fit(t["poster.scan"], 16, room), BLUE, True, "center"),
        Code(qr_modules(poster.link), QR_X, QR_Y, QR_SIZE),
        Label(poster.bot, middle, QR_Y + QR_SIZE + 7, fit(poster.bot, 14, room, smallest=10), INK, True, "center"),
        Label(t["poster.how_title"], MARGIN, 162, fit(t["poster.how_title"], 22, QR_X - MARGIN - 4), INK, True),
    ]
    size = STEP_SIZE
    listed, bottom = steps(poster, MARGIN, QR_X - MARGIN - 4, size)
    while bottom > STEPS_BOTTOM and size > STEP_SMALLEST:  # longer (English) steps: smaller, never below 18 pt
        size -= 0.5
        listed, bottom = steps(poster, MARGIN, QR_X - MARGIN - 4, size)
    return shapes + listed


def footer(poster: Poster) -> list[Shape]:
    t = poster.texts
    room = PAGE_W - 2 * MARGIN
    return [
        Box(0, FOOTER, PAGE_W, PAGE_H - FOOTER, RED),
        Label(t["poster.emergency"], PAGE_W / 2, 276, fit(t["poster.emergency"], 30, room), WHITE, True, "center"),
        Label(t["poster.warning"], PAGE_W / 2, 289, fit(t["poster.warning"], 14, room), WHITE, False, "center"),
    ]


def layout(poster: Poster) -> list[Shape]:
    """Every shape of the poster, back to front."""
    return [*header(poster), *officer_card(poster), *how_to(poster), *footer(poster)]
