"""Several bot workers (`cunjing run` in webhook mode) behind one reverse proxy, sharing one
PostgreSQL, as a station past one machine runs them; and an alert to many villagers to send."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import DatabaseSettings
from bot.store import alerts, roster, send_lease
from bot.store.models import Citizen
from bot.store.models_outreach import Alert
from bot.store.types import utcnow
from tests.fakes import FakeBotApi
from tests.fakes.webhook import WebhookProxy, free_port

from .as_run import bot_process

PUBLIC = "https://cunjing.example/telegram"
ADMIN = 9001
FIRST = 1_000_000  # the villagers' user ids


@contextlib.contextmanager
def workers(
    api: FakeBotApi, tmp_path: Path, database: DatabaseSettings, count: int, **settings: str
) -> Iterator[tuple[list[subprocess.Popen[bytes]], list[str]]]:
    """`count` workers on `database` (migrated, the demo roster loaded by the first), each with a
    listener of its own: the processes and their listeners' addresses, for a `WebhookProxy`."""
    ports = [free_port() for _ in range(count)]
    with contextlib.ExitStack() as stack:
        processes = []
        for n, port in enumerate(ports):
            env = {
                "CUNJING_TELEGRAM__MODE": "webhook",
                "CUNJING_TELEGRAM__WEBHOOK_URL": PUBLIC,
                "CUNJING_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
                "CUNJING_TELEGRAM__WEBHOOK_PORT": str(port),
                "CUNJING_TELEGRAM__CORE_PROCESS": "false",
                "CUNJING_TELEGRAM__ADMINS": f"[{ADMIN}]",
                **settings,
            }
            home = tmp_path / f"worker{n}"
            home.mkdir(parents=True)
            processes.append(stack.enter_context(bot_process(api, home, database=database, roster=n == 0, **env)))
        yield processes, [f"http://127.0.0.1:{port}" for port in ports]


def proxy(api: FakeBotApi, listeners: list[str], connections: int = 1) -> WebhookProxy:
    """Telegram through the station's reverse proxy: the workers' listeners in turn."""
    return WebhookProxy(api, PUBLIC, listeners, connections)


def add_villagers(factory: sessionmaker[Session], count: int, first: int = FIRST) -> list[int]:
    """`count` villagers spread over the demo villages; their chat ids."""
    with factory.begin() as session:
        villages = [v.id for v in roster.all_villages(session)]
        ids = list(range(first, first + count))
        rows = [
            {"user_id": uid, "chat_id": uid, "village_id": villages[uid % len(villages)], "lang": "zh",
             "blocked": False, "alerts_opt_in": True, "name": f"村民{uid}", "created_at": utcnow()}
            for uid in ids
        ]
        for start in range(0, len(rows), 5000):
            session.execute(insert(Citizen), rows[start : start + 5000])
    return ids


def queue_alert(factory: sessionmaker[Session]) -> int:
    """An alert to the whole county, as `cunjing alert all --yes` stores it."""
    with factory.begin() as session:
        villages = alerts.scope_villages(session, "all") or []
        made = alerts.create(
            session, scope="all", text_zh="近期有人冒充公安打电话，要求把钱转到“安全账户”，都是诈骗。",
            text_en="Callers posing as police ask you to move money to a 'safe account': it is a scam.",
            photo=None, created_by=ADMIN, progress_chat_id=ADMIN,
        )
        alerts.confirm(session, made.id, [v.id for v in villages])
        return made.id


def alert_status(factory: sessionmaker[Session], number: int) -> str:
    with factory() as session:
        found = session.get(Alert, number)
        return found.status if found else "?"


def lease_holder_pid(factory: sessionmaker[Session]) -> int | None:
    """The process id of the worker holding the send lease (its holder is host:pid:random)."""
    with factory() as session:
        holder = send_lease.holder(session)
    return int(holder.split(":")[1]) if holder else None
