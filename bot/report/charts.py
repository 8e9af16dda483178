"""The report's charts as PNG files (matplotlib, object API: no global pyplot state, safe in a thread)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.core.duty_rules import KINDS
from bot.fonts import chinese_font
from bot.report.build import Report, Words

BLUE, RED, ORANGE, GREEN, GREY, PALE = "#0B3B8C", "#C62828", "#EF8A17", "#2E7D32", "#8A94A3", "#A9C1E8"
PALETTE = (BLUE, "#3F7CD4", PALE, ORANGE, GREEN, "#7B4FA0", GREY)
TOP_KINDS = 6  # more kinds than this are drawn together as "other"
# Telegram shrinks a photo to 1280 pixels on its longer side: a chart of that size is shown as drawn,
# so its smallest text, 12 pt at 160 dpi, is 27 of 1280 pixels: about 2 mm across a phone's screen.
PHONE_PIXELS = 1280
DPI = 160
SIZE = (PHONE_PIXELS / DPI, 768 / DPI)  # inches: 1280 x 768 pixels
SMALLEST = 12  # points: tick labels, legends, the numbers on the bars


@functools.cache
def font_name() -> str:
    """Register the Chinese font with matplotlib once; its family name."""
    path = str(chinese_font())
    font_manager.fontManager.addfont(path)
    # the font has one weight (medium): matplotlib would warn at every normal or bold text
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return font_manager.FontProperties(fname=path).get_name()


@contextmanager
def chinese() -> Iterator[None]:
    family = [font_name(), "DejaVu Sans"]
    with matplotlib.rc_context({"font.family": family, "axes.unicode_minus": False, "font.size": SMALLEST}):
        yield


def figure(title: str, columns: int = 1) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    axes = list(fig.subplots(1, columns, squeeze=False)[0])
    fig.suptitle(title, fontsize=16, fontweight="bold")
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
    return fig, axes


def empty(ax: Axes, words: Words) -> None:
    """A period without data still gets its chart: it says so."""
    ax.text(0.5, 0.5, words("report.no_data"), ha="center", va="center", fontsize=16, color=GREY)
    ax.set_xticks([])
    ax.set_yticks([])


def label_bars(ax: Axes, bars: object, texts: Sequence[str]) -> None:
    ax.bar_label(bars, labels=list(texts), padding=3, fontsize=SMALLEST)  # type: ignore[arg-type]


def legend_below(fig: Figure, ax: Axes, columns: int = 3) -> None:
    """The legend under the chart, outside every axes: it never hides a bar."""
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=columns, frameon=False,
               fontsize=SMALLEST)


def requests_chart(report: Report, words: Words) -> Figure:
    figures = report.requests
    fig, (ax,) = figure(words("report.chart.requests"))
    if not figures.total:
        empty(ax, words)
        return fig
    shown = figures.kinds[:TOP_KINDS]
    rest = figures.kinds[TOP_KINDS:]
    series = [(words.kind(k), [figures.counts[(k, t)] for t in figures.towns]) for k in shown]
    if rest:
        series.append((words("report.other"), [sum(figures.counts[(k, t)] for k in rest) for t in figures.towns]))
    bottom = [0] * len(figures.towns)
    for (name, values), colour in zip(series, PALETTE, strict=False):
        ax.bar(figures.towns, values, bottom=bottom, label=name, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel(words("report.chart.count"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts are whole
    legend_below(fig, ax)
    return fig


def timing_chart(report: Report, words: Words) -> Figure:
    rows = report.requests.timing
    fig, axes = figure(words("report.chart.timing"), columns=2)
    names = [t.town or words("report.all") for t in rows]
    panels = (
        (axes[0], "report.chart.accept_axis", [t.accept_median for t in rows], [t.accept_p90 for t in rows]),
        (axes[1], "report.chart.close_axis", [t.close_median for t in rows], [t.close_p90 for t in rows]),
    )
    for ax, axis, median, p90 in panels:
        if all(v is None for v in median):
            empty(ax, words)
            ax.set_title(words(axis), fontsize=13)
            continue
        positions = list(range(len(names)))
        left = ax.barh(
            [p + 0.2 for p in positions], [v or 0 for v in median], 0.4, color=BLUE, label=words("report.chart.median")
        )
        right = ax.barh(
            [p - 0.2 for p in positions], [v or 0 for v in p90], 0.4, color=PALE, label=words("report.chart.p90")
        )
        label_bars(ax, left, [f"{v:.1f}" if v is not None else "" for v in median])
        label_bars(ax, right, [f"{v:.1f}" if v is not None else "" for v in p90])
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
        ax.set_title(words(axis), fontsize=13)
    if any(ax.get_legend_handles_labels()[0] for ax in axes):
        legend_below(fig, next(ax for ax in axes if ax.get_legend_handles_labels()[0]), columns=2)
    return fig


def checks_chart(report: Report, words: Words) -> Figure:
    verdicts = report.usage.verdicts
    fig, (ax,) = figure(words("report.chart.checks"))
    if not sum(verdicts.values()):
        empty(ax, words)
        return fig
    names = [words(f"report.verdict.{v}") for v in ("scam", "suspicious", "safe")]
    values = [verdicts[v] for v in ("scam", "suspicious", "safe")]
    bars = ax.bar(names, values, color=[RED, ORANGE, GREEN])
    total = sum(values)
    label_bars(ax, bars, [f"{v} ({v / total:.0%})" for v in values])
    ax.set_ylabel(words("report.chart.count"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts are whole
    return fig


def alerts_chart(report: Report, words: Words) -> Figure:
    alerts = report.usage.alerts[-15:]  # the latest ones fit on one chart
    fig, (ax,) = figure(words("report.chart.alerts"))
    if not alerts:
        empty(ax, words)
        return fig
    names = [f"#{a.alert.id} {a.alert.scope}" for a in alerts]
    positions = list(range(len(alerts)))
    ax.barh(positions, [a.recipients for a in alerts], color=PALE, label=words("report.chart.recipients"))
    bars = ax.barh(
        positions, [a.delivered for a in alerts], color=BLUE, height=0.5, label=words("report.chart.delivered")
    )
    label_bars(ax, bars, [words.share(a.reach) for a in alerts])
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    legend_below(fig, ax, columns=2)
    return fig


def coverage_chart(report: Report, words: Words) -> Figure:
    cover = report.coverage
    fig, (ax,) = figure(words("report.chart.coverage"))
    rows = [
        (
            words("report.measure.villages_covered"),
            cover.villages.share,
            f"{cover.villages.covered}/{cover.villages.villages}",
        ),
        (words("report.measure.officers_covered"), cover.officer_share, f"{cover.with_village}/{cover.officers}"),
    ]
    shares = [(share or 0) * 100 for _, share, _ in rows]
    ax.barh([0, 1], [100, 100], color="#EEF2F7")
    bars = ax.barh([0, 1], shares, color=[GREEN if s >= 100 else ORANGE for s in shares])
    label_bars(ax, bars, [f"{words.share(share)}  ({count})" for _, share, count in rows])
    ax.axvline(100, color=GREY, linestyle="--", linewidth=1)
    ax.set_yticks([0, 1], [name for name, _, _ in rows])
    ax.set_xlim(0, 125)
    ax.set_xlabel("%")
    ax.invert_yaxis()
    return fig


def duty_chart(report: Report, words: Words) -> Figure:
    towns = report.duty.towns
    fig, (ax,) = figure(words("report.chart.duty"))
    if not any(t.total.judged for t in towns):
        empty(ax, words)
        return fig
    width = 0.8 / len(KINDS)
    for index, (kind, colour) in enumerate(zip(KINDS, (BLUE, "#3F7CD4", ORANGE), strict=True)):
        shares = [t.by_kind[kind].share for t in towns]
        positions = [p + (index - 1) * width for p in range(len(towns))]
        bars = ax.bar(
            positions, [(s or 0) * 100 for s in shares], width, color=colour, label=words(f"duty.kind.{kind}")
        )
        label_bars(ax, bars, [words.ratio(t.by_kind[kind]) for t in towns])
    ax.set_xticks(list(range(len(towns))), [t.name for t in towns])
    ax.set_ylim(0, 115)
    ax.set_ylabel("%")
    legend_below(fig, ax)
    return fig


def disputes_chart(report: Report, words: Words) -> Figure:
    """调结率 per town: settled of the disputes closed, with the counts beside each bar."""
    rows = report.supervision.disputes
    fig, (ax,) = figure(words("report.chart.disputes"))
    if not rows[-1].closed and not rows[-1].taken:
        empty(ax, words)
        return fig
    names = [d.town or words("report.all") for d in rows]
    shares = [(d.settled_share or 0) * 100 for d in rows]
    bars = ax.bar(names, shares, color=[BLUE] * (len(rows) - 1) + [GREY])
    label_bars(ax, bars, [words("report.chart.disputes_label", settled=d.outcomes.get("settled", 0), closed=d.closed,
                                taken=d.taken, share=words.share(d.settled_share)) for d in rows])
    ax.set_ylim(0, 115)
    ax.set_ylabel("%")
    return fig


def disputes_months_chart(report: Report, words: Words) -> Figure:
    """调结率 per month: one line per town, all towns together in grey with settled/closed at each month;
    a month in which a town closed no dispute leaves a gap in its line."""
    months = report.supervision.months
    fig, (ax,) = figure(words("report.chart.disputes_months"))
    if not any(rows[-1].closed for _, rows in months):
        empty(ax, words)
        return fig
    labels = [f"{month:%Y-%m}" for month, _ in months]
    positions = list(range(len(months)))
    for index in range(len(months[0][1])):
        shares = [rows[index].settled_share for _, rows in months]
        name = months[0][1][index].town or words("report.all")
        everyone = index == len(months[0][1]) - 1
        colour = GREY if everyone else PALETTE[index % (len(PALETTE) - 1)]
        ax.plot(positions, [float("nan") if s is None else s * 100 for s in shares], marker="o", color=colour,
                linestyle="--" if everyone else "-", linewidth=2, label=name)
        if everyone:
            for x, (_, rows) in zip(positions, months, strict=True):
                d = rows[index]
                if d.closed:
                    ax.annotate(words("report.chart.disputes_month_label", settled=d.outcomes.get("settled", 0),
                                      closed=d.closed), ((x, (d.settled_share or 0) * 100)), textcoords="offset points",
                                xytext=(0, 8), ha="center", fontsize=SMALLEST, color=GREY)
    ax.set_xticks(positions, labels)
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.set_ylim(0, 115)
    ax.set_ylabel("%")
    legend_below(fig, ax, columns=min(4, len(months[0][1])))
    return fig


CHARTS: list[tuple[str, str, Callable[[Report, Words], Figure]]] = [
    ("requests", "report.chart.requests", requests_chart),
    ("timing", "report.chart.timing", timing_chart),
    ("alerts", "report.chart.alerts", alerts_chart),
    ("checks", "report.chart.checks", checks_chart),
    ("coverage", "report.chart.coverage", coverage_chart),
    ("duty", "report.chart.duty", duty_chart),
    ("disputes", "report.chart.disputes", disputes_chart),
    ("disputes-months", "report.chart.disputes_months", disputes_months_chart),
]


def figures(report: Report, words: Words) -> Iterator[tuple[str, str, Figure]]:
    """Each chart's name, title and figure, drawn in the Chinese font."""
    with chinese():
        for name, key, draw in CHARTS:
            yield name, words(key), draw(report, words)


def draw_all(report: Report, words: Words, out: Path, prefix: str) -> list[tuple[Path, str]]:
    """Every chart as `<prefix>-<name>.png` in `out`; returns each file with its title."""
    drawn = []
    for name, title, fig in figures(report, words):
        path = out / f"{prefix}-{name}.png"
        fig.savefig(path, format="png", facecolor="white")
        drawn.append((path, title))
    return drawn
