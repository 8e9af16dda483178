"""`cunjing check` end to end: JSON lines in, one verdict line out per input line, in order."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.settings import PROJECT_ROOT

FAQ = PROJECT_ROOT / "faq"
OTP = "【微信】验证码：618240，5分钟内有效。请勿将验证码告知他人。"


def run_check(stdin: bytes, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "check", "--faq", str(FAQ), *args],
        input=stdin,
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
    )


def test_good_bad_and_empty_lines_each_get_one_answer_in_order():
    lines = [
        json.dumps({"text": "请把钱转到安全账户，配合调查"}, ensure_ascii=False),
        "this is not json",
        "",
        json.dumps({"id": "m4", "text": OTP}, ensure_ascii=False),
        json.dumps({"message": "no text key"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": 42}),
        json.dumps({"text": ""}),
    ]
    result = run_check(("\n".join(lines) + "\n").encode("utf-8"))
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines)

    scam, bad_json, empty, safe, no_text, a_list, not_text, blank = out
    assert scam["verdict"] == "scam" and scam["scam"] is True
    assert scam["text"] == "请把钱转到安全账户，配合调查"
    assert scam["type"] == "fraud.impersonate_police"
    assert 0.0 <= scam["risk"] <= 1.0
    assert {"code": "safe_account"}.items() <= scam["reasons"][0].items()
    assert set(scam["reasons"][0]) == {"code", "zh", "en"}
    assert bad_json["line"] == 2 and "JSON" in bad_json["error"]
    assert empty["line"] == 3 and "error" in empty
    assert safe["id"] == "m4" and safe["verdict"] == "safe" and safe["scam"] is False and safe["type"] is None
    for number, answer in ((5, no_text), (6, a_list), (7, not_text)):
        assert answer["line"] == number and "error" in answer
    assert blank["verdict"] == "safe" and blank["reasons"] == []


def test_output_is_utf8_whatever_the_locale():
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii"}
    result = run_check(json.dumps({"text": "中奖了！先交手续费"}, ensure_ascii=False).encode("utf-8") + b"\n", env=env)
    assert result.returncode == 0, result.stderr.decode()
    line = result.stdout.decode("utf-8")
    assert "中奖了" in line  # not \u escapes: ensure_ascii is off
    assert json.loads(line)["text"] == "中奖了！先交手续费"


def test_broken_bytes_and_lone_surrogates_do_not_stop_the_run():
    stdin = b'{"text": "\\ud800 lone surrogate"}\n' + b"\xff\xfe not utf-8\n" + b'{"text": "ok"}\n'
    result = run_check(stdin)
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == 3
    assert out[0]["text"] == "\ud800 lone surrogate" and out[0]["verdict"] == "safe"
    assert "error" in out[1]
    assert out[2]["text"] == "ok"


def test_answers_come_line_by_line_while_input_is_still_open():
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "check", "--faq", str(FAQ)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for text in ("第一条", "第二条"):
            process.stdin.write(json.dumps({"text": text}).encode() + b"\n")
            process.stdin.flush()
            assert json.loads(process.stdout.readline())["text"] == text  # flushed before the next line arrives
    finally:
        process.stdin.close()
        assert process.wait(timeout=60) == 0


def test_an_unknown_faq_directory_is_an_error_not_a_crash(tmp_path):
    result = run_check(b'{"text": "x"}\n', "--faq", str(tmp_path))
    assert result.returncode != 0
    assert b"scam_rules.yaml" in result.stderr
    assert b"Traceback" not in result.stderr
