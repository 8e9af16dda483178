"""The report's supervision figures on a known fortnight, on SQLite and PostgreSQL: satisfaction per
officer and town, officers not yet rated, complaints by kind and time to close, and the disputes'
调结率 per town, each worked out by hand below."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from bot.report.build import gather, write_report
from bot.report.period import span
from bot.report.supervision import months
from bot.settings import Settings, load_settings
from bot.store import requests, roster
from bot.store import supervision as store
from bot.store.demo import load_demo
from bot.store.models_supervision import ComplaintKind, Outcome
from intents.faq import Faq, load_faq
from tests.bot.commands.report_seed import NOW, at, request

QINGSHAN, BAISHUI = "青山镇（示例）", "白水镇（示例）"
DISPUTE = store.DISPUTE


def seed(session: Session) -> None:
    """In 青山镇: four disputes closed in the period (3 settled, 1 referred) and one still open; one
    closed before the period. In 白水镇: two closed (1 settled, 1 not), one closed without an outcome
    recorded. Ratings: 王示例 3 (满意, 满意, 不满意), 赵测试 2 (基本满意, 不满意); 李演示 and 钱样例 none."""
    qs = [request(session, "QS001", DISPUTE, at(d), accept=10, done=60) for d in (2, 3, 4, 5)]
    request(session, "QS002", DISPUTE, at(6), accept=10)  # taken up, not closed
    early = request(session, "QS001", DISPUTE, at(20, month=4), accept=10, done=60)  # before the period
    bs = [request(session, "BS001", DISPUTE, at(d), accept=10, done=60) for d in (7, 8, 9)]
    for number, outcome in zip([*qs, early, *bs[:2]], ["settled", "settled", "referred", "settled", "settled",
                                                       "settled", "unsettled"], strict=True):
        store.record_outcome(session, number, Outcome(outcome), None)
    for number, score, day in [(qs[0], 3, 3), (qs[1], 3, 4), (qs[2], 1, 5), (bs[0], 2, 8), (bs[1], 1, 9)]:
        found = requests.get(session, number)
        assert found is not None
        store.rate(session, found, score, now=at(day))
    citizen = requests.get(session, qs[0])
    assert citizen is not None
    town = {t.name: t.id for t in roster.all_towns(session)}
    made = [
        (ComplaintKind.MONEY, QINGSHAN, at(3), 6),  # closed after 6 h
        (ComplaintKind.MONEY, QINGSHAN, at(4), 30),  # after 30 h
        (ComplaintKind.CONDUCT, BAISHUI, at(5), None),  # still open
        (ComplaintKind.RATING, QINGSHAN, at(5), 2),
    ]
    for kind, name, when, hours in made:
        complaint = store.complain(session, citizen_id=citizen.citizen_id, town_id=town[name], officer_id=None,
                                   kind=kind, text="...", now=when)
        if hours is not None:
            store.close(session, complaint.id, 8001, "done", now=when + timedelta(hours=hours))


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    load_demo(factory)
    with factory.begin() as session:
        seed(session)
    return factory


@pytest.fixture
def settings() -> Settings:
    return load_settings(env={})


def fortnight(settings: Settings):
    return span(settings, date(2024, 5, 1), date(2024, 5, 15), NOW)


def test_dispute_settled_rate_per_town(seeded: sessionmaker[Session], settings: Settings) -> None:
    with seeded() as session:
        figures = gather(session, settings, fortnight(settings)).supervision
    by_town = {d.town: d for d in figures.disputes}
    qs, bs, everyone = by_town[QINGSHAN], by_town[BAISHUI], by_town[None]
    assert (qs.taken, qs.closed, qs.outcomes) == (5, 4, {"settled": 3, "unsettled": 0, "referred": 1})
    assert qs.settled_share == 0.75  # 3 settled of 4 closed
    assert (bs.taken, bs.closed, bs.outcomes) == (3, 3, {"settled": 1, "unsettled": 1, "referred": 0})
    assert bs.settled_share == pytest.approx(1 / 3)  # the one closed without an outcome counts as closed
    assert (everyone.taken, everyone.closed, everyone.settled_share) == (8, 7, pytest.approx(4 / 7))


def test_satisfaction_unrated_officers_and_complaints(seeded: sessionmaker[Session], settings: Settings) -> None:
    with seeded() as session:
        figures = gather(session, settings, fortnight(settings)).supervision
    officers = {s.name: (s.scores, s.share) for s in figures.officers}
    assert officers == {"王示例": ((2, 0, 1), pytest.approx(2 / 3)), "赵测试": ((0, 1, 1), 0.5)}
    towns = {s.name: (s.rated, s.share) for s in figures.towns}
    assert towns == {QINGSHAN: (3, pytest.approx(2 / 3)), BAISHUI: (2, 0.5), None: (5, 0.6)}
    assert [o.name for o in figures.unrated] == ["李演示", "钱样例"]
    kinds = {c.kind: (c.received, c.closed, c.close_median, c.close_p90) for c in figures.complaints}
    assert kinds["money"] == (2, 2, 18.0, pytest.approx(27.6))  # 6 h and 30 h: median 18, p90 6 + 0.9 * 24
    assert kinds["conduct"] == (1, 0, None, None)
    assert kinds["rating"] == (1, 1, 2.0, 2.0)
    assert kinds[None] == (4, 3, 6.0, pytest.approx(25.2))  # 2, 6, 30 h


def test_the_workbook_and_chart_show_them(seeded: sessionmaker[Session], settings: Settings, tmp_path: Path) -> None:
    faq: Faq = load_faq(settings.faq.dir)
    with seeded() as session:
        files = write_report(session, settings, faq, fortnight(settings), tmp_path, "zh")
    book = load_workbook(files.workbook)
    rows = list(book["纠纷调解"].iter_rows(values_only=True))
    assert rows[0] == tuple(faq.message("report.head.disputes", "zh").split("|"))
    by_town = {row[0]: row for row in rows[1:]}
    assert by_town[QINGSHAN][:7] == (QINGSHAN, 5, 4, 3, 0, 1, 0.75)
    assert by_town[faq.message("report.all", "zh")][6] == pytest.approx(4 / 7)
    assert all(book["纠纷调解"].cell(r, 7).number_format == "0.0%" for r in (2, 3, 4))  # 75.0%
    satisfaction = [r for r in book["群众满意度"].iter_rows(values_only=True) if r[0] is not None]
    assert ("王示例", 3, 2, 0, 1, pytest.approx(2 / 3)) in satisfaction
    assert ("李演示", "13800000002") in [r[:2] for r in satisfaction]
    assert [p.name for p, _ in files.charts][-2:] == ["report-2024-05-01-2024-05-15-disputes.png",
                                                      "report-2024-05-01-2024-05-15-disputes-months.png"]


@pytest.fixture
def two_months(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The fortnight's seed, and two more disputes: in 白水镇 one closed unsettled on 28 April; in 青山镇
    one made and settled at 00:30 on 1 May, station time (16:30 UTC on 30 April): a May dispute."""
    load_demo(factory)
    with factory.begin() as session:
        seed(session)
        april = request(session, "BS001", DISPUTE, at(28, month=4), accept=10, done=60)
        midnight = request(session, "QS001", DISPUTE, at(30, hour=16, minute=30, month=4), accept=1, done=5)
        store.record_outcome(session, april, Outcome.UNSETTLED, None)
        store.record_outcome(session, midnight, Outcome.SETTLED, None)
    return factory


def test_dispute_settled_rate_per_town_and_month(two_months: sessionmaker[Session], settings: Settings) -> None:
    """1 April to 15 May. April: 青山 the early dispute, settled (1/1); 白水 the one of 28 April, not
    settled (0/1); together 1/2. May: 青山 the four of the fortnight (3 settled, 1 referred) and the
    midnight one (settled) closed, QS002 open: 4/5 of 6 taken; 白水 1/3 as before; together 5/8 of 9.
    The whole period: 青山 5/6, 白水 1/4, together 6/10."""
    with two_months() as session:
        figures = gather(session, settings, span(settings, date(2024, 4, 1), date(2024, 5, 15), NOW)).supervision
    months = {month: {d.town: (d.taken, d.closed, d.outcomes["settled"], d.settled_share) for d in rows}
              for month, rows in figures.months}
    assert list(months) == [date(2024, 4, 1), date(2024, 5, 1)]
    assert months[date(2024, 4, 1)] == {QINGSHAN: (1, 1, 1, 1.0), BAISHUI: (1, 1, 0, 0.0), None: (2, 2, 1, 0.5)}
    assert months[date(2024, 5, 1)] == {QINGSHAN: (6, 5, 4, 0.8), BAISHUI: (3, 3, 1, pytest.approx(1 / 3)),
                                        None: (9, 8, 5, 0.625)}
    whole = {d.town: (d.taken, d.closed, d.settled_share) for d in figures.disputes}
    assert whole == {QINGSHAN: (7, 6, pytest.approx(5 / 6)), BAISHUI: (4, 4, 0.25), None: (11, 10, 0.6)}


def test_a_period_inside_one_month_has_one_month_row(seeded: sessionmaker[Session], settings: Settings) -> None:
    with seeded() as session:
        figures = gather(session, settings, fortnight(settings)).supervision
    assert [(month, [(d.town, d.closed) for d in rows]) for month, rows in figures.months] == [
        (date(2024, 5, 1), [(d.town, d.closed) for d in figures.disputes])]


def test_the_workbook_has_a_row_per_month_and_town_and_a_chart(two_months: sessionmaker[Session], settings: Settings,
                                                               tmp_path: Path) -> None:
    faq: Faq = load_faq(settings.faq.dir)
    with two_months() as session:
        files = write_report(session, settings, faq, span(settings, date(2024, 4, 1), date(2024, 5, 15), NOW),
                             tmp_path, "zh")
    sheet = load_workbook(files.workbook)["纠纷调解"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] is not None]
    head = tuple(faq.message("report.head.disputes_months", "zh").split("|"))
    monthly = rows[rows.index(head + (None,) * (len(rows[0]) - len(head))) + 1:]
    everyone = faq.message("report.all", "zh")
    assert [r[:8] for r in monthly] == [
        ("2024-04", BAISHUI, 1, 1, 0, 1, 0, 0),  # the roster's order of towns
        ("2024-04", QINGSHAN, 1, 1, 1, 0, 0, 1),
        ("2024-04", everyone, 2, 2, 1, 1, 0, 0.5),
        ("2024-05", BAISHUI, 3, 3, 1, 1, 0, pytest.approx(1 / 3)),
        ("2024-05", QINGSHAN, 6, 5, 4, 0, 1, 0.8),
        ("2024-05", everyone, 9, 8, 5, 1, 1, 0.625),
    ]
    chart = tmp_path / "report-2024-04-01-2024-05-15-disputes-months.png"
    assert (chart, faq.message("report.chart.disputes_months", "zh")) in files.charts
    assert chart.stat().st_size > 1000


def test_the_months_of_a_period_across_new_year_start_at_the_stations_midnight(settings: Settings) -> None:
    parts = months(span(settings, date(2024, 12, 20), date(2025, 1, 5), NOW), settings)
    assert [(m, p.first, p.last) for m, p in parts] == [
        (date(2024, 12, 1), date(2024, 12, 20), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 1, 1), date(2025, 1, 5)),
    ]
    # UTC+8: local midnight of 1 January is 16:00 UTC on 31 December; one part ends where the next starts
    assert parts[0][1].end == parts[1][1].start == datetime(2024, 12, 31, 16, 0, tzinfo=UTC)
