"""The pacer: evenly spaced sends, never more than the limit within a period, a gap per chat, pauses."""

from __future__ import annotations

import asyncio
import time

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


def test_a_flood_wait_pauses_every_chat() -> None:
    async def go() -> list[float]:
        pacer = Pacer(1000, per_chat=0)
        at: list[float] = []
        first = True

        async def send(chat: int, reply: Reply) -> Delivery:
            nonlocal first
            at.append(time.monotonic())
            if first:
                first = False
                return RetryLater("flood", 0.3)
            return Sent(1)

        paced = pacer.paced(send)
        await paced(1, Reply("x"))
        await asyncio.gather(*(paced(c, Reply("x")) for c in (2, 3, 4)))
        return at

    at = asyncio.run(go())
    assert at[1] - at[0] >= 0.3 - 1e-3 and len(at) == 4
