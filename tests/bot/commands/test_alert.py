"""`cunjing alert` without a bot: it asks, stores the job, refuses bad input, draws the progress."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.commands import alert
from bot.core.alerts_delivery import AlertEngine
from bot.services import KnowledgeHolder, Services
from bot.settings import PROJECT_ROOT, DatabaseSettings, load_settings
from bot.store import alerts
from bot.store.demo import load_demo
from tests.bot.core.alert_helpers import Recorder, add_villagers, deliver_all


@pytest.fixture
def cli_db(
    database: DatabaseSettings, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> sessionmaker[Session]:
    """The demo roster, three villagers of QS001, and the command line pointed at this database."""
    load_demo(factory)
    add_villagers(factory, "QS001", range(5001, 5004))
    monkeypatch.setenv("CUNJING_DATABASE__URL", database.effective_url)
    monkeypatch.setenv("CUNJING_TELEGRAM__ADMINS", "[42, 43]")
    return factory


def stored(factory: sessionmaker[Session]) -> list[tuple[str, str, str, int]]:
    with factory() as session:
        found = [alerts.get(session, n) for n in (1, 2)]
        return [(a.status, a.text_zh, a.text_en, a.created_by) for a in found if a is not None]


class Terminal(io.StringIO):
    """What the administrator types at a terminal."""

    def isatty(self) -> bool:
        return True


def test_asks_and_stores_nothing_when_told_no(cli_db, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    assert main(["alert", "QS001", "--text", "注意冒充公安"]) == 1
    out = capsys.readouterr().out
    assert "Alert to 青山村 (QS001): 3 recipients (3 Chinese, 0 English)" in out
    assert "Send it to 3 villagers? [y/N] Not sent." in out
    assert stored(cli_db) == []


def test_sends_when_told_yes_at_the_terminal(cli_db, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert main(["alert", "QS001", "--text", "注意冒充公安", "--no-follow"]) == 0
    assert "Alert #1 stored: 3 recipients" in capsys.readouterr().out
    assert [a[0] for a in stored(cli_db)] == ["sending"]


def test_without_a_terminal_it_says_to_pass_yes(cli_db, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys, "stdin", Terminal(""))  # the input ends at once: Ctrl-D
    assert main(["alert", "QS001", "--text", "注意冒充公安"]) == 2
    result = subprocess.run(  # a script or a cron job: stdin is no terminal
        [sys.executable, "-m", "bot", "alert", "QS001", "--text", "注意冒充公安"],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 2
    for err in (capsys.readouterr().err, result.stderr):
        assert err == "cunjing: cannot ask for confirmation (no terminal, or its input ended): pass --yes to send\n"
    assert stored(cli_db) == []


def test_queues_without_following(cli_db, capsys) -> None:  # noqa: ANN001
    assert (
        main(["alert", "QS001", "--text", "注意冒充公安", "--en", "Fake police", "--yes", "--no-follow", "--as", "43"])
        == 0
    )
    assert "Alert #1 stored: 3 recipients" in capsys.readouterr().out
    assert stored(cli_db) == [("sending", "注意冒充公安", "Fake police", 43)]
    assert delivery_count(cli_db) == 3


def test_refuses_bad_input(cli_db, capsys) -> None:  # noqa: ANN001
    assert main(["alert", "XX9", "--text", "注意", "--yes"]) == 2
    assert main(["alert", "QS001", "--text", "  ", "--yes"]) == 2
    assert main(["alert", "QS001", "--text", "注意", "--yes", "--as", "7"]) == 2
    assert main(["alert", "QS004", "--text", "注意", "--yes"]) == 1  # nobody registered there
    err = capsys.readouterr().err
    assert "XX9: not a village code, a town name or all" in err and "no text" in err and "--as 7" in err
    assert stored(cli_db) == []


def test_follows_until_done(cli_db, capsys) -> None:  # noqa: ANN001
    assert main(["alert", "QS001", "--text", "注意冒充公安", "--yes", "--no-follow"]) == 0
    settings = load_settings()
    services = Services(settings, KnowledgeHolder(settings), cli_db)
    asyncio.run(deliver_all(AlertEngine(services, Recorder())))  # the bot, meanwhile
    capsys.readouterr()
    assert alert.follow(cli_db, services.knowledge().faq, 1, sys.stdout) == 0
    out = capsys.readouterr().out
    assert "[▓▓▓▓▓▓▓▓▓▓▓▓ 100%] 3/3 · sent 3 · failed 0 · blocked 0 · left 0" in out and "Alert #1 is done." in out


def delivery_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return alerts.counts(session, 1).total
