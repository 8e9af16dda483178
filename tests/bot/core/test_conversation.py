"""The core alone, as a villager talks to it."""

from __future__ import annotations

import pytest

from bot.core.conversation import Conversation
from bot.core.profiles import MemoryProfiles
from bot.core.types import Incoming, Reply, text_message
from bot.services import Knowledge
from bot.settings import load_settings


class Villager:
    """Talks to the core and keeps what it answered."""

    def __init__(self, conversation: Conversation, user_id: int = 7) -> None:
        self.conversation = conversation
        self.user_id = user_id
        self.replies: list[Reply] = []

    def send(self, text: str) -> list[Reply]:
        return self._do(text_message(self.user_id, self.user_id, text))

    def press(self, label: str) -> list[Reply]:
        buttons = [b for r in self.replies for row in r.buttons for b in row if b.label == label]
        assert buttons, f"no button {label!r}"
        return self._do(Incoming(self.user_id, self.user_id, button=buttons[-1].data, kind="button"))

    def sends(self, kind: str) -> list[Reply]:
        return self._do(Incoming(self.user_id, self.user_id, kind=kind))

    def _do(self, msg: Incoming) -> list[Reply]:
        replies = list(self.conversation.handle(msg).replies)
        self.replies += replies
        return replies

    @property
    def last(self) -> Reply:
        return self.replies[-1]


@pytest.fixture(scope="module")
def knowledge():
    return Knowledge.load(load_settings())


@pytest.fixture
def villager(knowledge):
    return Villager(Conversation(lambda: knowledge, MemoryProfiles()))


def test_a_question_gets_its_faq_answer(villager, knowledge):
    villager.send("有人冒充公安说我涉嫌洗钱 让我转钱到安全账户")
    assert knowledge.faq["fraud.impersonate_police"].answer.zh in villager.last.text


def test_a_service_answer_offers_the_officer(villager):
    villager.send("孩子刚出生怎么落户")
    assert [b.label for row in villager.last.buttons for b in row] == ["请民警帮我办"]
    assert villager.last.buttons[0][0].data == "req:service.hukou_newborn"


def test_an_english_question_gets_an_english_answer(villager, knowledge):
    villager.send("A caller says he is from the police and I must move my savings to a safe account")
    assert villager.last.text.startswith(f"【{knowledge.faq['fraud.impersonate_police'].title.en}】")


def test_not_sure_offers_three_suggestions_and_the_officer(villager, knowledge):
    villager.send("明天县城的菜市场猪肉多少钱一斤")
    labels = [b.label for row in villager.last.buttons for b in row]
    assert villager.last.text.startswith(knowledge.faq.message("fallback", "zh"))
    assert len(labels) == 4 and labels[-1] == "问驻村民警"


def test_a_suggestion_button_answers_that_intent(villager, knowledge):
    villager.send("明天县城的菜市场猪肉多少钱一斤")
    first = villager.last.buttons[0][0]
    villager.press(first.label)
    intent = knowledge.faq[first.data.removeprefix("faq:")]
    assert intent.answer.zh in villager.last.text


def test_happening_now_leads_with_what_to_do_this_minute(villager, knowledge):
    replies = villager.send("我刚才被骗转了两万块 怎么办啊")
    assert replies[0].text == knowledge.faq.message("urgent.lead", "zh")
    assert "110" in replies[0].text


def test_language_can_be_chosen(villager):
    villager.send("/lang")
    villager.press("English")
    assert villager.last.text == "OK, I will answer in English from now on."
    villager.send("/help")
    assert "/request KIND TEXT" in villager.last.text


@pytest.mark.parametrize("kind", ["sticker", "voice", "location", "contact", "photo", "edited", "poll"])
def test_other_kinds_of_message_get_a_clear_reply(villager, knowledge, kind):
    (reply,) = villager.sends(kind)
    key = "unsupported.other" if kind == "poll" else f"unsupported.{kind}"
    assert reply.text == knowledge.faq.message(key, "zh")


@pytest.mark.parametrize("text", ["", "   ", "/nosuchthing", "/", "😀" * 500, "x" * 4096])
def test_odd_text_is_never_met_with_silence(villager, text):
    replies = villager.send(text)
    assert replies and all(r.text for r in replies)


def test_cancel_with_nothing_to_cancel(villager):
    assert villager.send("/cancel")[0].text == "现在没有需要取消的操作。"
