"""The alert delivery engine: exactly once across restarts, flood waits, blocked users, retries."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from bot.core.alerts_delivery import AlertEngine
from bot.core.dispatch import Blocked, Delivery, Failed, RetryLater
from bot.core.pace import Pacer
from bot.core.types import Reply
from bot.store import alerts, roster
from tests.bot.core.alert_helpers import Recorder, add_villagers, alert, deliver_all, deliveries

from .conftest import World

FIRST = 6000


def start_alert(world: World, count: int, code: str = "QS001") -> list[int]:
    """`count` villagers of `code` and a confirmed alert to them (number 1)."""
    chats = add_villagers(world.services.db, code, range(FIRST, FIRST + count))
    with world.services.db.begin() as session:
        village = roster.village_by_code(session, code)
        assert village is not None
        made = alerts.create(
            session, scope=code, text_zh="注意诈骗", text_en="", photo=None, created_by=1001, progress_chat_id=1001
        )
        assert alerts.confirm(session, made.id, [village.id]) == count
    return chats


def test_a_clean_stop_mid_delivery_and_a_new_engine_send_each_exactly_once(world: World) -> None:
    chats = start_alert(world, 30)
    recorder = Recorder()

    async def go() -> tuple[int, int]:
        first = AlertEngine(world.services, recorder, parallel=4)
        stopping: list[asyncio.Task[None]] = []
        recorder.after_send = lambda: len(recorder.sends) == 10 and stopping.append(asyncio.create_task(first.stop()))
        sent_before_restart = await first.run()
        second = AlertEngine(world.services, recorder, parallel=4)  # a restarted bot, same database
        await deliver_all(second)
        return sent_before_restart, second.sent

    before, after = asyncio.run(go())
    assert 10 <= before < 30 and before + after == 30
    assert recorder.delivered() == {chat: 1 for chat in chats}  # counted at the "Telegram" side
    assert {d.status for d in deliveries(world.services)} == {"sent"}
    assert alert(world.services, 1).status == "done"


def test_rows_a_dead_worker_claimed_go_out_when_its_lease_ends(world: World) -> None:
    chats = start_alert(world, 5)
    with world.services.db.begin() as session:  # a worker claims two rows, then dies before sending
        dead = alerts.claim_due(session, limit=2, lease=timedelta(seconds=0.5))
    recorder = Recorder()

    async def go() -> int:
        engine = AlertEngine(world.services, recorder)
        first = await engine.run()
        await asyncio.sleep(0.6)
        await deliver_all(engine)
        return first

    assert asyncio.run(go()) == 3  # the dead worker's rows were hidden until their lease ended
    assert recorder.delivered() == {chat: 1 for chat in chats}
    assert {d.attempts for d in deliveries(world.services) if d.id in {x.id for x in dead}} == {2}


def test_a_flood_wait_pauses_its_chat_then_retries_while_the_others_go_on(world: World) -> None:
    chats = start_alert(world, 6)
    flooded, hit = chats[2], []

    def rule(chat: int, tries: int) -> RetryLater | None:
        if chat == flooded and tries == 1:
            hit.append(time.monotonic())
            return RetryLater("flood", 0.4)
        return None

    recorder = Recorder(rule=rule)

    async def go() -> None:
        pacer = Pacer(100, per_chat=0)
        engine = AlertEngine(world.services, pacer.paced(recorder), parallel=1)
        await deliver_all(engine)

    asyncio.run(go())
    assert recorder.delivered() == {chat: 1 for chat in chats} and recorder.tries[flooded] == 2
    (first,), (again,) = hit, [at for chat, _, at in recorder.sends if chat == flooded]
    assert again - first >= 0.4  # the flooded chat waited its retry_after
    # one chat's 429 is that chat's (bot/core/pace.py): the others did not wait out its retry_after
    assert any(first < at < first + 0.4 for chat, _, at in recorder.sends if chat != flooded)
    assert [d.attempts for d in deliveries(world.services) if d.chat_id == flooded] == [1]  # a 429 is no attempt


def test_a_blocked_villager_is_marked_and_skipped(world: World) -> None:
    chats = start_alert(world, 4)
    blocked = chats[1]
    recorder = Recorder(
        rule=lambda chat, tries: Blocked("Forbidden: bot was blocked by the user") if chat == blocked else None
    )
    asyncio.run(deliver_all(AlertEngine(world.services, recorder, recorder.show, progress_every=0)))
    assert recorder.tries[blocked] == 1 and set(recorder.delivered()) == set(chats) - {blocked}
    assert {d.chat_id: d.status for d in deliveries(world.services)}[blocked] == "blocked"
    assert world.person(blocked) and _citizen_blocked(world, blocked)
    assert "已屏蔽 1" in recorder.shown[-1][2]


def test_network_errors_are_retried_with_backoff_then_given_up(make_world) -> None:  # noqa: ANN001
    world = make_world(CUNJING_TELEGRAM__MAX_SEND_ATTEMPTS="3")
    chats = start_alert(world, 3)
    flaky, dead, bad = chats
    answers = {flaky: RetryLater("network: Bad Gateway"), dead: RetryLater("network: timed out"), bad: Failed("bad")}

    def rule(chat: int, tries: int) -> RetryLater | Failed | None:
        if chat == flaky and tries > 2:
            return None
        return answers[chat]

    recorder = Recorder(rule=rule)
    engine = AlertEngine(world.services, recorder)
    engine.retry_base = 0.05
    asyncio.run(deliver_all(engine))
    assert recorder.tries == {flaky: 3, dead: 3, bad: 1}
    statuses = {d.chat_id: (d.status, d.attempts) for d in deliveries(world.services)}
    assert statuses == {flaky: ("sent", 3), dead: ("failed", 3), bad: ("failed", 1)}


def test_progress_edits_keep_their_pace_and_end_with_the_count(world: World) -> None:
    start_alert(world, 45)
    recorder = Recorder()

    async def go() -> None:
        engine = AlertEngine(world.services, Pacer(30, per_chat=0).paced(recorder), recorder.show, progress_every=0.3)
        await deliver_all(engine)  # 1.5 s of sending: the counts are looked at every second
        await asyncio.sleep(0.3)
        await engine.run()  # the next tick: the last edit, now that the pace allows it

    asyncio.run(go())
    texts, times = [text for *_, text, _ in recorder.shown], [at for *_, at in recorder.shown]
    assert len(texts) >= 3 and all(b - a >= 0.3 for a, b in zip(times, times[1:], strict=False))
    assert texts[0].startswith("预警 #1 · 青山村 (QS001) · 发送中") and "剩余 45" in texts[0]
    assert texts[-1].startswith("预警 #1 · 青山村 (QS001) · 已发完") and "已送达 45" in texts[-1]
    assert {message for _, message, _, _ in recorder.shown[1:]} == {777}  # one message, edited


@pytest.mark.parametrize("count", [0])
def test_an_alert_with_nobody_left_is_finished(world: World, count: int) -> None:
    with world.services.db.begin() as session:
        made = alerts.create(
            session, scope="QS004", text_zh="注意", text_en="", photo=None, created_by=9000, progress_chat_id=None
        )
        village = roster.village_by_code(session, "QS004")
        assert village is not None and alerts.confirm(session, made.id, [village.id]) == count
    asyncio.run(deliver_all(AlertEngine(world.services, Recorder())))
    assert alert(world.services, 1).status == "done"


def _citizen_blocked(world: World, user_id: int) -> bool:
    from bot.store import citizens

    with world.services.db() as session:
        found = citizens.by_user_id(session, user_id)
        return bool(found and found.blocked)


def test_a_send_is_recorded_as_started_only_once_its_turn_at_the_pacer_has_come(world: World) -> None:
    """A worker killed -9 leaves "outcome unknown" (never sent again) only on the send really under
    way: before, the ten workers each recorded their send, then waited for the pacer."""
    chats = start_alert(world, 12)
    recorder = Recorder()
    started_while_sending: list[int] = []

    async def send(chat_id: int, reply: Reply) -> Delivery:
        started_while_sending.append(sum(d.sending_since is not None for d in deliveries(world.services)))
        return await recorder(chat_id, reply)

    async def go() -> None:
        pacer = Pacer(20, per_chat=0)
        await deliver_all(AlertEngine(world.services, pacer.pausing(send), gate=pacer.slot, parallel=10))

    asyncio.run(go())
    assert recorder.delivered() == {chat: 1 for chat in chats}
    # the one being sent, and at most the one before it whose "sent" is still being written (on
    # PostgreSQL that commit may trail the next slot); before, all ten waiting were marked started
    assert max(started_while_sending) <= 2


def test_an_engine_whose_worker_does_not_hold_the_send_lease_sends_nothing(world: World) -> None:
    chats = start_alert(world, 3)
    recorder = Recorder()
    holds = [False]

    async def go() -> tuple[int, int]:
        engine = AlertEngine(world.services, recorder, holding=lambda: holds[0])
        idle = await engine.run()
        holds[0] = True  # the lease is taken (another worker died)
        await deliver_all(engine)
        return idle, engine.sent

    assert asyncio.run(go()) == (0, 3)
    assert recorder.delivered() == {chat: 1 for chat in chats}
