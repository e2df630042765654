"""`Draft`: one article read from a raw file, before it is tagged and written."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class DraftImage:
    """A lead image as found in the raw article; any part may be empty."""

    src: str = ""  # a web address, as found
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class Draft:
    """An article read from `source`, with what is known about it; `body` is Markdown."""

    source: str  # where it came from, as shown to users: text/a.txt, or export.jsonl:3
    title: str
    body: str  # Markdown, safe to render: plain text was escaped, HTML converted
    raw_bytes: bytes  # the article's bytes in the source, for byte-identical duplicates
    when: date | datetime | None = None  # the publication date; aware when it holds a time
    source_name: str = ""  # the publication, e.g. "The Independent"
    byline: tuple[str, ...] = ()
    original_url: str = ""
    image: DraftImage | None = None
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # taxonomy -> names given
    notes: tuple[str, ...] = ()  # things the archivist should know, e.g. where the date came from


@dataclass(frozen=True)
class Unreadable:
    """A file or line that gave no article, and what to do about it."""

    source: str
    reason: str  # "what is wrong; how to fix"
