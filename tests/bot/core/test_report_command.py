"""/report in the core: administrators get the summary, the charts as photo files and the workbook as a document."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from .conftest import World

ADMIN = 9000


@pytest.fixture
def world(make_world, tmp_path) -> World:
    return make_world(CUNJING_REPORT__DIR=str(tmp_path / "reports"))


def test_an_admin_gets_the_summary_then_each_chart_as_a_photo_file_then_the_workbook(world, tmp_path):
    replies = world.person(ADMIN).send("/report 2024-05-01 2024-05-15")
    summary, *charts, where = replies
    assert summary.text.startswith("📊 村警工作报告 2024-05-01 至 2024-05-15") and summary.photo is None
    assert "覆盖：村有民警 85.7%，民警有村 100%。" in summary.text  # the demo roster: QS004 has no officer
    assert [c.text for c in charts][0] == world.faq.message("report.chart.requests", "zh")
    assert len(charts) == 8  # requests, …, the 调结率 month by month
    for chart in charts:
        path = Path(chart.photo or "")
        assert path.is_file() and path.is_relative_to(tmp_path / "reports" / "telegram")
        with Image.open(path) as image:
            assert image.format == "PNG"
    (workbook,) = (tmp_path / "reports" / "telegram").glob("*/*.xlsx")
    assert where.text == world.faq.message("report.files", "zh") and where.document == str(workbook)


def test_without_dates_it_covers_the_last_days_and_bad_dates_get_the_usage(world):
    admin = world.person(ADMIN)
    admin.send("/report")
    assert admin.direct[0].text.startswith("📊 村警工作报告")
    admin.send("/report 2024-05-01")
    usage = world.faq.message("usage.report", "zh", days=7)
    assert admin.last.text == world.faq.message("error.bad_arguments", "zh", usage=usage)
    admin.send("/report 2024-05-15 2024-05-01")
    assert admin.last.text == world.faq.message("error.bad_arguments", "zh", usage=usage)


def test_others_are_refused(world, tmp_path):
    for user in (1001, 7):
        person = world.person(user)
        person.send("/report")
        assert person.last.text == world.faq.message("admin.only", "zh")
    assert not (tmp_path / "reports").exists()


def test_a_stored_question_with_a_control_character_does_not_break_the_report(world, factory, tmp_path):
    from openpyxl import load_workbook

    from bot.store.models_outreach import AskedQuestion

    with factory.begin() as session:  # as an older version stored it, before the core cleaned its input
        session.add(AskedQuestion(text="猪肉多少钱\x06一斤", score=0.1, fallback=True))
    admin = world.person(ADMIN)
    admin.send("/report")
    assert admin.direct[0].text.startswith("📊 村警工作报告")
    (path,) = (tmp_path / "reports" / "telegram").glob("*/*.xlsx")
    asked = [row[0] for row in load_workbook(path)["答不上来的问题"].iter_rows(min_row=2, max_col=1)]
    assert [c.value for c in asked] == ["猪肉多少钱一斤"]  # the control character dropped
