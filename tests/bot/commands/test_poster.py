"""Village posters as files a station would print: checked as pictures and as PDF documents."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot import fonts
from bot.cli import main
from bot.errors import CunjingError
from bot.poster import content
from bot.poster.layout import FOOTER, PT, Code, Label, layout
from bot.poster.write import write_poster
from bot.settings import DatabaseSettings, Settings, load_settings
from bot.store import roster, station
from bot.store.demo import load_demo
from bot.store.models import Town
from intents.faq import Faq, load_faq

BOT = "TestCunjingBot"
A4_POINTS = (595.28, 841.89)
DEMO_CODES = {"QS001", "QS002", "QS003", "QS004", "BS001", "BS002", "BS003"}


@pytest.fixture(scope="module")
def faq() -> Faq:
    return load_faq(load_settings().faq.dir)


@pytest.fixture
def settings() -> Settings:
    return load_settings(env={"CUNJING_TELEGRAM__BOT_USERNAME": BOT})


@pytest.fixture
def demo(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    load_demo(factory)
    return factory


def poster(demo: sessionmaker[Session], settings: Settings, faq: Faq, code: str, path: Path, lang: str = "zh") -> Path:
    with demo() as session:
        village = roster.village_by_code(session, code)
        assert village is not None
        return write_poster(session, village, settings, faq, path, lang)


def qr_texts(path: Path) -> list[str]:
    with Image.open(path) as image:
        return [code.text for code in zxingcpp.read_barcodes(image.convert("L"))]


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "".join(page.extract_text() for page in reader.pages)


def test_the_png_poster_is_an_a4_picture_whose_qr_code_opens_the_bot_for_that_village(demo, settings, faq, tmp_path):
    path = poster(demo, settings, faq, "QS003", tmp_path / "qs003.png")
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (1654, 2339)  # A4 at 200 dpi
        assert round(image.info["dpi"][0]) == 200
    assert qr_texts(path) == [f"https://t.me/{BOT}?start=QS003"]


def test_the_pdf_poster_is_one_a4_page_with_the_officer_and_how_to_use_the_bot(demo, settings, faq, tmp_path):
    path = poster(demo, settings, faq, "QS001", tmp_path / "qs001.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.5)
    text = pdf_text(path)
    for expected in ("王示例", "138 0000 0001", "青山村", "青山镇（示例）", "QS001", "110", "96110"):
        assert expected in text
    assert faq.message("poster.title", "zh") in text
    flat = text.replace("\n", "")
    for step in ("poster.step1", "poster.step2", "poster.step3"):
        assert faq.message(step, "zh") in flat  # each step whole, even when wrapped over lines
    assert "王示例" not in faq.message("poster.no_officer", "zh")


def test_the_pdf_embeds_its_chinese_font(demo, settings, faq, tmp_path):
    path = poster(demo, settings, faq, "QS001", tmp_path / "qs001.pdf")
    fonts_used = reader_fonts(pypdf.PdfReader(path))
    assert fonts_used and all(embedded for _, embedded in fonts_used), fonts_used


def reader_fonts(reader: pypdf.PdfReader) -> list[tuple[str, bool]]:
    found = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        found.append((str(font["/BaseFont"]), any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return [f for f in found if "Helvetica" not in f[0]]  # reportlab's default font is never drawn with


def test_a_village_without_an_officer_sends_people_to_the_duty_desk_and_110(demo, settings, faq, tmp_path):
    path = poster(demo, settings, faq, "QS004", tmp_path / "qs004.pdf")
    flat = pdf_text(path).replace("\n", "").replace(" ", "")  # a line may end at a space
    assert faq.message("poster.no_officer", "zh") in flat
    assert faq.message("poster.no_officer_help", "zh", town="青山镇（示例）").replace(" ", "") in flat
    assert "110" in flat and "138" not in flat
    assert qr_texts(poster(demo, settings, faq, "QS004", tmp_path / "qs004.png")) == [
        f"https://t.me/{BOT}?start=QS004"
    ]


def photo_pixel(path: Path) -> tuple[int, int, int]:
    """The colour in the middle of the officer's photo frame (22..70 mm across, 95..159 mm down)."""
    with Image.open(path) as image:
        scale = image.size[0] / 210
        return image.convert("RGB").getpixel((round(46 * scale), round(112 * scale)))


def test_the_officers_photo_file_is_used_and_a_telegram_file_id_gets_the_silhouette(demo, settings, faq, tmp_path):
    placeholder = photo_pixel(poster(demo, settings, faq, "QS003", tmp_path / "before.png"))
    red = tmp_path / "officer.jpg"
    Image.new("RGB", (300, 400), (200, 20, 30)).save(red)
    with demo.begin() as session:
        officer = roster.village_officer(session, roster.village_by_code(session, "QS003").id)
        roster.set_officer_photo(session, officer.id, str(red))
    r, g, b = photo_pixel(poster(demo, settings, faq, "QS003", tmp_path / "with-photo.png"))
    assert r > 150 and g < 80 and b < 80
    with demo.begin() as session:
        officer = roster.village_officer(session, roster.village_by_code(session, "QS003").id)
        roster.set_officer_photo(session, officer.id, "AgACAgIAAxkBAAIBZ2Telegram-file-id")
    assert photo_pixel(poster(demo, settings, faq, "QS003", tmp_path / "file-id.png")) == placeholder
    assert placeholder != (255, 255, 255)


def test_the_english_poster_fits_and_still_scans(demo, settings, faq, tmp_path):
    path = poster(demo, settings, faq, "BS002", tmp_path / "bs002.pdf", lang="en")
    flat = " ".join(pdf_text(path).split())
    assert faq.message("poster.title", "en") in flat and "钱样例" in flat
    assert qr_texts(poster(demo, settings, faq, "BS002", tmp_path / "bs002.png", lang="en")) == [
        f"https://t.me/{BOT}?start=BS002"
    ]


@pytest.fixture
def cli_env(demo, database: DatabaseSettings, monkeypatch):
    monkeypatch.setenv("CUNJING_DATABASE__URL", database.effective_url)
    monkeypatch.setenv("CUNJING_TELEGRAM__BOT_USERNAME", BOT)


def test_cunjing_poster_all_writes_one_poster_per_village_each_with_its_own_code(cli_env, tmp_path, capsys):
    assert main(["poster", "--all", str(tmp_path / "posters"), "--format", "png"]) == 0
    files = sorted((tmp_path / "posters").glob("*.png"))
    assert {f.stem for f in files} == DEMO_CODES
    for file in files:
        assert qr_texts(file) == [f"https://t.me/{BOT}?start={file.stem}"]
    assert "7 posters" in capsys.readouterr().err


def test_cunjing_poster_code_writes_the_named_file(cli_env, tmp_path, capsys):
    out = tmp_path / "bs001.pdf"
    assert main(["poster", "bs001", "--out", str(out)]) == 0
    assert "赵测试" in pdf_text(out)
    assert str(out) in capsys.readouterr().out


def test_cunjing_poster_refuses_unknown_codes_and_other_formats(cli_env, tmp_path, capsys):
    assert main(["poster", "ZZ999", "--out", str(tmp_path / "x.pdf")]) == 2
    assert "ZZ999" in capsys.readouterr().err
    assert main(["poster", "QS001", "--out", str(tmp_path / "x.jpg")]) == 2
    assert ".pdf or .png" in capsys.readouterr().err
    assert not list(tmp_path.glob("x.*"))


def test_a_missing_chinese_font_names_the_package_to_install(monkeypatch):
    monkeypatch.setenv(fonts.ENV, "/nonexistent/font.ttc")
    fonts.chinese_font.cache_clear()
    try:
        with pytest.raises(fonts.FontMissing, match="fonts-wqy-zenhei"):
            fonts.chinese_font()
    finally:
        monkeypatch.delenv(fonts.ENV)
        fonts.chinese_font.cache_clear()
    assert fonts.chinese_font().is_file()


def test_a_poster_never_points_at_a_placeholder_bot(demo, faq, tmp_path):
    unknown = load_settings(env={"CUNJING_TELEGRAM__BOT_USERNAME": ""})
    with pytest.raises(CunjingError, match="username is not known"):
        poster(demo, unknown, faq, "QS001", tmp_path / "nobody.png")
    assert not (tmp_path / "nobody.png").exists()
    # the running bot asked Telegram for its name and stored it: the poster takes that one
    with demo.begin() as session:
        station.remember(session, station.BOT_USERNAME, "QingshanPoliceBot")
    assert qr_texts(poster(demo, unknown, faq, "QS001", tmp_path / "named.png")) == [
        "https://t.me/QingshanPoliceBot?start=QS001"
    ]


def text_sizes(path: Path) -> list[tuple[str, float]]:
    """Each piece of text of the PDF with the size it is printed at, in points."""
    found: list[tuple[str, float]] = []

    def seen(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text, size * tm[3] * cm[3]))

    pypdf.PdfReader(path).pages[0].extract_text(visitor_text=seen)
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_steps_are_printed_at_18_pt_or_more_above_the_footer(demo, settings, faq, tmp_path, lang):
    path = poster(demo, settings, faq, "BS002", tmp_path / "bs002.pdf", lang=lang)
    sizes = text_sizes(path)
    steps = [faq.message(key, lang) for key in ("poster.step1", "poster.step2", "poster.step3")]
    after = next(i for i, (text, _) in enumerate(sizes) if text == faq.message("poster.how_title", lang))
    printed = [(text, size) for text, size in sizes[after:] if any(text.strip() in step for step in steps)]
    assert "".join(text for text, _ in printed).replace(" ", "") == "".join(steps).replace(" ", "")
    assert min(size for _, size in printed) >= 18
    with demo() as session:
        village = roster.village_by_code(session, "BS002")
        shapes = layout(content.build(session, village, settings, faq, lang))
    lines = [s for s in shapes if isinstance(s, Label) and any(s.text in step for step in steps)]
    assert max(s.y + s.size * PT * 0.3 for s in lines) <= FOOTER  # never into the red band


def test_the_bots_name_is_printed_beside_the_qr_code(demo, settings, faq, tmp_path):
    with demo() as session:
        village = roster.village_by_code(session, "QS001")
        shapes = layout(content.build(session, village, settings, faq, "zh"))
    (code,) = [s for s in shapes if isinstance(s, Code)]
    (name,) = [s for s in shapes if isinstance(s, Label) and s.text == f"@{BOT}"]
    assert code.x <= name.x <= code.x + code.size and 0 < name.y - (code.y + code.size) < 10  # just under it
    assert f"@{BOT}" in pdf_text(poster(demo, settings, faq, "QS001", tmp_path / "qs001.pdf"))


def test_a_village_without_an_officer_shows_its_town_duty_desks_phone(demo, settings, faq, tmp_path):
    assert "0571" not in pdf_text(poster(demo, settings, faq, "QS004", tmp_path / "before.pdf"))
    with demo.begin() as session:
        session.execute(update(Town).where(Town.name == "青山镇（示例）").values(duty_phone="0571-8888 0110"))
    flat = pdf_text(poster(demo, settings, faq, "QS004", tmp_path / "qs004.pdf")).replace("\n", "")
    assert faq.message("poster.duty_phone", "zh", phone="0571-8888 0110") in flat
    assert "0571-8888 0110" not in faq.message("poster.no_officer_help", "zh", town="青山镇（示例）")
    assert "0571" not in pdf_text(poster(demo, settings, faq, "QS001", tmp_path / "qs001.pdf"))  # it has an officer
    english = " ".join(pdf_text(poster(demo, settings, faq, "QS004", tmp_path / "en.pdf", lang="en")).split())
    assert faq.message("poster.duty_phone", "en", phone="0571-8888 0110") in english
    assert qr_texts(poster(demo, settings, faq, "QS004", tmp_path / "qs004.png")) == [
        f"https://t.me/{BOT}?start=QS004"
    ]
