"""Dates written in article text: `16 January 2015`, `January 16, 2015`, `2015-01-16`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {name: number for number, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_PATTERNS = (
    re.compile(r"(?<!\d)" + _YEAR + r"-(?P<num>\d{2})-(?P<day>\d{2})(?!\d)"),
    re.compile(r"(?<!\w)" + _DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR + r"(?!\d)", re.IGNORECASE),
    re.compile(r"(?<!\w)" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + r"(?!\d)", re.IGNORECASE),
)
# Words that may surround a date on a dateline: "Published: Friday 16 January 2015, 09:30 GMT".
_DATELINE_WORDS = re.compile(
    r"(?i)\b(published|posted|updated|date|on|at|monday|tuesday|wednesday|thursday|friday|saturday|"
    r"sunday|mon|tue|wed|thu|fri|sat|sun|gmt|bst|utc|am|pm)\b|\d{1,2}[:.]\d{2}|[\s:,|·—–-]+")


@dataclass(frozen=True)
class FoundDate:
    """A date found in text, and the words it was written as."""

    day: date
    written: str  # as in the text, e.g. "16 January 2015"


def find_dates(text: str) -> list[FoundDate]:
    """Every real calendar date written in `text`, in order of appearance."""
    found: list[tuple[int, FoundDate]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            day = _to_date(match)
            if day is not None:
                found.append((match.start(), FoundDate(day, match.group(0))))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def dateline_date(line: str) -> FoundDate | None:
    """The date of a line that holds nothing but a date (and dateline words), else None."""
    dates = find_dates(line)
    if len(dates) != 1:
        return None
    rest = _DATELINE_WORDS.sub("", line.replace(dates[0].written, " "))
    return dates[0] if not rest else None


def _to_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    month = int(groups["num"]) if groups.get("num") else _MONTHS[groups["month"].lower()]
    try:
        return date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:  # 30 February and the like: not a date, so not found
        return None
