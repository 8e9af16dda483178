"""The poster as a one-page A4 PDF (reportlab): vector text in the Chinese font, a vector QR code."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from bot.fonts import chinese_font
from bot.poster.layout import PAGE_H, Box, Code, Label, Picture, Shape

FONT = "CunjingCJK"


@functools.cache
def register_font() -> str:
    """Register the Chinese font with reportlab once (the first face of a collection)."""
    pdfmetrics.registerFont(TTFont(FONT, str(chinese_font()), subfontIndex=0))
    return FONT


def _y(top: float, height: float = 0.0) -> float:
    """A top-down millimetre position as reportlab's bottom-up points."""
    return (PAGE_H - top - height) * mm


def draw_label(canvas: Canvas, label: Label) -> None:
    font = register_font()
    text_width = pdfmetrics.stringWidth(label.text, font, label.size)
    x = label.x * mm - {"left": 0.0, "center": text_width / 2, "right": text_width}[label.align]
    text = canvas.beginText(x, _y(label.y))
    text.setFont(font, label.size)
    canvas.setFillColor(HexColor(label.color))
    canvas.setStrokeColor(HexColor(label.color))
    if label.bold:  # the font has no bold face: outline the glyphs too, a little thicker
        canvas.setLineWidth(label.size * 0.035)
        text.setTextRenderMode(2)
    text.textOut(label.text)
    canvas.drawText(text)


def draw_code(canvas: Canvas, code: Code) -> None:
    cell = code.size / len(code.modules)
    canvas.setFillColor(HexColor("#FFFFFF"))
    canvas.rect(code.x * mm, _y(code.y, code.size), code.size * mm, code.size * mm, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#000000"))
    for row, modules in enumerate(code.modules):
        col = 0
        while col < len(modules):
            if not modules[col]:
                col += 1
                continue
            run = col
            while run < len(modules) and modules[run]:
                run += 1  # one rectangle per run of dark modules: no hairline seams between them
            x, y = (code.x + col * cell) * mm, _y(code.y + row * cell, cell)
            canvas.rect(x, y, (run - col) * cell * mm, cell * mm, stroke=0, fill=1)
            col = run


def draw(canvas: Canvas, shape: Shape) -> None:
    if isinstance(shape, Box):
        canvas.setFillColor(HexColor(shape.fill))
        x, y, w, h = shape.x * mm, _y(shape.y, shape.h), shape.w * mm, shape.h * mm
        if shape.radius:
            canvas.roundRect(x, y, w, h, shape.radius * mm, stroke=0, fill=1)
        else:
            canvas.rect(x, y, w, h, stroke=0, fill=1)
    elif isinstance(shape, Label):
        draw_label(canvas, shape)
    elif isinstance(shape, Picture):
        reader = ImageReader(shape.image)
        canvas.drawImage(reader, shape.x * mm, _y(shape.y, shape.h), shape.w * mm, shape.h * mm)
    else:
        draw_code(canvas, shape)


def render_pdf(shapes: list[Shape], path: Path, title: str) -> Path:
    """Write the shapes as a one-page A4 PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Cunjing")
    for shape in shapes:
        draw(canvas, shape)
    canvas.showPage()
    canvas.save()
    return path
