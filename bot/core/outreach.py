"""Fraud alerts to villagers: `/alert SCOPE TEXT` for officers (their villages) and administrators
(any village, a town or `all`), previewed and confirmed with a button; `/alerts on|off` for villagers.

The text may carry both languages: `/alert QS001 中文 --en English` or `/alert QS001 中文 | English`.
A photo whose caption is the command goes out with the alert. Confirming writes one delivery row
per recipient; the delivery engine (alerts_delivery.py) sends them.
"""

from __future__ import annotations

import logging

from bot.core import alert_texts, inputs
from bot.core.alert_texts import Words
from bot.core.turn import Turn
from bot.core.types import Button, Outcome, Reply
from bot.errors import BadArguments, NotAllowed, NotFound, UserError
from bot.store import alerts, citizens, linked_groups, roster
from bot.store.models import Village
from bot.store.models_outreach import Alert, AlertStatus

log = logging.getLogger(__name__)

CONFIRM, CANCEL = "go", "no"
OFF_WORDS = ("off", "stop", "no", "关", "关闭", "退订")
ON_WORDS = ("on", "start", "yes", "开", "开启", "订阅")


def on_alert(turn: Turn) -> Outcome:
    """`/alert SCOPE TEXT`: check who may send where, then show the preview with Confirm / Cancel."""
    require_sender(turn)
    scope, body = alert_texts.split_command(turn.msg.text)
    if not scope:
        raise BadArguments(usage=turn.say("alert.usage"))
    words = alert_texts.split_languages(body)
    if words.empty:
        log.warning("refused user=%s /alert %s: empty text", turn.msg.user_id, scope[:50])
        raise UserError("alert.empty", usage=turn.say("alert.usage"))
    villages = authorised_scope(turn, scope)
    photo = next((a.file_id for a in turn.msg.attachments if a.kind == "photo"), None)
    length = alert_texts.too_long(turn.knowledge.faq, words, photo)
    if length is not None:
        limit = alert_texts.CAPTION_MAX if photo else alert_texts.TEXT_MAX
        raise UserError("alert.too_long", length=length, limit=limit)
    by_lang = alerts.recipients_by_lang(turn.session, [v.id for v in villages])
    groups = linked_groups.count_of(turn.session, [v.id for v in villages])
    label = alert_texts.scope_label(turn.knowledge.faq, scope, villages, turn.lang)
    if not sum(by_lang.values()) and not groups:
        return turn.reply("alert.no_recipients", scope=label)
    alert = alerts.create(
        turn.session,
        scope=scope,
        text_zh=words.zh,
        text_en=words.en,
        photo=photo,
        created_by=turn.msg.user_id,
        progress_chat_id=turn.msg.chat_id,
    )
    return preview(turn, alert, words, label, by_lang, groups)


def preview(
    turn: Turn, alert: Alert, words: Words, label: str, by_lang: dict[str, int], groups: int = 0
) -> Outcome:
    """The sender sees what each language's villagers (and the linked groups) will get, and how many."""
    count = sum(by_lang.values()) + groups
    head = turn.say(
        "alert.preview", number=alert.id, scope=label, count=sum(by_lang.values()), zh=by_lang.get("zh", 0),
        en=by_lang.get("en", 0)
    )
    if groups:
        head = f"{head}\n{turn.say('alert.preview_groups', groups=groups)}"
    seen = [
        alert_texts.villager_reply(turn.knowledge.faq, words, lang, alert.photo)
        for lang in ("zh", "en")
        if by_lang.get(lang)
    ]
    if groups:
        seen.append(alert_texts.group_reply(turn.knowledge.faq, words, turn.staff_lang, alert.photo))
    buttons = (
        Button(turn.say("button.alert_confirm"), f"alert:{CONFIRM}:{alert.id}"),
        Button(turn.say("button.alert_cancel"), f"alert:{CANCEL}:{alert.id}"),
    )
    ask = Reply(turn.say("alert.confirm_prompt", number=alert.id, count=count), (buttons,))
    return Outcome((Reply(head), *seen, ask))


def on_button(turn: Turn) -> Outcome:
    """Confirm (`alert:go:N`) or Cancel (`alert:no:N`) under a preview: only its sender may."""
    _, action, data = f"{turn.msg.button}::".split(":")[:3]
    number = inputs.number(data)
    if action not in (CONFIRM, CANCEL) or number is None:
        return turn.reply("unsupported.other")
    alert = alerts.get(turn.session, number) if inputs.findable(number) else None
    if alert is None:
        raise NotFound(what=turn.say("alert.what", number=number))
    if alert.created_by != turn.msg.user_id:
        log.warning("refused user=%s on alert #%d: not its sender", turn.msg.user_id, alert.id)
        raise NotAllowed("alert.not_yours", number=alert.id)
    if alert.status != AlertStatus.DRAFT:
        return not_draft(turn, alert)
    if action == CANCEL:
        alerts.cancel(turn.session, alert.id)
        log.info("alert #%d cancelled by user=%s", alert.id, turn.msg.user_id)
        return turn.reply("alert.cancelled", number=alert.id)
    return confirm(turn, alert)


def confirm(turn: Turn, alert: Alert) -> Outcome:
    """Start the job: authority checked again (the roster may have changed since the preview)."""
    villages = authorised_scope(turn, alert.scope)
    total = alerts.confirm(turn.session, alert.id, [v.id for v in villages], group_lang=turn.staff_lang)
    if total is None:
        return not_draft(turn, alert)
    log.info("alert #%d to %s confirmed by user=%s: %d recipients", alert.id, alert.scope, turn.msg.user_id, total)
    return turn.reply("alert.confirmed", number=alert.id, count=total)


def not_draft(turn: Turn, alert: Alert) -> Outcome:
    turn.session.refresh(alert)
    return turn.reply("alert.not_draft", number=alert.id, status=turn.say(f"alert.status.{alert.status}"))


def require_sender(turn: Turn) -> None:
    if turn.officer is None and not turn.is_admin:
        log.warning("refused user=%s /alert: neither an officer nor an admin", turn.msg.user_id)
        raise NotAllowed("alert.not_allowed")


def authorised_scope(turn: Turn, scope: str) -> list[Village]:
    """The scope's villages, if this sender may alert them: admins anywhere, officers their villages."""
    villages = alerts.scope_villages(turn.session, scope)
    if villages is None:
        raise UserError("alert.unknown_scope", scope=scope[:50])
    if turn.is_admin:
        return villages
    require_sender(turn)
    assert turn.officer is not None
    mine = roster.officer_villages(turn.session, turn.officer.id)
    codes = ", ".join(f"{v.code} {v.name}" for v in mine) or "-"
    if not (len(villages) == 1 and villages[0].code == roster.normalise_code(scope)):
        log.warning("refused officer=%s /alert %s: a town or all is for admins", turn.officer.id, scope[:50])
        raise NotAllowed("alert.admin_scope", villages=codes)
    if villages[0].id not in {v.id for v in mine}:
        log.warning("refused officer=%s /alert %s: not one of their villages", turn.officer.id, villages[0].code)
        raise NotAllowed("alert.not_your_village", scope=villages[0].code, villages=codes)
    return villages


def on_alerts(turn: Turn) -> Outcome:
    """`/alerts off` / `/alerts on`: a villager stops or resumes fraud alerts; alone: where they stand."""
    word = turn.msg.args[0].lower() if turn.msg.args else ""
    if word in OFF_WORDS:
        citizens.set_alerts(turn.session, turn.citizen, False)
        log.info("citizen %s opted out of alerts", turn.citizen.id)
        return turn.reply("alert.opted_out")
    if word in ON_WORDS:
        citizens.set_alerts(turn.session, turn.citizen, True)
        return turn.reply("alert.opted_in")
    return turn.reply("alert.state_on" if turn.citizen.alerts_opt_in else "alert.state_off")


COMMANDS = {"alert": on_alert, "alerts": on_alerts}
BUTTONS = {"alert": on_button}
