import io
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.core.types import Reply
from bot.settings import PROJECT_ROOT, DatabaseSettings
from bot.store import db, outbox
from bot.store.demo import load_demo
from bot.store.models import Outbox
from bot.store.outbox import Outgoing


@pytest.fixture(autouse=True)
def database_file(tmp_path, monkeypatch):
    """The configured (live) database; the console's demo database is console-demo.sqlite3 beside it."""
    monkeypatch.setenv("CUNJING_DATABASE__PATH", str(tmp_path / "chat.sqlite3"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def run_cunjing(lines: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        input=lines,
        capture_output=True,
        timeout=120,
        env=os.environ.copy(),
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    return result


def chat(lines: str, *args: str) -> str:
    return run_cunjing(lines, "chat", *args).stdout


def database(path):
    """A migrated database file with the demo roster, and three pending messages: an officer's card,
    another officer's card and a notice to villager 1."""
    factory = db.session_factory(db.make_engine(DatabaseSettings(path=path)))
    db.upgrade(factory.kw["bind"])
    load_demo(factory)
    with factory.begin() as session:
        for key, chat_id, text in [
            ("request:7:card:1001", 1001, "请求 #7 电话：13912345678"),
            ("request:8:card:1002", 1002, "请求 #8 电话：13700001111"),
            ("request:6:accepted", 1, "您的请求 #6 已由民警 王示例 受理。"),
        ]:
            assert outbox.enqueue(session, Outgoing(key, chat_id, outbox.payload(Reply(text)), key.rsplit(":", 2)[0]))
    return factory


def rows(factory) -> dict[str, tuple]:
    """Every outbox row: its status, attempts, when it is next due and its error."""
    with factory() as session:
        found = session.scalars(select(Outbox))
        return {r.dedupe_key: (r.chat_id, r.status, r.attempts, r.next_attempt_at, r.last_error) for r in found}


def test_a_console_conversation_with_buttons():
    out = chat("明天县城的菜市场猪肉多少钱一斤\n1\n")
    assert "您是不是想问" in out
    assert "  [1] " in out and "  [4] 问驻村民警" in out
    # pressing 1 answers the first suggestion
    first = out.split("  [1] ")[1].splitlines()[0]
    assert f"【{first}】" in out


def test_the_console_speaks_english_when_asked():
    out = chat("/help\n", "--lang", "en")
    assert "Cunjing console chat" in out and "/request KIND TEXT" in out


def test_console_renders_through_the_same_core():
    from bot.channels.console import ConsoleChat
    from bot.core.types import Button, Outcome

    seen = []
    out = io.StringIO()
    console = ConsoleChat(lambda m: seen.append(m) or Outcome.text("ok", (Button("A", "a:1"),)), out=out)
    console.run(["hello", "1", "/start QS001"])
    assert [m.kind for m in seen] == ["text", "button", "command"]
    assert seen[1].button == "a:1" and seen[2].command == "start" and seen[2].args == ("QS001",)


def test_the_console_names_a_file_it_cannot_hand_over():
    from bot.channels.console import ConsoleChat
    from bot.core.types import Outcome

    out = io.StringIO()
    workbook = Reply("📎 完整报告", document="var/reports/report.xlsx")
    ConsoleChat(lambda m: Outcome((workbook,)), out=out).run(["/report"])
    assert "[file: var/reports/report.xlsx]\n📎 完整报告" in out.getvalue()


def test_the_whole_loop_in_the_console_on_the_demo_roster(tmp_path):
    out = chat("身份证丢了怎么办\n3\n上周在集市上丢的\n13812345678\n", "--village", "QS001")
    # the officer's card is shown as queued, masked, and left for the officer
    assert "⋯ 已排队，待发给 chat 1001（此处不发送；cunjing chat --user 1001 可查看）：\n    请求 #1" in out
    assert "电话：138****5678" in out and "13812345678" not in out
    assert "已提交，编号 #1" in out
    officer = chat("/accept 1\n", "--user", "1001")
    assert officer.startswith("请求 #1\n") and "电话：13812345678" in officer  # the officer's own card, in full
    assert (
        "已受理 #1" in officer and "待发给 chat 1（" in officer and "    您的请求 #1 已由民警 王示例 受理。" in officer
    )
    villager = chat("/myrequests\n")
    assert villager.startswith("您的请求 #1 已由民警 王示例 受理。\n")  # delivered when the villager comes back
    assert not (tmp_path / "chat.sqlite3").exists()


def test_the_console_runs_on_its_own_demo_database_unless_asked(tmp_path):
    live = tmp_path / "chat.sqlite3"
    out = chat("/start QS001\n")
    assert "已登记您所在的村：青山村" in out  # the demo roster, in the console's own database
    assert (tmp_path / "console-demo.sqlite3").exists() and not live.exists()
    database(live)
    before = live.read_bytes()
    out = run_cunjing("身份证丢了怎么办\n3\n上周在集市上丢的\n13812345678\n", "run").stdout
    assert "TELEGRAM_BOT_TOKEN is not set" in out and "已提交，编号 #1" in out
    assert "请求 #7" not in out and "您的请求 #6" not in out
    assert live.read_bytes() == before  # the live database was not even opened


def test_a_console_on_the_live_database_takes_only_its_users_messages(tmp_path):
    factory = database(tmp_path / "chat.sqlite3")
    before = rows(factory)
    result = run_cunjing(
        "身份证丢了怎么办\n3\n上周在集市上丢的\n13812345678\n", "chat", "--village", "QS001", "--live-db"
    )
    (warning,) = [line for line in result.stderr.splitlines() if "配置的数据库" in line]  # one line
    assert warning.startswith("注意：命令行对话正在使用配置的数据库 sqlite:///") and "chat 1 的消息" in warning
    out = result.stdout
    assert "您的请求 #6 已由民警 王示例 受理。" in out  # the villager's own message
    assert "已提交，编号 #1" in out
    assert "请求 #7" not in out and "chat 1001" not in out and "1391234" not in out  # nobody else's
    after = rows(factory)
    assert after["request:6:accepted"][1:3] == ("sent", 1)
    # the officers' cards, the old ones and the one just queued, are pending as the bot left them
    assert after["request:7:card:1001"] == before["request:7:card:1001"]
    assert after["request:8:card:1002"] == before["request:8:card:1002"]
    new = [v for k, v in after.items() if k not in before]
    assert new and all(v[0] == 1001 and v[1:3] == ("pending", 0) and v[4] is None for v in new)


def test_an_officers_console_shows_and_sends_only_the_officers_messages(tmp_path):
    factory = database(tmp_path / "console-demo.sqlite3")
    before = rows(factory)
    out = chat("/queue\n", "--user", "1001")
    assert out.startswith("请求 #7 电话：13912345678\n")  # the officer's own card, as sent
    assert "请求 #8" not in out and "您的请求 #6" not in out and "1370000" not in out
    after = rows(factory)
    assert after["request:7:card:1001"][1:3] == ("sent", 1)
    assert after["request:8:card:1002"] == before["request:8:card:1002"]
    assert after["request:6:accepted"] == before["request:6:accepted"]


UNREADABLE = "这一行读不出来"


def test_a_line_that_is_no_text_gets_a_reply_and_the_chat_goes_on():
    from bot.channels.console import ConsoleChat
    from bot.core.types import Outcome

    seen, out = [], io.StringIO()
    console = ConsoleChat(lambda m: seen.append(m.text) or Outcome.text("ok"), out=out, encoding="utf-8")
    typed = io.BytesIO("\ufeff你好\n".encode() + b"\xff\xfe\n" + "身份".encode() + b"\xe8\xaf\n/help\r\n")
    console.run(typed, unreadable="unreadable!")
    assert seen == ["你好", "/help"]  # the byte order mark dropped; the two bad lines never reach the core
    assert out.getvalue() == "> ok\n> unreadable!\n> unreadable!\n> ok\n> \n"


def test_the_console_survives_invalid_utf8_and_a_paste_cut_mid_character():
    cut = "身份证丢了".encode()[:-1]  # the last character cut in half
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        cwd=PROJECT_ROOT,
        input=b"\xff\xfe hello\n" + cut + b"\n/help\n",
        capture_output=True,
        timeout=120,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode("utf-8")
    assert out.count(UNREADABLE) == 2 and "/myrequests" in out  # then /help is answered
    assert b"Traceback" not in result.stderr


def test_a_typed_number_presses_a_button_and_a_digit_that_is_not_ascii_is_text():
    from bot.channels.console import ConsoleChat
    from bot.core.types import Button, Outcome

    console = ConsoleChat(lambda msg: Outcome(), out=io.StringIO())
    console.buttons = [Button("中文", "lang:zh"), Button("English", "lang:en")]
    assert console.incoming("2").button == "lang:en"
    assert console.incoming("①").text == "①" and console.incoming("①").button is None  # int("①") would raise
    assert console.incoming("²").button is None and console.incoming("3").button is None
