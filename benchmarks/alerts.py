"""How fast an alert reaches a county, within Telegram's limits, and exactly once across a restart.

Run by hand: `.venv/bin/python benchmarks/alerts.py [--recipients 20000] [--interrupt-at 0.4]`.
The real bot (`build_app`, its job queue, pacer and alert engine) sends through the fake Bot API
with Telegram's limits enforced (30 messages a second overall, 1 a second per chat, 429 beyond),
on a temporary SQLite database of `--recipients` villagers. The bot is stopped cleanly part way
(as Ctrl-C or a redeploy would) and a new one resumes; every message is counted at the fake.
20,000 recipients take about 11 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bot.channels.telegram.app import build_app  # noqa: E402
from bot.logs import setup_logging  # noqa: E402
from bot.services import Knowledge  # noqa: E402
from bot.settings import Settings, load_settings  # noqa: E402
from bot.store import alerts, db, roster  # noqa: E402
from bot.store.demo import load_demo  # noqa: E402
from bot.store.models import Citizen  # noqa: E402
from bot.store.models_outreach import Alert  # noqa: E402
from bot.store.types import utcnow  # noqa: E402
from tests.fakes import FakeBotApi  # noqa: E402

ADMIN = 9001
FIRST = 1_000_000  # villagers' user ids
TARGET = 28.0  # messages per second, sustained


def add_villagers(factory: sessionmaker[Session], count: int) -> None:
    """`count` villagers spread over the demo villages, one in ten reading English."""
    with factory.begin() as session:
        villages = [v.id for v in roster.all_villages(session)]
        rows = [
            {
                "user_id": uid,
                "chat_id": uid,
                "village_id": villages[uid % len(villages)],
                "lang": "en" if uid % 10 == 0 else "zh",
                "blocked": False,
                "alerts_opt_in": True,
                "name": f"村民{uid}",
                "created_at": utcnow(),
            }
            for uid in range(FIRST, FIRST + count)
        ]
        for start in range(0, len(rows), 5000):
            session.execute(insert(Citizen), rows[start : start + 5000])


def queue_alert(factory: sessionmaker[Session]) -> int:
    """An alert to the whole county, stored as `cunjing alert all --yes` stores it."""
    with factory.begin() as session:
        villages = alerts.scope_villages(session, "all") or []
        made = alerts.create(
            session,
            scope="all",
            text_zh="近期有人冒充公安打电话，要求把钱转到“安全账户”，都是诈骗。",
            text_en="Callers posing as police ask you to move money to a 'safe account': it is a scam.",
            photo=None,
            created_by=ADMIN,
            progress_chat_id=ADMIN,
        )
        alerts.confirm(session, made.id, [v.id for v in villages])
        return made.id


def status(factory: sessionmaker[Session], number: int) -> str:
    with factory() as session:
        found = session.get(Alert, number)
        return found.status if found else "?"


def to_villagers(api: FakeBotApi) -> list[float]:
    """When each alert message reached the fake (the progress and final messages left out)."""
    return [m.sent_at for m in api.messages if m.chat_id >= FIRST]


async def run_bot(api: FakeBotApi, settings: Settings, knowledge: Knowledge, until: object) -> None:
    """The real bot, polling the fake, until `until()` is true."""
    app = build_app(settings, knowledge)
    async with api.running(app, poll_timeout=1):
        while not until():  # type: ignore[operator]
            await asyncio.sleep(0.2)


def rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


def busiest_second(times: list[float]) -> int:
    """The most messages that reached the fake within any one second."""
    times, most, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def bench(count: int, interrupt_at: float, workdir: Path) -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    async with FakeBotApi(enforce_limits=True, strict_chats=False) as api:
        env = {
            "TELEGRAM_BOT_TOKEN": api.token,
            "CUNJING_TELEGRAM__BASE_URL": api.base_url,
            "CUNJING_TELEGRAM__BASE_FILE_URL": api.base_file_url,
            "CUNJING_TELEGRAM__ADMINS": f"[{ADMIN}]",
            "CUNJING_DATABASE__PATH": str(workdir / "bench.sqlite3"),
        }
        settings = load_settings(env=env)
        engine = db.make_engine(settings.database)
        db.upgrade(engine)
        factory = db.session_factory(engine)
        load_demo(factory)
        add_villagers(factory, count)
        api.user(ADMIN, "管理员")
        knowledge = Knowledge.load(settings)
        number = queue_alert(factory)
        print(f"{count} recipients; the bot is stopped after {int(count * interrupt_at)} and started again")

        started = time.monotonic()
        await run_bot(api, settings, knowledge, lambda: len(to_villagers(api)) >= count * interrupt_at)
        first = to_villagers(api)
        restart = time.monotonic()
        await run_bot(api, settings, knowledge, lambda: status(factory, number) == "done")
        took = time.monotonic() - started
        engine.dispose()

    times = to_villagers(api)
    second = times[len(first) :]
    per_chat = Counter(m.chat_id for m in api.messages if m.chat_id >= FIRST)
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    missing = count - len(per_chat)
    sending = (times[-1] - times[0]) - (second[0] - first[-1] if first and second else 0.0)
    sustained = (len(times) - 1) / sending if sending > 0 else 0.0
    rows = [
        ("recipients", f"{count}"),
        ("delivered (distinct chats at the fake)", f"{len(per_chat)}"),
        ("duplicates / missing", f"{duplicates} / {missing}"),
        ("429 answers (limit hits)", f"{api.count_429} ({len(api.limit_hits)})"),
        ("busiest second at the fake", f"{busiest_second(times)} messages"),
        ("sustained rate, first run", f"{rate(first):.2f} msg/s ({len(first)} messages)"),
        ("sustained rate, resumed run", f"{rate(second):.2f} msg/s ({len(second)} messages)"),
        ("sustained rate, both (restart gap left out)", f"{sustained:.2f} msg/s"),
        ("restart gap (stop, start, first send)", f"{second[0] - first[-1]:.1f} s" if first and second else "-"),
        ("wall time", f"{took:.0f} s (the first run stopped at {restart - started:.0f} s)"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    ok = duplicates == 0 and missing == 0 and api.count_429 == 0 and sustained >= TARGET
    print(f"target ≥ {TARGET} msg/s, no 429, no duplicate, nobody missed: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--interrupt-at", type=float, default=0.4, help="share sent before the restart")
    args = parser.parse_args()
    setup_logging(logging.ERROR)
    with tempfile.TemporaryDirectory() as workdir:
        return asyncio.run(bench(args.recipients, args.interrupt_at, Path(workdir)))


if __name__ == "__main__":
    sys.exit(main())
