"""Several villagers served at once; one villager's updates strictly in the order they came."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.channels.telegram.ordering import PerUserOrder

STARTED = "started"
DONE = "done"


def text_update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "村民", is_bot=False)
    message = Message(update_id, None, Chat(user_id, Chat.PRIVATE), from_user=user, text="在吗")  # type: ignore[arg-type]
    return Update(update_id, message=message)


class Handlers:
    """Handlers that log when they start and end, each held until the test releases it."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int]] = []
        self.release: dict[int, asyncio.Event] = {}

    async def handle(self, update_id: int) -> None:
        self.log.append((STARTED, update_id))
        await self.release.setdefault(update_id, asyncio.Event()).wait()
        self.log.append((DONE, update_id))

    def started(self) -> list[int]:
        return [u for event, u in self.log if event == STARTED]


async def feed(processor: PerUserOrder, handlers: Handlers, updates: list[Update]) -> list[asyncio.Task[None]]:
    tasks = [
        asyncio.create_task(processor.process_update(update, handlers.handle(update.update_id))) for update in updates
    ]
    for _ in range(5):  # let every task run up to where it waits
        await asyncio.sleep(0)
    return tasks


async def test_other_villagers_are_served_while_one_waits() -> None:
    handlers = Handlers()
    processor = PerUserOrder(4)
    # villager 7 sends two messages, then villagers 8 and 9 one each
    updates = [text_update(1, 7), text_update(2, 7), text_update(3, 8), text_update(4, 9)]
    tasks = await feed(processor, handlers, updates)
    assert handlers.started() == [1, 3, 4]  # 7's second message waits for the first

    handlers.release[3].set()
    await tasks[2]
    assert (DONE, 3) in handlers.log and (STARTED, 2) not in handlers.log

    handlers.release[1].set()
    await tasks[0]
    for _ in range(5):
        await asyncio.sleep(0)
    assert handlers.started() == [1, 3, 4, 2]
    for event in handlers.release.values():
        event.set()
    await asyncio.gather(*tasks)
    assert handlers.log.index((DONE, 1)) < handlers.log.index((STARTED, 2))


async def test_one_villagers_messages_run_in_the_order_they_came() -> None:
    handlers = Handlers()
    processor = PerUserOrder(16)
    tasks = await feed(processor, handlers, [text_update(i, 7) for i in range(1, 6)])
    for update_id in range(1, 6):
        assert handlers.started()[-1] == update_id and len(handlers.started()) == update_id
        handlers.release[update_id].set()
        await tasks[update_id - 1]
        for _ in range(5):
            await asyncio.sleep(0)
    assert [u for event, u in handlers.log if event == DONE] == [1, 2, 3, 4, 5]


async def test_no_more_than_the_limit_at_once() -> None:
    handlers = Handlers()
    processor = PerUserOrder(2)
    tasks = await feed(processor, handlers, [text_update(i, 100 + i) for i in range(1, 5)])
    assert handlers.started() == [1, 2]  # four villagers, two at a time
    handlers.release[1].set()
    await tasks[0]
    for _ in range(5):
        await asyncio.sleep(0)
    assert handlers.started() == [1, 2, 3]
    for i in (2, 3, 4):
        handlers.release.setdefault(i, asyncio.Event()).set()
    await asyncio.gather(*tasks)
    assert sorted(u for event, u in handlers.log if event == DONE) == [1, 2, 3, 4]


async def test_a_flooding_villagers_waiting_updates_hold_no_slot() -> None:
    handlers = Handlers()
    processor = PerUserOrder(4)
    # villager 7 sends ten messages at once, then villager 8 asks one question
    tasks = await feed(processor, handlers, [*(text_update(i, 7) for i in range(1, 11)), text_update(11, 8)])
    assert handlers.started() == [1, 11]  # 8 is served now, not after 7's queue
    assert processor.current_concurrent_updates == 2
    for i in range(1, 12):
        handlers.release.setdefault(i, asyncio.Event()).set()
    await asyncio.gather(*tasks)
    assert [u for event, u in handlers.log if event == DONE and u != 11] == list(range(1, 11))
    assert processor.current_concurrent_updates == 0


async def test_a_long_line_is_told_once_to_slow_down_and_every_update_is_still_handled() -> None:
    handlers, told = Handlers(), []
    processor = PerUserOrder(4, flood_after=3)

    async def tell(update: Update) -> None:
        told.append(update.update_id)

    processor.on_flood = tell
    tasks = await feed(processor, handlers, [text_update(i, 7) for i in range(1, 9)])
    assert told == [4]  # the fourth one waiting: told once, not for the fifth to eighth
    for i in range(1, 9):
        handlers.release.setdefault(i, asyncio.Event()).set()
    await asyncio.gather(*tasks)
    assert [u for event, u in handlers.log if event == DONE] == list(range(1, 9))

    # the line emptied: a new flood later is a new notice
    tasks = await feed(processor, handlers, [text_update(i, 7) for i in range(9, 14)])
    assert told == [4, 12]
    for i in range(9, 14):
        handlers.release.setdefault(i, asyncio.Event()).set()
    await asyncio.gather(*tasks)
