"""Plain-text articles: optional image lines, a headline when the first line looks like one,
byline and date lines, then paragraphs separated by blank lines."""
from __future__ import annotations

import re
from datetime import date

from .dates import dateline_date, find_dates
from .draft import Draft, DraftImage, Unreadable
from .escape import escape_markdown

MAX_IMAGE_LINES = 2  # an alt text line, then a caption line ending in the photo credit
_HEADLINE_MAX_WORDS = 20
_HEADLINE_MAX_CHARS = 150
_BYLINE = re.compile(r"(?i)^by\s+(?P<names>[^,|]+?)(?:\s*[,|].*)?$")
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
_HEADER_LINES = 4  # byline and date lines are looked for this far below the headline


def read_text_article(text: str, source: str, raw: bytes, image_lines: int = 0) -> Draft | Unreadable:
    """The article in plain `text`; its title and date stay empty when the text gives none."""
    lines = [line.strip() for line in text.split("\n")]
    image = None
    if image_lines:
        taken = [index for index, line in enumerate(lines) if line][:image_lines]
        if len(taken) < image_lines:
            return Unreadable(source, f"--image-lines {image_lines} expects {image_lines} image lines at the "
                              "top, and the file has fewer lines; check the file or the option")
        image = _image_from_lines([lines[index] for index in taken])
        lines = lines[taken[-1] + 1:]
    paragraphs = _paragraphs(lines)
    title = ""
    if paragraphs and _looks_like_headline(paragraphs[0][0]):
        title = paragraphs[0].pop(0)
    byline, when, notes = _read_header(paragraphs)
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return Unreadable(source, "no article text found (only a headline, byline or image lines); "
                          "check the file and --image-lines")
    body = "\n\n".join(escape_markdown("\n".join(paragraph)) for paragraph in paragraphs)
    if when is None:
        found = find_dates("\n".join(" ".join(p) for p in paragraphs))
        if found:
            when = found[0].day
            notes += (f"date {found[0].day.isoformat()} taken from '{found[0].written}' in the text; check it",)
    return Draft(source=source, title=title, body=body, raw_bytes=raw, when=when, byline=byline,
                 image=image, notes=notes)


def _paragraphs(lines: list[str]) -> list[list[str]]:
    """Runs of non-empty lines."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _image_from_lines(lines: list[str]) -> DraftImage:
    """Alt text, then a caption whose last word is the photo credit."""
    if len(lines) < 2:
        return DraftImage(alt=lines[0])
    caption, _, credit = lines[1].rpartition(" ")
    return DraftImage(alt=lines[0], caption=caption.strip(), credit=credit)


def _looks_like_headline(line: str) -> bool:
    """Short, starting with a capital, digit or quote, and not ending like a sentence."""
    words = line.split()
    return (0 < len(words) <= _HEADLINE_MAX_WORDS and len(line) <= _HEADLINE_MAX_CHARS
            and (line[0].isupper() or line[0].isdigit() or line[0] in "'\"‘“")
            and line[-1] not in ".,;:" and not _BYLINE.match(line) and dateline_date(line) is None)


def _read_header(paragraphs: list[list[str]]) -> tuple[tuple[str, ...], date | None, tuple[str, ...]]:
    """Byline and date lines at the top of the text, removed from `paragraphs`."""
    byline: tuple[str, ...] = ()
    when: date | None = None
    notes: tuple[str, ...] = ()
    for _ in range(_HEADER_LINES):
        first = next((p for p in paragraphs if p), None)
        if first is None:
            break
        match, dated = _BYLINE.match(first[0]), dateline_date(first[0])
        if match and not byline:
            byline = tuple(name for name in _NAME_SPLIT.split(match.group("names").strip()) if name)
        elif dated is not None and when is None:
            when = dated.day
            notes = (f"date {dated.day.isoformat()} from the dateline '{first[0]}'",)
        else:
            break
        first.pop(0)
    return byline, when, notes
