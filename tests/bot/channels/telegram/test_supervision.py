"""Public supervision through Telegram: a villager rates a closed request with one tap, and an
不满意 rating or a complaint reaches the town's supervisor, never the officer concerned; the
supervisor closes it with a note the villager receives. Two towns: each supervisor sees their own.
A dispute is closed with its outcome."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.store.models import Town
from bot.store.models_supervision import Complaint, DisputeOutcome, Rating
from tests.fakes import FakeUser

from .conftest import ADMIN, BAISHUI, QINGSHAN, Bot

# From bot/store/demo_roster.csv: the towns' supervisors
SUPERVISOR_QS, SUPERVISOR_BS = 8001, 8002
NEWBORN = "/request hukou_newborn 孩子上个月出生，想上户口"


def supervisor(bot: Bot, user_id: int) -> FakeUser:
    return bot.villager(user_id, f"监督员{user_id}")


def about(chat: FakeUser, number: int) -> list[str]:
    """What this chat received about complaint T<number>."""
    return [m.text or "" for m in chat.messages if f"T{number}" in (m.text or "")]


def ratings(bot: Bot) -> list[tuple[int, int, str | None]]:
    with bot.db() as session:
        return [(r.request_id, r.score, r.comment) for r in session.scalars(select(Rating).order_by(Rating.id))]


def complaints(bot: Bot) -> list[Complaint]:
    with bot.db() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


async def closed_request(bot: Bot, villager: FakeUser, officer: FakeUser, number: int) -> None:
    """The villager's request #number, closed by the officer; the villager is asked to rate it."""
    await villager.send(NEWBORN)
    await bot.cards_for(officer, number)
    assert (await officer.send(f"/done {number}")).texts == [bot.say("officer.done", number=number)]
    await bot.until(lambda: bot.say("rating.ask", number=number) in villager.replies, what="the rating prompt")


async def test_a_rating_after_done_and_not_satisfied_goes_to_the_supervisor_not_the_officer(bot: Bot):
    villager = await bot.registered(5401)  # QS001: 王示例 (1001), 青山镇
    officer = bot.officer(1001)
    boss = supervisor(bot, SUPERVISOR_QS)
    await closed_request(bot, villager, officer, 1)
    prompt = villager.messages[-1]
    assert prompt.buttons == [[bot.say("rating.button.3"), bot.say("rating.button.2"), bot.say("rating.button.1")]]

    tapped = await villager.press(bot.say("rating.button.1"))
    handler = bot.say("complaint.by_supervisor", town=QINGSHAN)
    assert tapped.texts == [bot.say("rating.unsatisfied", complaint=1, handler=handler)]
    [card] = await bot.until(lambda: about(boss, 1), what="the supervisor's card")
    assert bot.say("complaint.kind.rating") in card and "#1" in card
    commented = await villager.send("办事拖拉，打了三次电话才有人回")
    assert commented.texts == [bot.say("rating.comment_saved")]
    await bot.until(lambda: len(about(boss, 1)) == 2, what="the villager's comment, to the supervisor")
    assert "打了三次电话" in about(boss, 1)[1]
    assert ratings(bot) == [(1, 1, "办事拖拉，打了三次电话才有人回")]
    # one rating a request: a second tap changes nothing
    assert (await villager.press(bot.say("rating.button.3"), message=prompt)).texts == [
        bot.say("rating.already", number=1)
    ]
    await bot.api.settle()
    assert about(officer, 1) == []  # the officer concerned never hears of it
    assert [c.kind for c in complaints(bot)] == ["rating"]


async def test_a_satisfied_rating_goes_to_nobody(bot: Bot):
    villager = await bot.registered(5402)
    await closed_request(bot, villager, bot.officer(1001), 1)
    assert (await villager.press(bot.say("rating.button.3"))).texts == [bot.say("rating.thanks")]
    assert (await villager.send("/officer")).replies  # no comment: the next message is its own
    assert ratings(bot) == [(1, 3, None)]
    assert complaints(bot) == []


async def test_a_complaint_about_money_is_urgent_numbered_and_only_the_towns_supervisor_sees_it(bot: Bot):
    qs_villager = await bot.registered(5403)  # 青山镇, officer 王示例
    bs_villager = await bot.registered(5404, "BS001")  # 白水镇, officer 赵测试
    qs_boss, bs_boss = supervisor(bot, SUPERVISOR_QS), supervisor(bot, SUPERVISOR_BS)

    said = await qs_villager.send("/complain 王警官办户口时让我给他两条烟，还要了红包")
    qs_handler = bot.say("complaint.by_supervisor", town=QINGSHAN)
    assert said.texts == [bot.say("complaint.received", number=1, handler=qs_handler)]
    [card] = await bot.until(lambda: about(qs_boss, 1), what="the urgent complaint")
    assert bot.say("complaint.urgent") in card and bot.say("complaint.kind.money") in card and "王示例" in card
    assert [(o.urgent, o.at_least_once) for o in bot.outbox() if o.ref == "complaint:1"] == [(True, True)]

    # the button under the officer's card (/officer): a complaint about that officer, to 白水镇's supervisor
    card_seen = await bs_villager.send("/officer")
    asked = await bs_villager.press(bot.say("button.complain"), message=card_seen.replies[0])
    assert asked.texts == [bot.say("complaint.ask_about", officer="赵测试")]
    said = await bs_villager.send("他说话很冲，不耐烦")
    bs_handler = bot.say("complaint.by_supervisor", town=BAISHUI)
    assert said.texts == [bot.say("complaint.received", number=2, handler=bs_handler)]
    await bot.until(lambda: about(bs_boss, 2), what="the second town's complaint")
    assert [(c.kind, c.urgent) for c in complaints(bot)] == [("money", True), ("conduct", False)]

    # each supervisor sees their own town's, and nobody else sees any
    listed = (await qs_boss.send("/complaints")).texts
    assert listed[0] == bot.say("complaint.list_head", count=1) and "T1" in listed[1] and "T2" not in "".join(listed)
    listed = (await bs_boss.send("/complaints")).texts
    assert listed[0] == bot.say("complaint.list_head", count=1) and "T2" in listed[1] and "T1" not in "".join(listed)
    for outsider in (bot.officer(1001), bot.officer(1003), qs_villager):
        assert (await outsider.send("/complaints")).texts == [bot.say("complaint.not_supervisor")]
    await bot.api.settle()
    assert about(bot.officer(1001), 1) == [] and about(bot.officer(1003), 2) == []

    # closed with a note: the villager receives it
    assert (await qs_boss.press(bot.say("button.complaint_close"))).texts == [bot.say("complaint.ask_note", number=1)]
    note = "已核实，民警已退还财物并受到处理"
    assert (await qs_boss.send(note)).texts == [bot.say("complaint.closed", number=1)]
    told = bot.say("complaint.closed_to_villager", number=1, note=note)
    await bot.until(lambda: told in qs_villager.replies, what="the note, to the villager")
    assert (await qs_boss.send("/complaints")).texts == [bot.say("complaint.none_open")]
    assert [c.status for c in complaints(bot)] == ["closed", "open"]


async def test_a_supervisor_who_is_the_officer_concerned_never_sees_it_the_admins_do(bot: Bot):
    with bot.db.begin() as session:  # 王示例 supervises his own town
        session.execute(update(Town).where(Town.name == QINGSHAN).values(supervisor_telegram_id=1001))
    admin = bot.villager(ADMIN, "管理员")
    villager = await bot.registered(5405)
    said = await villager.send("/complain 王警官上门时态度恶劣")
    assert said.texts == [bot.say("complaint.received", number=1, handler=bot.say("complaint.by_admins"))]
    await bot.until(lambda: about(admin, 1), what="the admins' copy")
    assert (await bot.officer(1001).send("/complaints")).texts == [bot.say("complaint.none_open")]
    assert "T1" in (await admin.send("/complaints")).texts[1]
    await bot.api.settle()
    assert about(bot.officer(1001), 1) == []


async def test_a_dispute_is_closed_with_its_outcome(bot: Bot):
    villager = await bot.registered(5406)
    officer = bot.officer(1001)
    await villager.send("/request dispute_mediation 邻居家盖房占了我家的地")
    [card] = await bot.cards_for(officer, 1)
    asked = await officer.press(bot.say("button.done"), message=card)
    assert asked.texts == [bot.say("dispute.ask_outcome", number=1)]
    assert bot.request(1).status != "done"  # not closed without its outcome
    outcome = await officer.press(bot.say("dispute.outcome.settled"))
    settled = bot.say("dispute.outcome.settled")
    assert outcome.texts == [bot.say("officer.done", number=1), bot.say("dispute.ask_note", number=1, outcome=settled)]
    assert (await officer.send("双方签了调解协议")).texts == [bot.say("dispute.noted", number=1)]
    await bot.until(lambda: bot.say("rating.ask", number=1) in villager.replies, what="the rating prompt")

    await villager.send("/request dispute_mediation 工钱被拖欠了三个月")
    await bot.cards_for(officer, 2)
    referred = bot.say("dispute.outcome.referred")
    assert (await officer.send(f"/done 2 {referred} 已转劳动仲裁")).texts == [bot.say("officer.done", number=2)]
    with bot.db() as session:
        found = [(o.request_id, o.outcome, o.note) for o in session.scalars(select(DisputeOutcome))]
    assert sorted(found) == [(1, "settled", "双方签了调解协议"), (2, "referred", "已转劳动仲裁")]
    assert bot.request(2).status == "done"


async def test_complaints_are_private_never_made_or_listed_in_a_group(bot: Bot):
    group = bot.api.group(-1009000000301, "青山村村民群")
    for chat in (group, bot.desk(QINGSHAN)):
        for person, command in ((bot.villager(5407), "/complain 民警要红包"), (supervisor(bot, 8001), "/complaints")):
            assert (await person.send(command, chat=chat)).texts == [bot.say("group.private_only")], (chat, command)
    assert complaints(bot) == []


async def test_a_supervisor_closes_a_complaint_by_command_only_their_towns_and_never_the_officer(bot: Bot):
    qs_villager = await bot.registered(5408)  # 青山镇, officer 王示例 (1001)
    bs_villager = await bot.registered(5409, "BS001")  # 白水镇, officer 赵测试 (1003)
    qs_boss, bs_boss = supervisor(bot, SUPERVISOR_QS), supervisor(bot, SUPERVISOR_BS)
    await qs_villager.send("/complain 王警官办事时让我请他吃饭")
    await bs_villager.send("/complain 赵警官接电话时态度很差")
    await bot.until(lambda: about(qs_boss, 1) and about(bs_boss, 2), what="both towns' cards")

    # the officer concerned, and the other town's supervisor, can neither close it nor learn its note
    assert (await bot.officer(1001).send("/complaints close T1 没有这回事")).texts == [
        bot.say("complaint.not_supervisor")]
    assert (await bs_boss.send("/complaints close T1 已处理")).texts == [bot.say("complaint.not_yours", number=1)]
    assert [c.status for c in complaints(bot)] == ["open", "open"]

    # the town's supervisor closes it in one command; the villager receives the note as written
    note = "已核实，对该民警批评教育，饭局已取消"
    assert (await qs_boss.send(f"/complaints close T1 {note}")).texts == [bot.say("complaint.closed", number=1)]
    told = bot.say("complaint.closed_to_villager", number=1, note=note)
    await bot.until(lambda: told in qs_villager.replies, what="the note, to the villager")
    assert (await qs_boss.send("/complaints close 1 再说一遍")).texts == [bot.say("complaint.already_closed", number=1)]

    # without a note it is asked for; a wrong form gets the usage
    assert (await bs_boss.send("/complaints close 2")).texts == [bot.say("complaint.ask_note", number=2)]
    assert (await bs_boss.send("已电话回访，民警已道歉")).texts == [bot.say("complaint.closed", number=2)]
    assert (await bs_boss.send("/complaints 2")).texts == [
        bot.say("error.bad_arguments", usage=bot.say("usage.complaints"))]
    assert (await bs_boss.send("/complaints close T99 无")).texts == [
        bot.say("error.not_found", what=bot.say("complaint.what", number=99))]
    await bot.api.settle()
    assert about(bot.officer(1001), 1) == [] and about(bot.officer(1003), 2) == []
    assert [(c.status, c.note) for c in complaints(bot)] == [("closed", note), ("closed", "已电话回访，民警已道歉")]


async def test_a_towns_supervisor_finds_complaints_in_their_menu_and_villagers_do_not(bot: Bot):
    for boss in (SUPERVISOR_QS, SUPERVISOR_BS):
        assert "complaints" in bot.api.commands_for(scope=f"chat:{boss}")
    assert "complaints" not in bot.api.commands_for("zh", "all_private_chats")
    assert "complaints" not in bot.api.commands_for(scope="chat:1001")  # 王示例: an officer, no supervisor
