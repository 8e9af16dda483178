"""Beyond typed text, end to end on the fake Bot API: an answer heard as a voice note (real
OGG/Opus, decoded here), a screenshot read and checked (real images drawn with the CJK font),
and a voice note answered with big buttons and the officer's phone."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import soundfile

from bot.core.media import QUOTE_CHARS, VOICE_MENU
from tests.fakes import SentMessage
from tests.fakes.screenshots import messages, screenshot

from .conftest import OFFICERS, Bot

PHONE_1001 = "13800000001"  # bot/store/demo_roster.csv: 王示例, QS001's officer


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(autouse=True)
def patient(bot: Bot) -> None:
    """Reading a picture or speaking takes seconds on a busy 2-core machine (the first of each
    also starts the OCR models or the speech worker): wait for it longer than for a text."""
    bot.api.settle_timeout = 60.0


def decoded(bot: Bot, note: SentMessage) -> tuple[np.ndarray, int, str]:
    """The samples, rate and subtype of the voice note the bot uploaded."""
    data = bot.api.files[note.raw["voice"]["file_id"]].data
    info = soundfile.info(io.BytesIO(data))
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return samples, rate, f"{info.format}/{info.subtype}"


async def test_an_answer_is_heard_as_a_voice_note(bot: Bot) -> None:
    villager = await bot.registered(5801)
    asked = await villager.send("刷单返利是真的吗")
    [answer] = asked.replies
    listen = answer.find_button(bot.say("button.listen"))
    assert listen is not None, answer.buttons
    intent = bot.faq[listen["callback_data"].partition(":")[2]]
    assert answer.text is not None and answer.text.startswith(f"【{intent.title.get('zh')}】")

    heard = await villager.press(bot.say("button.listen"))
    [note] = heard.replies
    assert note.kind == "voice"
    assert note.text == bot.say("listen.caption", title=intent.title.get("zh"))
    samples, rate, kind = decoded(bot, note)
    assert kind == "OGG/OPUS"
    assert rate == 48000 and samples.ndim == 1  # mono, at Opus's own rate
    seconds = len(samples) / rate
    chars = len(intent.speech.get("zh"))
    assert 0.1 * chars < seconds < 0.6 * chars  # espeak-ng says about 4 characters a second
    peak = float(np.max(np.abs(samples)))
    assert 20 * np.log10(peak) < -2.0  # headroom: normalised to -3 dBFS (Opus's decoder adds a little)
    assert 20 * np.log10(peak) > -4.5  # and not left quiet


async def test_a_voice_note_is_made_once_for_a_text_and_voice(bot: Bot) -> None:
    villager = await bot.registered(5802, lang="en")
    await villager.send("what is a brushing rebate scam")
    first = await villager.press(bot.say("button.listen", "en"))
    again = await villager.press(bot.say("button.listen", "en"))
    media = bot.app.bot_data["runtime"].media
    assert media.notes.rendered == 1  # the second came from the cache
    one, two = first.replies[0], again.replies[0]
    assert bot.api.files[one.raw["voice"]["file_id"]].data == bot.api.files[two.raw["voice"]["file_id"]].data
    assert one.text == bot.say("listen.caption", "en", title=bot.faq["fraud.brushing_rebate"].title.get("en"))


SCAM, NOISY_SCAM, LOWRES_SAFE = messages()[0], messages()[1], messages()[32]


@pytest.mark.parametrize(
    ("sms", "look", "verdict"),
    [(SCAM, "clean", "scam"), (NOISY_SCAM, "noisy", "scam"), (LOWRES_SAFE, "lowres", "safe")],
)
async def test_a_screenshot_is_read_and_checked(bot: Bot, sms, look: str, verdict: str) -> None:  # type: ignore[no-untyped-def]
    assert sms.label == ("scam" if verdict == "scam" else "safe")
    villager = await bot.registered(5803)
    shot = screenshot(sms, look)
    sent = await villager.send_photo(data=shot.image)
    lead = sent.texts[0]
    quoted, verdict_lines = lead.split("\n\n", 1)
    # the first words of the message it read, quoted (the status bar's clock, the sender and the date left out)
    before, after = bot.say("photo.read", quote="\x00").split("\x00")
    assert quoted.startswith(before) and quoted.endswith("…" + after)
    quote = squeeze(quoted[len(before) : -len("…" + after)])
    assert len(quote) >= QUOTE_CHARS - 3 and squeeze("".join(shot.drawn[3:])).startswith(quote)
    pattern = re.escape(bot.say(f"check.{verdict}", risk=999)).replace("999", r"\d+")
    assert re.fullmatch(pattern, verdict_lines.split("\n", 1)[0])
    if verdict == "scam":  # what to do, and the report to the officer, as for a forwarded message
        assert any(reply.find_button(bot.say("button.report")) is not None for reply in sent.replies)


async def test_a_reported_screenshot_reaches_the_officer_with_what_it_said(bot: Bot) -> None:
    villager = await bot.registered(5804)
    await villager.send_photo(data=screenshot(SCAM).image)
    await villager.press(bot.say("button.report"))
    await villager.send("13812345678")
    [card] = await bot.cards_for(bot.officer(1001), 1)
    assert card.text is not None and "boc-safe.cc" in card.text


async def test_a_photo_inside_a_request_stays_an_attachment(bot: Bot) -> None:
    villager = await bot.registered(5805)
    await villager.send("/request hukou_newborn")
    sent = await villager.send_photo(data=screenshot(SCAM).image)
    assert sent.texts == [bot.say("request.photo_saved", count=1)]  # no verdict in the middle of a request


async def test_a_picture_without_words_gets_a_way_forward(bot: Bot) -> None:
    villager = await bot.registered(5806)
    blank = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (640, 480), (90, 160, 60)).save(blank, "JPEG")
    assert (await villager.send_photo(data=blank.getvalue())).texts == [bot.say("photo.unreadable")]


def ogg_opus(seconds: float = 1.5) -> bytes:
    """A real voice note: a tone, OGG/Opus at 48 kHz mono."""
    t = np.arange(int(seconds * 48000)) / 48000
    out = io.BytesIO()
    soundfile.write(out, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 48000, format="OGG", subtype="OPUS")
    return out.getvalue()


async def test_a_voice_note_gets_big_buttons_and_the_officers_phone(bot: Bot) -> None:
    villager = await bot.registered(5807)
    heard = await villager.send_voice(data=ogg_opus())
    [reply] = heard.replies
    assert reply.text == "\n".join(
        [bot.say("voice.cannot_listen"), bot.say("voice.officer", name=OFFICERS[1001], phone=PHONE_1001)]
    )
    titles = [bot.faq[i].title.get("zh") for i in VOICE_MENU]
    assert reply.buttons == [[t] for t in titles] + [[bot.say("button.ask_officer")]]
    answered = await villager.press(titles[1])
    assert answered.texts[0].startswith(f"【{titles[1]}】")
    await villager.send_voice(data=ogg_opus())
    asked = await villager.press(bot.say("button.ask_officer"))
    assert asked.texts  # the request to the officer begins: never a dead end


async def test_a_voice_note_from_someone_without_a_village_says_how_to_get_the_phone(bot: Bot) -> None:
    stranger = bot.villager(5808)
    [reply] = (await stranger.send_voice(data=ogg_opus())).replies
    assert reply.text == "\n".join([bot.say("voice.cannot_listen"), bot.say("voice.no_officer")])
    assert reply.buttons[-1] == [bot.say("button.ask_officer")]
