"""An imported article as a content file: front matter YAML sitegen's loader reads, then Markdown."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ..slugs import slugify
from .archive import HASH_KEY
from .draft import DraftImage
from .tagging import merge_names


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as articles are written by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


@dataclass(frozen=True)
class ArticleFile:
    """Everything that goes into one content file."""

    title: str
    when: date | datetime
    body: str  # Markdown
    import_hash: str
    slug: str  # the file name's stem; written as `slug:` when the title would give another
    source_name: str = ""
    byline: tuple[str, ...] = ()
    original_url: str = ""
    image: DraftImage | None = None
    terms: Mapping[str, tuple[str, ...]] | None = None  # taxonomy -> names, in front matter order


def render_article_file(article: ArticleFile) -> str:
    """The file's text: `---`, front matter, `---`, body, final newline."""
    data: dict[str, Any] = {"title": article.title, "date": _date_value(article.when)}
    if article.source_name:
        data["source"] = article.source_name
    byline = list(merge_names(article.byline))  # one spelling a name, as the loader counts them
    if byline:
        data["byline"] = byline[0] if len(byline) == 1 else byline
    if article.original_url:
        data["original_url"] = article.original_url
    if article.image:
        image = {key: getattr(article.image, key) for key in ("alt", "caption", "credit", "src")}
        data["image"] = {key: value for key, value in image.items() if value}
    for taxonomy, names in (article.terms or {}).items():
        if names:
            data[taxonomy] = list(merge_names(names))
    if slugify(article.title) != article.slug:
        data["slug"] = article.slug
    data[HASH_KEY] = article.import_hash
    front = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000,
                      default_flow_style=False)
    return f"---\n{front}---\n{article.body.strip()}\n"


def _date_value(when: date | datetime) -> date | str:
    # A plain date is written bare (2015-01-16); a time keeps its zone, as ISO 8601 text.
    return when.isoformat() if isinstance(when, datetime) else when


def distinct_slug(slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`... : the first one not in `taken`."""
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def write_new_file(path: Path, text: str) -> None:
    """Create `path` holding `text`; fails rather than overwrite a file that appeared meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def replace_file(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (a temporary file beside it, then renamed)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
