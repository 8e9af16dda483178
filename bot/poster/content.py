"""What a village's poster says: the village, its officer (or the duty desk and its phone), the bot's
@name and deep link."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from bot.errors import CunjingError
from bot.settings import PROJECT_ROOT, Settings
from bot.store import roster, station
from bot.store.models import Village
from intents.faq import Faq

log = logging.getLogger(__name__)

STEPS = ("poster.step1", "poster.step2", "poster.step3")


@dataclass(frozen=True)
class Poster:
    code: str
    village: str
    town: str
    link: str  # the deep link the QR code holds
    bot: str  # the bot's @name, printed beside the code for those who search for it instead
    officer: str | None  # None: the village has no officer now
    phone: str | None
    photo: Image.Image  # the officer's photo, or a silhouette
    texts: dict[str, str]  # every fixed text, by message key, in the poster's language
    desk_phone: str | None = None  # the town duty desk's phone, shown when the village has no officer


def deep_link(bot_username: str, code: str) -> str:
    """`https://t.me/<bot>?start=CODE`: opens the bot and registers the village in one tap."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def phone_text(phone: str) -> str:
    """A mobile number in readable groups: 138 0000 0001."""
    digits = phone.replace(" ", "")
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return phone


def silhouette(width: int = 480, height: int = 640) -> Image.Image:
    """A neutral head-and-shoulders placeholder for an officer without a photo."""
    image = Image.new("RGB", (width, height), "#D9E0EA")
    draw = ImageDraw.Draw(image)
    cx, head = width / 2, width * 0.23
    draw.ellipse((cx - head, height * 0.2, cx + head, height * 0.2 + 2 * head), fill="#9AA7B8")
    draw.ellipse((cx - width * 0.42, height * 0.62, cx + width * 0.42, height * 1.3), fill="#9AA7B8")
    return image


def photo_file(photo: str | None) -> Path | None:
    """The officer's photo as an existing file (a Telegram file id is no file here)."""
    if not photo:
        return None
    path = Path(photo).expanduser()
    for candidate in (path, PROJECT_ROOT / path):
        if candidate.is_file():
            return candidate
    return None


def load_photo(photo: str | None) -> Image.Image:
    """The officer's photo when it is a readable image file, else the silhouette."""
    path = photo_file(photo)
    if path is None:
        return silhouette()
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except OSError as exc:  # not an image after all: the poster still comes out
        log.warning("officer photo %s unreadable (%s): using the placeholder", path, exc)
        return silhouette()


def build(session: Session, village: Village, settings: Settings, faq: Faq, lang: str) -> Poster:
    """Everything the village's poster shows, in `lang`."""
    username = station.bot_username(session, settings.telegram.bot_username)
    if username is None:  # a poster pointing at somebody else's bot would send villagers astray
        raise CunjingError(
            "poster: the bot's Telegram username is not known yet. Start the bot once with its token "
            "(it asks Telegram for its name), or set telegram.bot_username"
        )
    officer = roster.village_officer(session, village.id)
    town = village.town.name
    keys = (
        "poster.title",
        "poster.subtitle",
        "poster.officer_label",
        "poster.phone_label",
        "poster.no_officer",
        "poster.how_title",
        "poster.scan",
        "poster.emergency",
        "poster.warning",
        *STEPS,
    )
    texts = {key: faq.message(key, lang) for key in keys}
    texts["poster.town_code"] = faq.message("poster.town_code", lang, town=town, code=village.code)
    texts["poster.no_officer_help"] = faq.message("poster.no_officer_help", lang, town=town)
    desk_phone = village.town.duty_phone if officer is None else None
    if desk_phone:
        texts["poster.duty_phone"] = faq.message("poster.duty_phone", lang, phone=phone_text(desk_phone))
    return Poster(
        code=village.code,
        village=village.name,
        town=town,
        link=deep_link(username, village.code),
        bot=f"@{username.lstrip('@')}",
        officer=officer.name if officer else None,
        phone=phone_text(officer.phone) if officer and officer.phone else None,
        photo=load_photo(officer.photo if officer else None),
        texts=texts,
        desk_phone=phone_text(desk_phone) if desk_phone else None,
    )
