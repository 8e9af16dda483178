"""The poster as a PNG picture (Pillow), from the same layout as the PDF."""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.fonts import chinese_font
from bot.poster.layout import PAGE_H, PAGE_W, PT, Box, Code, Label, Picture, Shape

DPI = 200
ANCHOR = {"left": "ls", "center": "ms", "right": "rs"}  # horizontal place, on the baseline


@functools.cache
def _font(pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(chinese_font()), size=pixels)


class Page:
    """An A4 picture at `dpi`, drawn in millimetres."""

    def __init__(self, dpi: int) -> None:
        self.scale = dpi / 25.4
        self.image = Image.new("RGB", (self.px(PAGE_W), self.px(PAGE_H)), "#FFFFFF")
        self.draw = ImageDraw.Draw(self.image)

    def px(self, millimetres: float) -> int:
        return round(millimetres * self.scale)

    def box(self, box: Box) -> None:
        rect = (self.px(box.x), self.px(box.y), self.px(box.x + box.w) - 1, self.px(box.y + box.h) - 1)
        self.draw.rounded_rectangle(rect, radius=self.px(box.radius), fill=box.fill)

    def label(self, label: Label) -> None:
        pixels = max(1, round(label.size * PT * self.scale))
        stroke = max(1, round(pixels * 0.03)) if label.bold else 0  # the font has no bold face
        self.draw.text(
            (self.px(label.x), self.px(label.y)),
            label.text,
            font=_font(pixels),
            fill=label.color,
            anchor=ANCHOR[label.align],
            stroke_width=stroke,
            stroke_fill=label.color,
        )

    def picture(self, picture: Picture) -> None:
        size = (self.px(picture.w), self.px(picture.h))
        self.image.paste(picture.image.resize(size, Image.Resampling.LANCZOS), (self.px(picture.x), self.px(picture.y)))

    def code(self, code: Code) -> None:
        count = len(code.modules)
        cell = max(1, self.px(code.size) // count)  # whole pixels per module: sharp edges scan best
        left = self.px(code.x) + (self.px(code.size) - cell * count) // 2
        top = self.px(code.y) + (self.px(code.size) - cell * count) // 2
        self.draw.rectangle((left, top, left + cell * count - 1, top + cell * count - 1), fill="#FFFFFF")
        for row, modules in enumerate(code.modules):
            for col, dark in enumerate(modules):
                if dark:
                    x, y = left + col * cell, top + row * cell
                    self.draw.rectangle((x, y, x + cell - 1, y + cell - 1), fill="#000000")


def render_png(shapes: list[Shape], path: Path, dpi: int = DPI) -> Path:
    """Write the shapes as an A4 PNG at `dpi` dots per inch."""
    page = Page(dpi)
    for shape in shapes:
        if isinstance(shape, Box):
            page.box(shape)
        elif isinstance(shape, Label):
            page.label(shape)
        elif isinstance(shape, Picture):
            page.picture(shape)
        else:
            page.code(shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.image.save(path, format="PNG", dpi=(dpi, dpi), optimize=True)
    return path
