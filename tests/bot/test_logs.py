"""Phone, ID and token numbers are masked in every log line and in what the report stores,
however people write them."""

from __future__ import annotations

import logging

import pytest

from bot.logs import MaskingFormatter, mask

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
