"""Helpers shared by the tests: scratch sites, running the CLI, link and HTML checks."""
from __future__ import annotations

import contextlib
import hashlib
import html
import io
import re
import textwrap
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib

from sitegen.cli import main

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

BASE_CONFIG = f"""\
title: Test Archive
timezone: UTC
template_dirs: [{TEMPLATES.as_posix()}]
static_dir: {(TEMPLATES / "static").as_posix()}
"""


def article(title: str = "A headline", date: str = "2015-01-16", body: str = "Body text.", **keys: object) -> str:
    """The text of a content file with the given front matter (lists become YAML lists)."""
    lines = [f"title: {title}", f"date: {date}"]
    for key, value in keys.items():
        if isinstance(value, list | tuple):
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in value)
        else:
            lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


def make_site(root: Path, files: dict[str, str | bytes], config: str = "") -> Path:
    """A scratch project in `root`: config.yaml (BASE_CONFIG + `config`) and the given files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(BASE_CONFIG + textwrap.dedent(config), encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@dataclass
class Run:
    """The outcome of one `sitegen` command."""

    code: int
    out: str
    err: str


def sitegen(root: Path, *args: str) -> Run:
    """Run the sitegen CLI in-process on the project at `root`."""
    out, err = io.StringIO(), io.StringIO()
    command, *rest = args or ("build",)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([command, "--config", str(root / "config.yaml"), *rest])
    return Run(code, out.getvalue(), err.getvalue())


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None and tag != "base":
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def _parse_links(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(out: Path, *, clean_urls: bool = False) -> list[str]:
    """Every internal href/src in every page that a browser opening it from file:// cannot follow."""
    broken = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(out.rglob("*.html")):
        if page.name == "404.html":
            continue  # resolves against <base> when served; checked separately
        for link in _parse_links(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # external
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html" if clean_urls else target
            if not target.is_file() or not target.is_relative_to(out.resolve()):
                broken.append(f"{page.relative_to(out)}: {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = _parse_links(target).ids
                if parts.fragment not in ids[target]:
                    broken.append(f"{page.relative_to(out)}: {link} (no such id)")
    return broken


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file below `folder` (POSIX, relative) -> sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def html_errors(path: Path) -> list[str]:
    """HTML5 parse errors of one page (empty when the page is well-formed)."""
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(path.read_bytes())
    return [f"{path.name}: {code} {data}" for _, code, data in parser.errors]


def visible_text(path: Path) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())
