"""Phone, ID and token numbers are masked in every log line and in what the report stores,
however people write them."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import JsonFormatter, MaskingFormatter, about, mask

TOKEN = "123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-bs"


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("13812345678", "138****5678"),
        ("我电话13812345678谢谢", "我电话138****5678谢谢"),
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("+86-138-1234-5678", "+86-138-****-5678"),
        ("+8613812345678", "+86138****5678"),
        ("86138 1234 5678", "86138 **** 5678"),
        ("8613812345678", "86138****5678"),
        ("0086 13812345678", "0086 138****5678"),
        ("电话：１３８１２３４５６７８。", "电话：１３８****５６７８。"),  # typed in full-width digits
    ],
)
def test_mobile_numbers_are_masked_in_every_way_they_are_written(written, masked):
    assert mask(written) == masked


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("110101199001011234", "110101********1234"),
        ("身份证11010119900101123X", "身份证110101********123X"),
        ("110101 19900101 123X", "110101 ******** 123X"),
        ("110101 1990 0101 123x", "110101 ******** 123x"),
        ("110101-1990-0101-1234", "110101-********-1234"),
    ],
)
def test_id_numbers_are_masked_also_when_spaced(written, masked):
    assert mask(written) == masked


def test_a_bot_token_is_masked_alone_and_inside_a_url():
    assert mask(f"token {TOKEN}") == "token <token>"
    url = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert mask(url) == "POST https://api.telegram.org/bot<token>/sendMessage"


@pytest.mark.parametrize(
    "kept",
    [
        "138123456789",  # twelve digits: no mobile number
        "12812345678",  # no mobile range
        "座机 010-12345678",  # landlines stay
        "订单号 20240516123456789012",
        "转账 5000 元，尾号 1234",
    ],
)
def test_other_numbers_are_left_alone(kept):
    assert mask(kept) == kept


def test_every_log_line_is_masked():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "villager %s at %s", ("+86 138 1234 5678", TOKEN), None)
    line = MaskingFormatter("%(message)s").format(record)
    assert line == "villager +86 138 **** 5678 at <token>"


def json_line(logger: logging.Logger, message: str, *args: object, **kwargs: object) -> dict[str, object]:
    """What the JSON formatter writes for one log call."""
    lines: list[str] = []
    handler = logging.Handler()
    handler.setFormatter(JsonFormatter())
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        logger.warning(message, *args, **kwargs)  # type: ignore[arg-type]
    finally:
        logger.removeHandler(handler)
    [line] = lines
    assert "\n" not in line  # one line per event
    parsed: dict[str, object] = json.loads(line)
    return parsed


def test_a_json_line_names_the_update_and_request_it_is_about_and_masks_numbers() -> None:
    logger = logging.getLogger("cunjing.test.json")
    with about(update_id=812):
        line = json_line(logger, "村民 %s 来电", "138 1234 5678", extra={"request_id": 12})
    assert line["message"] == "村民 138 **** 5678 来电"
    assert (line["level"], line["logger"], line["update_id"], line["request_id"]) == (
        "WARNING", "cunjing.test.json", 812, 12
    )
    assert str(line["time"]).endswith("+00:00")
    assert "update_id" not in json_line(logger, "after the update")


def test_a_json_line_carries_the_traceback_masked() -> None:
    logger = logging.getLogger("cunjing.test.json")
    try:
        raise ValueError(f"bad token {TOKEN}")
    except ValueError:
        line = json_line(logger, "failed", exc_info=True)
    assert "Traceback" in str(line["exception"]) and "<token>" in str(line["exception"])
    assert TOKEN not in json.dumps(line)
