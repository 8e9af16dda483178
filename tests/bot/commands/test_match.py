import json
import subprocess
import sys

from bot.settings import PROJECT_ROOT


def match(lines: bytes, *args: str) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "match", *args], cwd=PROJECT_ROOT, input=lines, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_one_json_object_per_line_in_input_order():
    rows = match("身份证丢了怎么补办\n明天下雨吗\n\nIs a call from the police about money laundering real?\n".encode())
    assert [r["text"] for r in rows] == [
        "身份证丢了怎么补办", "明天下雨吗", "", "Is a call from the police about money laundering real?"
    ]
    assert set(rows[0]) == {"text", "intent", "score", "answer", "suggestions"}
    assert rows[0]["intent"] == "service.id_card_lost" and "户籍" in rows[0]["answer"]
    assert rows[1]["intent"] is None and rows[1]["answer"] is None and len(rows[1]["suggestions"]) == 3
    assert rows[3]["intent"] == "fraud.impersonate_police" and "110" in rows[3]["answer"]
    assert rows[3]["answer"].isascii() or "police" in rows[3]["answer"].lower()


def test_lang_chooses_the_answer_language():
    (row,) = match("身份证丢了怎么补办\n".encode(), "--lang", "en")
    assert "ID" in row["answer"]


def test_bad_bytes_and_crlf_do_not_stop_it():
    rows = match(b"\xff\xfe\x00junk\r\n\xe8\xba\xab\xe4\xbb\xbd\xe8\xaf\x81\xe4\xb8\xa2\xe4\xba\x86\r\n")
    assert len(rows) == 2 and rows[1]["text"] == "身份证丢了"
