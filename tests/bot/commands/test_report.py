"""The station's report on a known fortnight (tests/bot/commands/report_seed.py), on SQLite and
PostgreSQL: the figures worked out by hand, the workbook and the charts checked as files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.report import charts
from bot.report.build import ReportFiles, Words, gather, write_report
from bot.report.period import span
from bot.report.requests import quantile
from bot.settings import DatabaseSettings, Settings, load_settings
from bot.store import duty
from bot.store.demo import load_demo
from bot.store.models_outreach import AskedQuestion
from intents.faq import Faq, load_faq
from tests.bot.commands.report_seed import NOW, at, officer_id, seed, village_id

SHEETS_ZH = [
    "概览",
    "请求-类别与镇",
    "受理与办结用时",
    "升级到值班台",
    "超时未受理",
    "预警推送",
    "反诈查询",
    "答不上来的问题",
    "覆盖（两个100%）",
    "驻村工作-民警",
    "驻村工作-镇",
    "驻村工作记录",
    "群众满意度",
    "投诉",
    "纠纷调解",
]
CHARTS = ["requests", "timing", "alerts", "checks", "coverage", "duty", "disputes", "disputes-months"]
QINGSHAN, BAISHUI = "青山镇（示例）", "白水镇（示例）"


@pytest.fixture(scope="module")
def faq() -> Faq:
    return load_faq(load_settings().faq.dir)


@pytest.fixture
def settings() -> Settings:
    return load_settings(env={})


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    load_demo(factory)
    with factory.begin() as session:
        seed(session)
    return factory


def fortnight(settings: Settings):
    return span(settings, date(2024, 5, 1), date(2024, 5, 15), NOW)


def test_quantiles_interpolate_between_ranks():
    assert quantile([], 0.5) is None
    assert quantile([7.0], 0.9) == 7.0
    assert quantile([10, 30, 60, 90, 180], 0.5) == 60
    assert quantile([10, 30, 60, 90, 180], 0.9) == pytest.approx(144)
    assert quantile([180, 10, 90, 30], 0.5) == pytest.approx(60)


def test_the_period_is_local_days(settings):
    period = fortnight(settings)
    assert period.start == datetime.fromisoformat("2024-04-30T16:00:00+00:00")
    assert period.end == datetime.fromisoformat("2024-05-15T16:00:00+00:00")
    last_week = span(settings, now=NOW)
    assert (last_week.first, last_week.last) == (date(2024, 5, 10), date(2024, 5, 16))


def test_requests_by_kind_and_town_with_times_to_accept_and_close(seeded, settings):
    with seeded() as session:
        figures = gather(session, settings, fortnight(settings)).requests
    assert figures.total == 6  # the one made at midnight local on the 16th is outside; April's too
    assert figures.counts[("service.hukou_newborn", BAISHUI)] == 2
    assert figures.counts[("service.hukou_newborn", QINGSHAN)] == 1
    assert figures.counts[("service.id_card_lost", QINGSHAN)] == 2
    assert figures.counts[("fraud.already_scammed", QINGSHAN)] == 1
    assert figures.kinds[0] == "service.hukou_newborn"
    baishui, qingshan, everyone = figures.timing
    assert (everyone.requests, everyone.accepted, everyone.closed) == (6, 5, 2)
    assert everyone.accept_median == pytest.approx(60) and everyone.accept_p90 == pytest.approx(144)
    assert everyone.close_median == pytest.approx(15) and everyone.close_p90 == pytest.approx(23)
    assert (qingshan.town, qingshan.accept_median, qingshan.accept_p90) == (
        QINGSHAN,
        pytest.approx(90),
        pytest.approx(162),
    )
    assert (baishui.town, baishui.accept_median, baishui.close_median) == (BAISHUI, pytest.approx(35), None)
    assert [r.kind for r in figures.escalations] == ["fraud.already_scammed", "service.id_card_lost"]
    assert [r.village.code for r in figures.overdue] == ["QS001", "QS004"]  # April's first: oldest deadline


def test_alerts_checks_and_unanswered_questions(seeded, settings):
    with seeded() as session:
        usage = gather(session, settings, fortnight(settings)).usage
    (alert,) = usage.alerts  # the draft and April's alert are not in it
    assert (alert.alert.scope, alert.recipients, alert.delivered, alert.reach) == ("QS001", 5, 3, 0.6)
    assert alert.by_status == {"sent": 3, "failed": 1, "blocked": 1}
    assert dict(usage.verdicts) == {"scam": 2, "suspicious": 1, "safe": 1}
    assert usage.checks[("scam", "fraud.impersonate_police")] == 2
    assert usage.questions == 4
    assert [(f.text, f.times) for f in usage.fallbacks] == [("Weather tomorrow?", 2), ("猪肉多少钱一斤", 1)]


def test_coverage_the_two_hundred_percents(seeded, settings):
    with seeded() as session:
        cover = gather(session, settings, fortnight(settings)).coverage
    assert [(t.town, t.villages, t.covered) for t in cover.towns] == [(BAISHUI, 3, 3), (QINGSHAN, 4, 3), (None, 7, 6)]
    assert [v.code for v in cover.uncovered] == ["QS004"]
    assert (cover.officers, cover.with_village, cover.officer_share) == (5, 4, 0.8)  # the inactive one is not counted
    assert [o.name for o in cover.idle] == ["孙空闲"]


def test_duty_compliance_per_officer_and_town_in_local_weeks(seeded, settings):
    with seeded() as session:
        duty = gather(session, settings, fortnight(settings)).duty
    officers = {row.name: row for row in duty.officers}
    wang = officers["王示例"]
    # QS001: weeks of 29 Apr and 13 May done, 6 May missed; QS002: only the running week, done at
    # 00:30 local on Monday 13 May (still Sunday in UTC, which would have made it the week of 6 May)
    assert (wang.by_kind["contact"].done, wang.by_kind["contact"].judged) == (3, 6)
    assert (wang.by_kind["visit"].done, wang.by_kind["visit"].judged) == (1, 1)  # May, running, done
    assert (wang.by_kind["deed"].done, wang.by_kind["deed"].judged) == (1, 1)  # April 20 is in Q2
    assert wang.total.share == pytest.approx(5 / 8)
    assert officers["赵测试"].by_kind["contact"].judged == 4 and officers["赵测试"].total.done == 0
    assert officers["钱样例"].total.judged == 0  # held BS002 from 8 May only: no whole week ended since
    towns = {row.name: row for row in duty.towns}
    assert (towns[QINGSHAN].total.done, towns[QINGSHAN].total.judged) == (5, 10)
    assert (towns[BAISHUI].total.done, towns[BAISHUI].total.judged) == (0, 4)
    assert duty.total.share == pytest.approx(5 / 14)
    assert len(duty.log) == 4  # the deed of 20 April is before the period


def written(seeded, settings, faq, out: Path, lang: str = "zh") -> ReportFiles:
    with seeded() as session:
        return write_report(session, settings, faq, fortnight(settings), out, lang)


def test_the_workbook_has_a_sheet_per_topic_bold_headers_widths_and_real_dates(seeded, settings, faq, tmp_path):
    files = written(seeded, settings, faq, tmp_path)
    assert files.workbook == tmp_path / "report-2024-05-01-2024-05-15.xlsx"
    book = load_workbook(files.workbook)
    assert book.sheetnames == SHEETS_ZH
    for sheet in book.worksheets:
        assert all(cell.font.bold for cell in sheet[1] if cell.value is not None), sheet.title
        assert sheet.column_dimensions["A"].width and sheet.column_dimensions["A"].width > 5, sheet.title
    summary = {row[0]: row[1] for row in book["概览"].iter_rows(min_row=2, values_only=True)}
    assert summary["请求总数"] == 6 and summary["预警送达率"] == pytest.approx(0.6)
    assert summary["民警有村（覆盖率）"] == pytest.approx(0.8) and summary["驻村工作达标率"] == pytest.approx(5 / 14)
    escalated = book["升级到值班台"]
    created = escalated.cell(2, 5)
    assert created.value == datetime(2024, 5, 5, 10, 0) and created.is_date  # local time, a real date cell
    questions = [row[0] for row in book["答不上来的问题"].iter_rows(min_row=2, values_only=True)]
    assert questions == ["Weather tomorrow?", "猪肉多少钱一斤"]
    requests = list(book["请求-类别与镇"].iter_rows(values_only=True))
    assert requests[0] == ("事项", BAISHUI, QINGSHAN, "合计") and requests[-1] == ("全部", 2, 4, 6)


def test_the_charts_are_pictures_with_something_drawn(seeded, settings, faq, tmp_path):
    files = written(seeded, settings, faq, tmp_path)
    assert [path.name for path, _ in files.charts] == [f"report-2024-05-01-2024-05-15-{c}.png" for c in CHARTS]
    assert files.charts[0][1] == faq.message("report.chart.requests", "zh")
    for path, _ in files.charts:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (1280, 768)  # Telegram shows it as drawn
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is not None and len(colours) > 50  # text and bars, not a blank page


def drawn_texts(fig: Figure) -> list[Text]:
    FigureCanvasAgg(fig).draw()  # tick labels and the constrained layout exist once drawn
    return [t for t in fig.findobj(Text) if isinstance(t, Text) and t.get_visible() and t.get_text().strip()]


def test_the_charts_read_on_a_phone_12_pt_or_more_in_the_chinese_font_legends_clear_of_the_bars(
    seeded, settings, faq
):
    with seeded() as session:
        report = gather(session, settings, fortnight(settings))
    legends = 0
    for name, _, fig in charts.figures(report, Words(faq, "zh")):
        assert fig.get_dpi() * max(fig.get_size_inches()) <= charts.PHONE_PIXELS, name
        texts = drawn_texts(fig)
        assert texts, name
        for text in texts:
            assert text.get_fontsize() >= 12, (name, text.get_text(), text.get_fontsize())
            assert text.get_fontfamily()[0] == charts.font_name(), (name, text.get_text())
        renderer = FigureCanvasAgg(fig).get_renderer()
        boxes = [legend.get_window_extent(renderer) for legend in fig.legends]
        boxes += [ax.get_legend().get_window_extent(renderer) for ax in fig.axes if ax.get_legend()]
        bars = [p.get_window_extent(renderer) for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle)]
        legends += len(boxes)
        for box in boxes:
            assert not any(box.overlaps(bar) for bar in bars), name
    assert legends >= 3  # requests, timing, alerts and duty have one


def test_an_empty_database_gives_a_valid_report_of_zeros(factory, settings, faq, tmp_path):
    with factory() as session:
        files = write_report(session, settings, faq, fortnight(settings), tmp_path, "en")
    book = load_workbook(files.workbook)
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Requests"] == 0 and summary["Scam checks"] == 0 and summary["Villages with an officer"] is None
    assert len(files.charts) == len(CHARTS) and all(path.stat().st_size > 1000 for path, _ in files.charts)
    assert "Requests: 0;" in files.summary and "Alerts: 0" in files.summary


@pytest.fixture
def cli_env(seeded, database: DatabaseSettings, monkeypatch):
    monkeypatch.setenv("CUNJING_DATABASE__URL", database.effective_url)


def test_cunjing_report_writes_the_workbook_and_charts(cli_env, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "--from", "2024-05-01", "--to", "2024-05-15", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    names = ["report-2024-05-01-2024-05-15.xlsx", *(f"report-2024-05-01-2024-05-15-{c}.png" for c in CHARTS)]
    assert printed.out.split() == [str(out / name) for name in names]
    assert "请求 6 件" in printed.err and "送达 3/5 人（60.0%）" in printed.err
    assert main(["report", "--from", "2024-05-15", "--to", "2024-05-01", "--out", str(out)]) == 2
    assert "after it ends" in capsys.readouterr().err


def test_cunjing_report_refuses_a_bad_date(cli_env, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--from", "2024-13-01"])
    assert stopped.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err


TYPED = [  # what villagers typed, as the bot stored it
    "怎么\x06报警\x1b[0m",
    '=HYPERLINK("http://evil.example","点我领补贴")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
]


def test_texts_typed_by_people_are_written_as_plain_text(seeded, cli_env, tmp_path, capsys):
    with seeded.begin() as session:
        for day, text in enumerate(TYPED, start=2):
            session.add(AskedQuestion(at=at(day), text=text, score=0.1, fallback=True))
        wang = officer_id(session, "QS001")
        qs001 = village_id(session, "QS001")
        duty.add(session, officer_id=wang, village_id=qs001, kind="visit", text="=1+1\x07", at=at(9))
    out = tmp_path / "report"
    assert main(["report", "--from", "2024-05-01", "--to", "2024-05-15", "--out", str(out)]) == 0
    book = load_workbook(out / "report-2024-05-01-2024-05-15.xlsx")
    cells = [row[0] for row in book["答不上来的问题"].iter_rows(min_row=2, max_col=1)]
    typed = {cell.value: cell for cell in cells}
    assert "怎么报警[0m" in typed  # the control characters dropped, the words kept
    for text in TYPED[1:]:
        assert typed[text].data_type == "s" and typed[text].quotePrefix, text  # a text, not a formula
    logged = [row[5] for row in book["驻村工作记录"].iter_rows(min_row=2)]
    assert any(cell.value == "=1+1" and cell.data_type == "s" for cell in logged)
