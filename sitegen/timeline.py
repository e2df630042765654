"""A term's articles per month (per year for long spans), laid out as bars for an inline SVG.

The template `_timeline.html` draws the chart and its table; this module only counts and
measures, so the numbers can be tested without parsing SVG.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from . import urls
from .model import MONTH_NAMES, Term

MONTHS_BEFORE_YEARS = 36  # a span longer than this (in months) is drawn per year
CHART_WIDTH = 640  # SVG user units; CSS scales the chart to the column
BAR_AREA_HEIGHT = 100
LABEL_HEIGHT = 18  # room under the bars for the first and last period
_MAX_BAR_WIDTH = 40


class Bar(NamedTuple):
    """One period: its article count, its archive page and its rectangle (SVG user units).
    A named tuple: a profile of 20 years has 240 of them, made and fingerprinted on every build."""

    year: int
    month: int  # 1-12, or 0 when the chart counts per year
    count: int
    url: str  # month or year archive page; "" for a period with no articles
    x: float
    y: float
    width: float
    height: float

    @property
    def period(self) -> str:
        """`March 2015`, or `2015` for a chart per year."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}" if self.month else str(self.year)

    @property
    def count_text(self) -> str:
        """`1 article`, `3 articles`. (These two are properties rather than template macros: a
        chart has up to 240 bars, and a macro call costs 8 us.)"""
        return f"{self.count} article" if self.count == 1 else f"{self.count} articles"


@dataclass(frozen=True)
class Timeline:
    """Every period from the first mention to the latest, oldest first."""

    unit: str  # "month" or "year"
    bars: tuple[Bar, ...]
    width: int
    height: int
    max_count: int
    baseline: int  # y of the bars' bottom edge

    @property
    def periods_with_articles(self) -> tuple[Bar, ...]:
        """The bars with at least one article, for the table."""
        return tuple(bar for bar in self.bars if bar.count)


def term_timeline(term: Term) -> Timeline | None:
    """The term's chart, or None when it names no article."""
    if not term.articles:
        return None
    first, last = term.articles[-1].date, term.articles[0].date
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if span > MONTHS_BEFORE_YEARS:
        counts = Counter((a.date.year, 0) for a in term.articles)
        periods = [(year, 0) for year in range(first.year, last.year + 1)]
    else:
        counts = Counter((a.date.year, a.date.month) for a in term.articles)
        periods = [divmod(first.year * 12 + first.month - 1 + i, 12) for i in range(span)]
        periods = [(year, month + 1) for year, month in periods]
    return _lay_out("year" if span > MONTHS_BEFORE_YEARS else "month", periods, counts)


def _lay_out(unit: str, periods: list[tuple[int, int]], counts: Counter[tuple[int, int]]) -> Timeline:
    xs, width = _columns(len(periods))
    highest = max(counts.values())
    bars = []
    for x, (year, month) in zip(xs, periods):
        count = counts.get((year, month), 0)
        if count:
            height = max(2.0, BAR_AREA_HEIGHT * count / highest)
            bars.append(Bar(year, month, count, _period_url(year, month), x, round(BAR_AREA_HEIGHT - height, 2),
                            width, round(height, 2)))
        else:
            bars.append(Bar(year, month, 0, "", x, float(BAR_AREA_HEIGHT), width, 0.0))
    return Timeline(unit, tuple(bars), CHART_WIDTH, BAR_AREA_HEIGHT + LABEL_HEIGHT, highest, BAR_AREA_HEIGHT)


@cache
def _columns(count: int) -> tuple[tuple[float, ...], float]:
    """The x of each of `count` bars and their width (the same for every chart of that many)."""
    slot = CHART_WIDTH / count
    width = min(slot * 0.8, _MAX_BAR_WIDTH)
    return tuple(round(index * slot + (slot - width) / 2, 2) for index in range(count)), round(width, 2)


@cache
def _period_url(year: int, month: int) -> str:
    """The archive page of a month (or, with `month` 0, of a year)."""
    return urls.month_url(year, month) if month else urls.year_url(year)
