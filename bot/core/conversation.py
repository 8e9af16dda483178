"""The conversation core: one `Incoming` in, one `Outcome` out. Channels only parse and render.

Each message is one unit of work in the database: who wrote, what state they are in, what
changes, and the messages to other people (the outbox), committed together or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.core import (
    checks,
    disputes,
    duty,
    group_links,
    groups,
    intake,
    keyboard,
    kiosk_alerts,
    language,
    media,
    officers,
    outreach,
    reports,
    review,
    supervision,
    urgency,
    villagers,
)
from bot.core.answers import answer_reply, fallback_reply, more_reply
from bot.core.inputs import clean
from bot.core.turn import Turn
from bot.core.types import Aside, Button, Incoming, Outcome, Reply, parse_text
from bot.errors import DatabaseDown, FaqError, NotAllowed, UserError
from bot.services import Knowledge, Services
from bot.store import citizens, faults, links, outbox, requests, updates, usage

log = logging.getLogger(__name__)

Handler = Callable[[Turn], Outcome]
Step = Callable[[Turn], Outcome | Aside]
UNSUPPORTED = ("sticker", "voice", "location", "contact", "photo", "edited")
AFTER_FALLBACK = "after_fallback"  # not a step: remembers the question a villager may pass on
ASK_OFFICER = "askofficer"
# modules with COMMANDS / BUTTONS / STEPS tables
ROLES = (
    villagers, intake, officers, checks, kiosk_alerts, duty, reports, outreach, group_links, media, supervision,
    disputes, review,
)
# the persistent keyboard's buttons (bot/core/keyboard.py): what a tap does
TAPS: dict[str, Handler] = {
    keyboard.FAQ: keyboard.on_faq_menu,
    keyboard.CHECK: checks.on_paste_prompt,
    keyboard.OFFICER: villagers.on_officer,
    keyboard.MYREQUESTS: villagers.on_myrequests,
}


class Conversation:
    """Answers villagers and officers: commands, buttons and free text."""

    def __init__(self, services: Services) -> None:
        self.services = services
        # each role's module declares its commands, buttons (by callback-data prefix) and steps
        self.commands: dict[str, Handler] = {
            "help": self.on_help,
            "lang": self.on_lang,
            "cancel": self.on_cancel,
            "reload": self.on_reload,
        }
        self.buttons: dict[str, Handler] = {
            "faq": self.on_faq_button,
            "more": self.on_more_button,
            "lang": self.on_lang_button,
            "req": self.on_request_button,
            ASK_OFFICER: self.on_ask_officer,
        }
        self.steps: dict[str, Step] = {}
        for module in ROLES:
            self.commands.update(getattr(module, "COMMANDS", {}))
            self.buttons.update(getattr(module, "BUTTONS", {}))
            self.steps.update(getattr(module, "STEPS", {}))

    def handle(self, msg: Incoming) -> Outcome:
        """The reply to one thing a user did. A `UserError` becomes its message."""
        msg = clean(msg)  # here, not in each channel: every way into the core passes this line
        knowledge = self.services.knowledge()
        words = " ".join(msg.args) if msg.command else msg.text  # a command's name says nothing of the language
        lang = language.choose(words, msg.lang_hint, self.services.settings.app.default_lang)
        ahead(knowledge, msg)
        try:
            with self.services.db.begin() as session:
                if msg.update_id is not None and not updates.first_time(session, msg.update_id):
                    # its turn is done: the answer it gave is told again, nothing is done twice (the
                    # channel drops an update Telegram sends twice; this is a turn whose reply was cut off)
                    log.info("update %s seen before: its replies again", msg.update_id)
                    kept = updates.kept_replies(session, msg.update_id)
                    return Outcome(tuple(outbox.reply(payload) for payload in kept))
                citizen, officer = citizens.identify(
                    session,
                    msg.user_id,
                    msg.chat_id,
                    lang=hint_lang(msg, lang),
                    name=msg.name,
                    private=not msg.in_group,
                )
                lang = language.choose(words, citizen.lang, lang)
                turn = Turn(msg, session, self.services, knowledge, citizen, lang, officer)
                outcome = self.dispatch(turn)
                if msg.heard:  # a voice note's text: what was heard leads (bot/core/media.py)
                    outcome = media.heard(turn, outcome)
                if msg.update_id is not None and outcome.replies:
                    updates.keep_replies(session, msg.update_id, [outbox.payload(r) for r in outcome.replies])
                # a review choice checked in the background reloaded the FAQ here: the next turn, whoever's,
                # tells the channel's process, which hands its FAQ to a core started again
                reloaded = outcome.reloaded or review.WORKER.tell()
                return Outcome(outcome.replies, outcome.state, outcome.notes, turn.queued, reloaded)
        except UserError as exc:
            return Outcome.text(knowledge.faq.message(exc.key, lang, **exc.params))
        except Exception as exc:
            if faults.transient(exc):  # rolled back: nothing of the turn happened, it can come again
                raise DatabaseDown(faults.describe(exc)) from exc
            raise

    def dispatch(self, turn: Turn) -> Outcome:
        msg = turn.msg
        if msg.in_group and (gated := groups.gate(turn)) is not None:
            return gated  # said where everyone reads it: nothing personal, staff only at the desk
        if msg.kind in ("joined", "left"):
            return groups.on_membership(turn)
        if msg.command is None and msg.kind == "photo" and msg.text.startswith("/"):
            # a photo captioned with a command (`/log visit ...`) is that command, the photo attached
            command, args = parse_text(msg.text)
            turn.msg = msg = replace(msg, command=command, args=args)
        if msg.kind == "text" and (tap := keyboard.tapped(turn)) is not None:
            return TAPS[tap](turn)  # a big button: like a command, whatever step is under way
        if msg.command is not None:
            handler = self.commands.get(msg.command)
            return handler(turn) if handler else turn.reply("unknown_command")
        if msg.button is not None:
            button = self.buttons.get(msg.button.split(":", 1)[0])
            return button(turn) if button else turn.reply("unsupported.other")
        if msg.reply_to is not None and msg.kind in ("text", "photo"):
            linked = self.on_reply_to(turn)
            if linked is not None:
                return linked
        if msg.kind == "photo" and turn.state in (intake.DETAILS, intake.PHONE):
            return intake.on_attachment(turn)
        if msg.forwarded and msg.kind == "text":
            return checks.on_forwarded(turn)  # a forwarded message is a question: is this a scam?
        if msg.kind == "photo" and not msg.in_group and any(a.kind == "photo" for a in msg.attachments):
            return media.on_photo(turn)  # a screenshot: the words the channel read in it, checked
        if msg.kind == "voice" and not msg.in_group:
            return media.on_voice(turn)
        if msg.kind == "contact" and turn.state == intake.PHONE:
            return intake.on_contact(turn)  # "📞 send my number"
        if msg.kind in UNSUPPORTED:
            return turn.reply(f"unsupported.{msg.kind}")
        if msg.kind != "text":
            return turn.reply("unsupported.other")
        step = self.steps.get(turn.state or "")
        if step is None or not msg.text.strip():
            return self.on_text(turn)
        outcome = step(turn)
        if not isinstance(outcome, Aside):
            return outcome
        waiting = (turn.state, turn.data)
        answered = self.on_text(turn)  # a question asked in the middle of a step is answered too
        if outcome.ask_again is None or (turn.state, turn.data) != waiting:  # the answer asked its own
            return answered
        return Outcome((*answered.replies, Reply(turn.say(outcome.ask_again), outcome.buttons)))

    def on_reply_to(self, turn: Turn) -> Outcome | None:
        """A Telegram reply to a message about a request: relayed to the other side."""
        assert turn.msg.reply_to is not None
        request_id = requests.id_from_ref(links.resolve_link(turn.session, turn.msg.chat_id, turn.msg.reply_to))
        request = requests.get(turn.session, request_id) if request_id else None
        if request is None:
            return None
        if request.citizen.chat_id == turn.msg.chat_id and not turn.msg.in_group:
            return villagers.relay_to_staff(turn, request)
        if not turn.msg.text.strip():
            return turn.reply("empty")
        return officers.relay_to_citizen(turn, request.id, turn.msg.text.strip())

    def on_text(self, turn: Turn) -> Outcome:
        text = turn.msg.text
        if not text.strip():
            return turn.reply("empty")
        knowledge = turn.knowledge
        match = knowledge.matcher.match(text)
        log.info("matched intent=%s score=%.2f", match.intent, match.score)
        usage.record_question(turn.session, turn.citizen.id, text, match)
        if urgency.urgent(turn, text, match):
            return self.urgent(turn, match.intent, text)
        intent = knowledge.faq.get(match.intent)
        if intent is None:
            turn.set_state(AFTER_FALLBACK, question=text[: intake.MAX_DETAILS])
            return Outcome((fallback_reply(knowledge, match, turn.lang),))
        return Outcome((answer_reply(knowledge, intent.id, turn.lang),))

    def urgent(self, turn: Turn, intent_id: str | None, text: str) -> Outcome:
        """Happening now: what to do this minute first, the officer paged, then the answer."""
        replies = [Reply(turn.say("urgent.lead"))]
        kind = intent_id if intent_id in ("fraud.already_scammed", "service.emergency") else "fraud.already_scammed"
        replies.append(intake.page_urgently(turn, kind, text))
        if intent_id is not None:
            replies.append(answer_reply(turn.knowledge, intent_id, turn.lang))
        return Outcome(tuple(replies))

    def on_help(self, turn: Turn) -> Outcome:
        """One short line on what to do and one list of commands (the FAQ's longer `chat.help`
        answer, which lists them too, is for the question "what can you do?"); officers and
        admins also see theirs."""
        sections = ["help.intro", "help.commands"]
        if turn.officer is not None:
            sections.append("help.officer")
        if turn.is_admin:
            sections.append("help.admin")
        return Outcome.text(each_command_once([turn.say(key) for key in sections]))

    def on_lang(self, turn: Turn) -> Outcome:
        if turn.msg.args and turn.msg.args[0].lower() in ("zh", "en"):
            return self.set_lang(turn, turn.msg.args[0].lower())
        row = (Button("中文", "lang:zh"), Button("English", "lang:en"))
        return Outcome.text(turn.say("lang.choose"), row)

    def on_lang_button(self, turn: Turn) -> Outcome:
        choice = (turn.msg.button or "").partition(":")[2]
        return self.set_lang(turn, choice if choice in ("zh", "en") else "zh")

    def set_lang(self, turn: Turn, choice: str) -> Outcome:
        citizens.set_lang(turn.session, turn.citizen, choice)
        return Outcome.text(turn.say("lang.set", lang=choice))

    def on_cancel(self, turn: Turn) -> Outcome:
        if turn.state not in self.steps:  # no step under way (a remembered question is not one)
            return turn.reply("nothing_to_cancel")
        turn.set_state(None)
        return keyboard.with_main(turn, turn.reply("cancelled"))  # back to the big buttons (after the phone's)

    def on_faq_button(self, turn: Turn) -> Outcome:
        intent_id = (turn.msg.button or "").partition(":")[2]
        if intent_id not in turn.knowledge.faq.intents:
            return turn.reply("unsupported.other")
        return Outcome((answer_reply(turn.knowledge, intent_id, turn.lang),))

    def on_more_button(self, turn: Turn) -> Outcome:
        """"More" under an answer: the whole of it, as a follow-up."""
        intent_id = (turn.msg.button or "").partition(":")[2]
        if intent_id not in turn.knowledge.faq.intents:
            return turn.reply("unsupported.other")
        return Outcome((more_reply(turn.knowledge, intent_id, turn.lang),))

    def on_request_button(self, turn: Turn) -> Outcome:
        kind = (turn.msg.button or "").partition(":")[2]
        intent = turn.knowledge.faq.get(kind)
        if intent is None or not intent.routable:
            return turn.reply("unsupported.other")
        return intake.start(turn, kind)

    def on_ask_officer(self, turn: Turn) -> Outcome:
        """The "ask my officer" button after a fallback: the question they asked becomes the request."""
        question = turn.data.get("question", "") if turn.state == AFTER_FALLBACK else ""
        return intake.start(turn, "service.contact_officer", question)

    def on_reload(self, turn: Turn) -> Outcome:
        if not turn.is_admin:
            log.warning("refused user=%s command=reload: not an admin", turn.msg.user_id)
            raise NotAllowed("admin.only")
        try:
            fresh = self.services.knowledge.reload()
        except FaqError as exc:
            return turn.reply("admin.reload_failed", problems="\n".join(exc.problems[:10]))
        return replace(turn.reply("admin.reloaded", count=len(fresh.faq.intents)), reloaded=True)


def each_command_once(sections: list[str]) -> str:
    """The sections, a blank line apart; a command listed again (the admin's wider `/alert` after
    the officer's) takes the place of its first line instead of showing twice."""
    blocks: list[list[str | None]] = [list(section.split("\n")) for section in sections]
    first: dict[str, tuple[int, int]] = {}
    for b, block in enumerate(blocks):
        for i, line in enumerate(block):
            if line is None or not line.startswith("/"):
                continue
            name = line.split()[0]
            if name in first:
                at, row = first[name]
                blocks[at][row], block[i] = line, None
            else:
                first[name] = (b, i)
    return "\n\n".join("\n".join(line for line in block if line is not None) for block in blocks)


def hint_lang(msg: Incoming, fallback: str) -> str:
    """A new user's language from their Telegram client, else the default."""
    if msg.lang_hint:
        return "en" if msg.lang_hint.lower().startswith("en") else "zh"
    return fallback


def ahead(knowledge: Knowledge, msg: Incoming) -> None:
    """The matcher's (or, for a forward or a group post, the checker's) answer on a text, worked out
    before the turn holds the database: on SQLite a turn holds the one write lock from its start,
    and the matcher's millisecond or two inside it kept the channel's inbox and outbox waiting. Both
    remember their last few answers, so the turn's own call finds it done."""
    if msg.kind != "text" or msg.command is not None or not msg.text.strip():
        return
    if msg.forwarded or msg.in_group:
        knowledge.check(msg.text)
    else:
        knowledge.matcher.match(msg.text)
