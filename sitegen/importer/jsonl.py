"""JSON Lines exports: one article per line, its fields named by a mapping (`title=headline`)."""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ..errors import SitegenError
from .dates import find_dates
from .decode import strip_control
from .draft import Draft, DraftImage, Unreadable
from .escape import escape_markdown
from .html import read_html_article

FIELDS = ("title", "date", "body", "source", "byline", "original_url",
          "image.src", "image.alt", "image.caption", "image.credit")
_HTML_BODY = re.compile(r"<(p|br|div|a|em|strong|i|b|h[1-6]|ul|ol|li|blockquote)\b[^>]*>", re.IGNORECASE)


def parse_field_map(text: str, taxonomies: Sequence[str]) -> dict[str, str]:
    """`title=headline,date=meta.pub_date` as {article field: JSON field (dotted for nesting)}."""
    valid = [*FIELDS, *taxonomies]
    mapping: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        field, sep, name = (part.strip() for part in pair.partition("="))
        if not sep or not field or not name:
            raise SitegenError(f"--map item {pair!r} is not FIELD=NAME; write e.g. --map title=headline,date=pub_date")
        if field not in valid:
            close = difflib.get_close_matches(field, valid, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise SitegenError(f"--map names unknown field {field!r}; {hint}fields: {', '.join(valid)}")
        mapping[field] = name
    return mapping


def read_jsonl_articles(text: str, source: str, mapping: Mapping[str, str],
                        taxonomies: Sequence[str]) -> list[Draft | Unreadable]:
    """One Draft per line (or Unreadable saying what is wrong with it); blank lines are skipped."""
    found: list[Draft | Unreadable] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            found.append(Unreadable(where, f"not valid JSON ({exc.msg} at column {exc.colno}); "
                                    "each line must hold one whole JSON object"))
            continue
        if not isinstance(record, dict):
            found.append(Unreadable(where, "the line is not a JSON object ({...}); each line must hold one article"))
            continue
        found.append(_draft(record, where, line.strip().encode("utf-8"), mapping, taxonomies))
    return found


def _draft(record: dict, where: str, raw: bytes, mapping: Mapping[str, str],
           taxonomies: Sequence[str]) -> Draft | Unreadable:
    def get(field: str) -> Any:
        return _lookup(record, mapping.get(field, field))

    body = _text(get("body"))
    if not body.strip():
        named = mapping.get("body", "body")
        return Unreadable(where, f"no article text in field '{named}'; name the text field with "
                          f"--map body=FIELD (this line has: {', '.join(sorted(record)) or 'no fields'})")
    notes: tuple[str, ...] = ()
    if _HTML_BODY.search(body):
        page = read_html_article(f"<html><body><article>{body}</article></body></html>", where, raw)
        if isinstance(page, Unreadable):
            return Unreadable(where, "the text field holds HTML with no article text in it; check the export")
        body = page.body
    else:
        body = "\n\n".join(escape_markdown(part) for part in re.split(r"\n\s*\n", body.strip()))
    when, note = _when(get("date"))
    notes += (note,) if note else ()
    image = DraftImage(**{part: _text(get(f"image.{part}")) for part in ("src", "alt", "caption", "credit")})
    return Draft(source=where, title=" ".join(_text(get("title")).split()), body=body, raw_bytes=raw,
                 when=when, source_name=_text(get("source")), byline=_names(get("byline")),
                 original_url=_text(get("original_url")), image=image if any(vars(image).values()) else None,
                 terms={name: _names(get(name)) for name in taxonomies if get(name)}, notes=notes)


def _lookup(record: dict, name: str) -> Any:
    """`record[name]`, following dots into nested objects (`meta.date`)."""
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return record.get(name)  # a key that itself holds a dot
        value = value[part]
    return value


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return strip_control(str(value)).strip()  # a JSON string may hold "\u0007"


def _names(value: Any) -> tuple[str, ...]:
    """A list of names, or one name, or names separated by semicolons."""
    items = value if isinstance(value, list) else str(value or "").split(";")
    names = (" ".join(_text(item).split()) for item in items if isinstance(item, str | int))
    return tuple(name for name in names if name)


def _when(value: Any) -> tuple[date | datetime | None, str]:
    """A date (or an aware datetime when a time with zone is given) and a note about it."""
    text = _text(value)
    if not text:
        return None, ""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (parsed if len(text) > 10 else parsed.date()), ""
    except ValueError:
        pass
    found = find_dates(text)
    if len(found) == 1:
        return found[0].day, ""
    return None, f"date {text!r} is not a date sitegen reads"
