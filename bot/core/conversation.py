"""The conversation core: one `Incoming` in, one `Outcome` out. Channels only parse and render."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.core import language
from bot.core.answers import answer_reply, fallback_reply
from bot.core.profiles import Profile, Profiles
from bot.core.types import Button, Incoming, Outcome, Reply
from bot.errors import UserError
from bot.services import Knowledge

log = logging.getLogger(__name__)

Handler = Callable[[Incoming, Profile, str], Outcome]
UNSUPPORTED = ("sticker", "voice", "location", "contact", "photo", "edited")


class Conversation:
    """Answers villagers: commands, buttons and free text."""

    def __init__(self, knowledge: Callable[[], Knowledge], profiles: Profiles, default_lang: str = "zh") -> None:
        self.knowledge = knowledge  # a callable, so a reloaded FAQ takes effect at the next message
        self.profiles = profiles
        self.default_lang = default_lang
        self.commands: dict[str, Handler] = {
            "start": self.on_start,
            "help": self.on_help,
            "lang": self.on_lang,
            "cancel": self.on_cancel,
        }
        self.buttons: dict[str, Handler] = {"faq": self.on_faq_button, "lang": self.on_lang_button}

    def message(self, key: str, lang: str, **params: object) -> str:
        return self.knowledge().faq.message(key, lang, **params)

    def handle(self, msg: Incoming) -> Outcome:
        """The reply to one thing a user did. A `UserError` becomes its message."""
        profile = self.profiles.load(msg.user_id, msg.chat_id)
        lang = language.choose(msg.text, profile.lang or msg.lang_hint, self.default_lang)
        try:
            return self.dispatch(msg, profile, lang)
        except UserError as exc:
            return Outcome.text(self.message(exc.key, lang, **exc.params))

    def dispatch(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        if msg.command is not None:
            handler = self.commands.get(msg.command)
            if handler is None:
                return Outcome.text(self.message("unknown_command", lang))
            return handler(msg, profile, lang)
        if msg.button is not None:
            prefix = msg.button.split(":", 1)[0]
            button = self.buttons.get(prefix)
            if button is None:
                return Outcome.text(self.message("unsupported.other", lang))
            return button(msg, profile, lang)
        if msg.kind in UNSUPPORTED:
            return Outcome.text(self.message(f"unsupported.{msg.kind}", lang))
        if msg.kind != "text":
            return Outcome.text(self.message("unsupported.other", lang))
        return self.on_text(msg, profile, lang)

    def on_text(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        if not msg.text.strip():
            return Outcome.text(self.message("empty", lang))
        return self.answer(msg.text, lang)

    def answer(self, text: str, lang: str) -> Outcome:
        """The FAQ's answer to a question, or the fallback with suggestions."""
        knowledge = self.knowledge()
        match = knowledge.matcher.match(text)
        log.info("matched intent=%s score=%.2f", match.intent, match.score)
        if match.intent is None:
            return Outcome((fallback_reply(knowledge, match, lang),))
        reply = answer_reply(knowledge, match.intent, lang)
        if knowledge.faq[match.intent].urgent:
            return Outcome((Reply(self.message("urgent.lead", lang)), reply))
        return Outcome((reply,))

    def on_start(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        return Outcome.text(self.message("welcome", lang))

    def on_help(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        help_intent = self.knowledge().faq.get("chat.help")
        intro = help_intent.answer.get(lang) if help_intent else self.message("welcome", lang)
        return Outcome.text(f"{intro}\n\n{self.message('help.commands', lang)}")

    def on_lang(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        if msg.args and msg.args[0].lower() in ("zh", "en"):
            return self.set_lang(profile, msg.args[0].lower())
        row = (Button("中文", "lang:zh"), Button("English", "lang:en"))
        return Outcome.text(self.message("lang.choose", lang), row)

    def on_lang_button(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        choice = (msg.button or "").partition(":")[2]
        return self.set_lang(profile, choice if choice in ("zh", "en") else self.default_lang)

    def set_lang(self, profile: Profile, choice: str) -> Outcome:
        profile.lang = choice
        self.profiles.save(profile)
        return Outcome.text(self.message("lang.set", choice))

    def on_cancel(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        if profile.state is None:
            return Outcome.text(self.message("nothing_to_cancel", lang))
        profile.state, profile.data = None, {}
        self.profiles.save(profile)
        return Outcome.text(self.message("cancelled", lang))

    def on_faq_button(self, msg: Incoming, profile: Profile, lang: str) -> Outcome:
        intent_id = (msg.button or "").partition(":")[2]
        if intent_id not in self.knowledge().faq.intents:
            return Outcome.text(self.message("unsupported.other", lang))
        return Outcome((answer_reply(self.knowledge(), intent_id, lang),))
