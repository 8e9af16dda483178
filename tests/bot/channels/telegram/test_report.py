"""/report in Telegram: the administrator's phone gets the summary, each chart as a photo a phone
shows whole, and the workbook as a document it opens."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.report.charts import CHARTS, PHONE_PIXELS

from .conftest import ADMIN, Bot


@pytest.fixture(autouse=True)
def report_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    request.node.add_marker(pytest.mark.bot_env(CUNJING_REPORT__DIR=str(folder)))
    return folder


async def test_an_admin_gets_the_summary_the_charts_as_photos_and_the_workbook_as_a_document(bot: Bot) -> None:
    admin = bot.villager(ADMIN, "管理员")
    await admin.send("/report 2024-05-01 2024-05-15")
    summary, *charts, workbook = await bot.until(lambda: admin.messages if admin.messages[-1:] and
                                                 admin.messages[-1].kind == "document" else None,
                                                 timeout=60, what="the workbook")
    assert (summary.text or "").startswith("📊 村警工作报告 2024-05-01 至 2024-05-15")
    assert [c.kind for c in charts] == ["photo"] * len(CHARTS)
    assert [c.text for c in charts] == [bot.say(key) for _, key, _ in CHARTS]
    for chart in charts:
        assert chart.upload is not None
        with Image.open(io.BytesIO(chart.upload.data)) as picture:  # Telegram would not shrink it
            assert picture.format == "PNG" and max(picture.size) <= PHONE_PIXELS
    assert workbook.text == bot.say("report.files")
    assert workbook.document is not None and workbook.document["file_name"] == "report-2024-05-01-2024-05-15.xlsx"
    assert workbook.upload is not None
    book = load_workbook(io.BytesIO(workbook.upload.data))
    assert book.sheetnames[0] == "概览"
    assert {row[0]: row[1] for row in book["概览"].iter_rows(min_row=2, values_only=True)}["请求总数"] == 0


async def test_a_villager_gets_no_report(bot: Bot, report_dir: Path) -> None:
    villager = await bot.registered(5001)
    assert (await villager.send("/report")).texts == [bot.say("admin.only")]
    assert not report_dir.exists()
