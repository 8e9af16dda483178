"""Phone screenshots of text messages, drawn with the project's Chinese font, for the OCR tests and
benchmarks/ocr.py: a status bar, the sender, the date and one grey bubble of text, as a JPEG.

Three looks: `clean` (720x1280, as a phone saves it), `noisy` (sensor-like noise and a JPEG saved
at quality 55, as a photo of a screen passed on a few times) and `lowres` (shrunk to 360x640, as
a thumbnail forwarded again). The texts are our own (tests/fakes/sms_screens.jsonl), each labelled
scam or safe.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.fonts import chinese_font

TEXTS = Path(__file__).with_name("sms_screens.jsonl")
LOOKS = ("clean", "noisy", "lowres")
WIDTH, HEIGHT = 720, 1280
BUBBLE_WIDTH = 560  # pixels of text in a bubble line


@dataclass(frozen=True)
class Sms:
    sender: str
    text: str
    label: str  # scam | safe


@dataclass(frozen=True)
class Screenshot:
    sms: Sms
    look: str
    image: bytes  # JPEG
    drawn: tuple[str, ...]  # every string drawn, top to bottom: what a perfect reader would read


def messages() -> list[Sms]:
    rows = [json.loads(line) for line in TEXTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Sms(r["sender"], r["text"], r["label"]) for r in rows]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if current and draw.textlength(current + ch, font=font) > width:
            lines.append(current)
            current = ch.lstrip()
        else:
            current += ch
    return [*lines, current] if current else lines


def screenshot(sms: Sms, look: str = "clean", seed: int = 0) -> Screenshot:
    """`sms` as a phone's screenshot in `look` (clean, noisy or lowres)."""
    if look not in LOOKS:
        raise ValueError(f"look must be one of {LOOKS}")
    rnd = random.Random(seed)
    font_path = str(chinese_font())
    body = ImageFont.truetype(font_path, 34)
    head = ImageFont.truetype(font_path, 36)
    small = ImageFont.truetype(font_path, 26)
    image = Image.new("RGB", (WIDTH, HEIGHT), (237, 237, 237))
    draw = ImageDraw.Draw(image)
    clock = f"{rnd.randint(7, 21)}:{rnd.randint(0, 59):02d}"
    date = f"12月{rnd.randint(1, 28)}日 {clock}"
    draw.rectangle((0, 0, WIDTH, 170), fill=(248, 248, 248))
    draw.text((40, 28), clock, font=small, fill=(0, 0, 0))
    draw.text((WIDTH // 2, 115), sms.sender, font=head, fill=(0, 0, 0), anchor="mm")
    draw.text((WIDTH // 2, 230), date, font=small, fill=(140, 140, 140), anchor="mm")
    lines = _wrap(draw, sms.text, body, BUBBLE_WIDTH)
    top = 290
    draw.rounded_rectangle((30, top, 70 + BUBBLE_WIDTH, top + 40 + 50 * len(lines)), radius=26, fill=(255, 255, 255))
    for i, line in enumerate(lines):
        draw.text((50, top + 22 + 50 * i), line, font=body, fill=(25, 25, 25))
    quality = 85
    if look == "noisy":
        noise = Image.effect_noise((WIDTH, HEIGHT), 28).convert("RGB")
        image = Image.blend(image, noise, 0.18)
        quality = 55
    elif look == "lowres":
        image = image.resize((WIDTH // 2, HEIGHT // 2), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return Screenshot(sms, look, out.getvalue(), (clock, sms.sender, date, *lines))


def all_screenshots() -> list[Screenshot]:
    """Every message once, the looks taken in turn (clean, noisy, lowres, clean, ...)."""
    return [screenshot(sms, LOOKS[i % len(LOOKS)], seed=i) for i, sms in enumerate(messages())]
