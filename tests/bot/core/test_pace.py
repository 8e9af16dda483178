"""The pacer: evenly spaced sends, never more than the limit within a period, a gap per chat, pauses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.core.dispatch import Delivery, RetryLater, Sent
from bot.core.pace import Pacer
from bot.core.types import Reply


async def timed_sends(pacer: Pacer, chats: list[int], latency: float = 0.0) -> list[tuple[int, float, float]]:
    """Send to each chat at once through the pacer; (chat, start, end) of each send."""
    done: list[tuple[int, float, float]] = []

    async def one(chat: int) -> None:
        async with pacer.slot(chat):
            start = time.monotonic()
            await asyncio.sleep(latency)
            done.append((chat, start, time.monotonic()))

    await asyncio.gather(*(one(c) for c in chats))
    return sorted(done, key=lambda d: d[1])


def test_never_more_than_the_limit_within_a_period() -> None:
    # 100 a second over a 0.1 s period: at most 10 sends start within 0.1 s of an earlier one's end
    pacer = Pacer(100, per_chat=0, period=0.1)
    sends = asyncio.run(timed_sends(pacer, list(range(40)), latency=0.004))
    starts = [s for _, s, _ in sends]
    for i in range(10, len(sends)):
        assert starts[i] - sends[i - 10][2] >= 0.1 - 1e-6  # counted from ends, as the server would see them
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.01 - 1e-3  # evenly spaced, no burst
    # and not throttled beyond the limit: 39 sends at ~100/s take ~0.4 s; a pacer waiting a whole
    # period per send would take 3.9 s. The slack is for a loaded CI machine, not for the pacer.
    assert starts[-1] - starts[0] < 1.5


def test_one_chat_waits_for_its_gap() -> None:
    pacer = Pacer(1000, per_chat=0.1)
    sends = asyncio.run(timed_sends(pacer, [7, 7, 7, 8], latency=0.01))
    sevens = [(s, e) for chat, s, e in sends if chat == 7]
    assert all(b[0] - a[1] >= 0.1 - 1e-3 for a, b in zip(sevens, sevens[1:], strict=False))
    assert [c for c, _, _ in sends][:2] == [7, 8]  # another chat does not wait behind chat 7


class FakeClock:
    """The pacer's clock, which `skip` moves ahead by hand: what a pause holds is read off, not timed."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.skipped

    def skip(self, seconds: float) -> None:
        self.skipped += seconds


def limited_once(chats: set[int], after: float = 30.0) -> Callable[[int, Reply], Awaitable[Delivery]]:
    """A Bot API that answers 429 (retry_after `after`) to the first message to each of `chats`."""
    met: set[int] = set()

    async def send(chat: int, reply: Reply) -> Delivery:
        if chat in chats and chat not in met:
            met.add(chat)
            return RetryLater("flood", after)
        return Sent(1)

    return send


def test_a_flood_wait_pauses_its_own_chat_only() -> None:
    async def go() -> None:
        clock = FakeClock()
        pacer = Pacer(1000, per_chat=0, clock=clock, period=0.02)
        paced = pacer.paced(limited_once({-100}))
        assert await paced(-100, Reply("to the group")) == RetryLater("flood", 30.0)  # its per-minute limit
        # a villager and an officer are sent to at once: nothing waits for the group's 30 s
        assert await asyncio.gather(paced(5001, Reply("answer")), paced(1001, Reply("card"))) == [Sent(1), Sent(1)]
        assert pacer.paused_until < clock()
        # the group itself waits its 30 s out
        to_group = asyncio.create_task(paced(-100, Reply("again")))
        await asyncio.sleep(0.05)
        assert not to_group.done()
        clock.skip(30)
        assert await to_group == Sent(1)

    asyncio.run(go())


def test_several_chats_limited_at_once_pause_every_chat() -> None:
    async def go() -> None:
        clock = FakeClock()
        pacer = Pacer(1000, per_chat=0, clock=clock, period=0.02)
        paced = pacer.paced(limited_once({1, 2, 3}, after=5.0))
        assert [await paced(c, Reply("x")) for c in (1, 2)] == [RetryLater("flood", 5.0)] * 2
        assert pacer.paused_until < clock()  # two chats: their own limits still
        assert await paced(3, Reply("x")) == RetryLater("flood", 5.0)
        assert pacer.paused_until > clock() + 4.5  # the third at once: the bot's overall limit
        other = asyncio.create_task(paced(4, Reply("x")))
        await asyncio.sleep(0.05)
        assert not other.done()  # a chat never limited waits too
        clock.skip(5)
        assert await other == Sent(1)

    asyncio.run(go())


def test_chats_limited_one_after_another_stay_their_own() -> None:
    async def go() -> None:
        clock = FakeClock()
        pacer = Pacer(1000, per_chat=0, clock=clock, period=0.02)
        paced = pacer.paced(limited_once({1, 2, 3}, after=5.0))
        for chat in (1, 2, 3):
            await paced(chat, Reply("x"))
            clock.skip(6)  # each pause over before the next 429
        assert pacer.paused_until < clock()

    asyncio.run(go())
