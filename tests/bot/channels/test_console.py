import io
import os
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def database_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CUNJING_DATABASE__PATH", str(tmp_path / "chat.sqlite3"))


def chat(lines: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args],
        cwd=PROJECT_ROOT, input=lines.encode(), capture_output=True, timeout=120, env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode("utf-8")


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


def test_the_whole_loop_in_the_console_on_the_demo_roster():
    out = chat("身份证丢了怎么办\n1\n上周在集市上丢的\n13812345678\n", "--village", "QS001")
    assert "→ [chat 1001] 请求 #1" in out  # shown as sent to the officer
    assert "已提交，编号 #1" in out
    officer = chat("/accept 1\n", "--user", "1001")
    assert "已受理 #1" in officer and "→ [chat 1] 您的请求 #1 已由民警 王示例 受理。" in officer
