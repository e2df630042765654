"""Walk `content/`, decode and validate each file, and produce `Article`s and `Problem`s."""
from __future__ import annotations

import hashlib
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import urls
from .config import Config, unknown_key_message
from .errors import Problem, quote, type_name
from .frontmatter import FrontMatter, FrontMatterError, split_front_matter
from .markdown import render_body
from .model import Article, Body, Image
from .slugs import name_key, normalise_name, slugify

# Front matter keys with a meaning; any other key is kept in Article.extra.
KNOWN_KEYS = ("title", "date", "slug", "summary", "source", "byline", "authors",
              "original_url", "image", "draft")
_IMAGE_KEYS = ("src", "alt", "caption", "credit")
_DATE_HINT = "write YYYY-MM-DD, e.g. 2015-01-16, or a time with zone, e.g. 2015-01-16T09:30:00+00:00"
# C0 and C1 control characters except tab and newline: never meaningful in a title or name.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class LoadResult:
    """What loading one file gave: an article (unless it failed) and its problems."""

    article: Article | None
    problems: tuple[Problem, ...]


def find_content_files(content_dir: Path) -> list[Path]:
    """Every `*.md` below `content_dir`, any depth, skipping hidden files and folders; sorted."""
    if not content_dir.is_dir():
        return []
    found = []
    for path in content_dir.rglob("*.md"):
        relative = path.relative_to(content_dir).parts
        if not any(part.startswith(".") for part in relative) and path.is_file():
            found.append(path)
    return sorted(found)


def source_of(path: Path, root: Path) -> str:
    """The project-relative POSIX path shown to users (a symbolic link keeps its own name)."""
    for candidate in (path.absolute(), path.resolve()):
        if candidate.is_relative_to(root):
            return candidate.relative_to(root).as_posix()
    return path.as_posix()


def load_articles(config: Config, paths: Iterable[Path] | None = None) -> tuple[list[Article], list[Problem]]:
    """Load every content file (or `paths`), each on its own; drafts are dropped. Never raises on
    bad content. `settle_articles` then checks them as a set."""
    articles: list[Article] = []
    problems: list[Problem] = []
    for path in find_content_files(config.content_dir) if paths is None else paths:
        result = load_article(path, config)
        problems.extend(result.problems)
        if result.article is not None and not result.article.is_draft:
            articles.append(result.article)
    return articles, problems


def settle_articles(config: Config, articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """The loaded articles checked as a whole, however they were loaded: the content folder
    exists, and each article has its own URL (see `assign_distinct_urls`)."""
    if not config.content_dir.is_dir():
        folder = source_of(config.content_dir, config.root)
        return [], [Problem(config.source, 1, f"content folder '{folder}' does not exist; create it "
                            f"and add articles, or set content_dir in {config.source}")]
    return assign_distinct_urls(articles)


def assign_distinct_urls(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Articles with distinct URLs, and the problems found on the way.

    An explicit `slug:` is a claim: a second article claiming the same URL is an error naming
    both files (and is left out). A slug made from the title yields: the oldest such article
    keeps the plain slug, the others get a suffix from a hash of their own file name (stable
    however many articles share the title) and a warning. Old articles keep their URLs as
    new ones arrive; only an older same-titled article added later takes over the plain slug.
    """
    by_url: dict[str, list[Article]] = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.sort_key):
        by_url[urls.article_url(article)].append(article)
    changed: dict[Article, Article | None] = {}
    problems: list[Problem] = []
    for url, group in by_url.items():
        if len(group) > 1:
            problems.extend(_share_url(url, group, changed))
    return [changed.get(a, a) for a in articles if changed.get(a, a) is not None], problems


def _share_url(url: str, group: list[Article], changed: dict[Article, Article | None]) -> list[Problem]:
    claims = [a for a in group if "slug" in a.line_of]
    keeper = claims[0] if claims else group[0]
    where = f"{keeper.source_file}:{keeper.line_of.get('slug', keeper.line_of.get('title', 1))}"
    problems = []
    for article in group:
        if article is keeper:
            continue
        if article in claims:
            changed[article] = None
            problems.append(Problem(article.source_file, article.line_of["slug"],
                                    f"slug {quote(article.slug)} is also used by {where} (both would be "
                                    f"{url}); set a different slug in one"))
            continue
        suffix = hashlib.sha1(article.source_file.encode()).hexdigest()[:6]
        changed[article] = replace(article, slug=f"{article.slug}-{suffix}")
        problems.append(Problem(article.source_file, article.line_of.get("title", 1),
                                f"the title gives slug {quote(article.slug)}, already used in that month by "
                                f"{where}; this article gets '{article.slug}-{suffix}' (set 'slug:' "
                                "to choose its URL)", is_warning=True))
    return problems


def load_article(path: Path, config: Config) -> LoadResult:
    """Read, decode and validate one file. Pure apart from reading it."""
    source = source_of(path, config.root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return LoadResult(None, (Problem(source, 1, f"cannot read file ({exc.strerror}); check that it is a "
                                         "readable file, or remove it from content/"),))
    return parse_article(raw, source, config)


def parse_article(raw: bytes, source: str, config: Config) -> LoadResult:
    """Validate the bytes of one content file into an Article, collecting every problem."""
    text, problem = _decode(raw, source)
    if problem:
        return LoadResult(None, (problem,))
    try:
        fm = split_front_matter(text, source)
    except FrontMatterError as exc:
        return LoadResult(None, (exc.problem,))
    checker = _Checker(fm, source, config)
    article = checker.article(hashlib.sha256(raw).hexdigest())
    return LoadResult(article if not checker.has_errors else None, tuple(checker.problems))


def _decode(raw: bytes, source: str) -> tuple[str, Problem | None]:
    if not raw.strip():
        return "", Problem(source, 1, "file is empty; add front matter with a title and date, "
                           "or delete the file")
    if b"\x00" in raw[:8192]:
        return "", Problem(source, 1, "looks like a binary file, not Markdown text; remove it "
                           "from content/ or rename it so it does not end in .md")
    try:
        text = raw.decode("utf-8-sig")  # a UTF-8 byte-order mark is accepted and dropped
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return "", Problem(source, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
                           f"{exc.start}); re-save the file as UTF-8")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


class _Checker:
    """Validates one file's front matter; every check records a problem and carries on."""

    def __init__(self, fm: FrontMatter, source: str, config: Config) -> None:
        self.fm, self.source, self.config = fm, source, config
        self.data = fm.data
        self.problems: list[Problem] = []

    @property
    def has_errors(self) -> bool:
        return any(not p.is_warning for p in self.problems)

    def error(self, key: str, message: str, index: int | None = None) -> None:
        self.problems.append(Problem(self.source, self.fm.line_of(key, index), message))

    def warn(self, key: str, message: str, index: int | None = None) -> None:
        self.problems.append(Problem(self.source, self.fm.line_of(key, index), message, is_warning=True))

    def article(self, content_hash: str) -> Article:
        title = self.text("title", required=True)
        when = self.date()
        body_html, body_text = render_body(self.fm.body, allow_raw_html=self.config.allow_raw_html)
        terms = {t.name: self.names(t.name) for t in self.config.taxonomies}
        taxonomy_keys = set(terms)
        extra = {k: v for k, v in self.data.items() if k not in KNOWN_KEYS and k not in taxonomy_keys}
        return Article(
            source_file=self.source,
            title=title,
            date=when,
            slug=self.slug(title),
            summary=self.text("summary") or summarise(body_text, self.config.summary_words),
            body=Body.of(body_html, body_text),
            source=self.text("source"),
            byline=self.byline(),
            original_url=self.web_address("original_url"),
            image=self.image(),
            terms=MappingProxyType(terms),
            extra=MappingProxyType(extra),
            is_draft=self.flag("draft"),
            content_hash=content_hash,
            line_of=MappingProxyType(dict(self.fm.key_lines)),
        )

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                where = "is empty" if key in self.data else "is missing"
                self.error(key, f"'{key}' {where}; add a line such as '{key}: Police step up patrols'")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(key, f"'{key}' must be text, not {type_name(value)}; write {key}: \"...\"")
            return ""
        return self.clean(key, str(value))

    def clean(self, key: str, text: str, index: int | None = None) -> str:
        """`text` normalised, or "" with an error if it holds a control character."""
        found = _CONTROL.search(text)
        if found:
            self.error(key, f"'{key}' holds the control character U+{ord(found.group()):04X} in "
                       f"{quote(text)}; delete it", index)
            return ""
        return normalise_name(text)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"'{key}' must be true or false, not {quote(value)}; write {key}: true "
                       f"or {key}: false")
            return False
        return value

    def date(self) -> datetime:
        fallback = datetime(1970, 1, 1, tzinfo=self.config.timezone)
        value = self.data.get("date")
        if value is None:
            where = "is empty" if "date" in self.data else "is missing"
            self.error("date", f"'date' {where}; {_DATE_HINT}")
            return fallback
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.error("date", f"'date' must be one date, not {type_name(value)}; {_DATE_HINT}")
            return fallback
        parsed, reason = parse_date(str(value), self.config)
        if parsed is None:
            self.error("date", f"date {quote(value)} {reason}; {_DATE_HINT}")
            return fallback
        return parsed

    def slug(self, title: str) -> str:
        value = self.data.get("slug")
        if value is None:
            return slugify(title)
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.error("slug", f"'slug' must be text, not {type_name(value)}; e.g. slug: police-patrols")
            return slugify(title)
        slug = slugify(str(value), fallback="")
        if not slug:
            self.error("slug", f"slug {quote(value)} has no letters or digits; use a-z, 0-9 and -")
            return slugify(title)
        if slug != str(value):
            self.warn("slug", f"slug {quote(value)} is not a clean URL segment; using '{slug}' "
                      "(write it in lowercase a-z, 0-9 and -)")
        return slug

    def names(self, key: str) -> tuple[str, ...]:
        """A taxonomy's list of names: text items, normalised, duplicates dropped."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            example = value if isinstance(value, str) else "Name One"
            self.error(key, f"'{key}' must be a list, not {type_name(value)}; write {key}: [{example}] "
                       f"or one '- name' per line")
            return ()
        names: list[str] = []
        seen: dict[str, str] = {}
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.error(key, f"item {index + 1} of '{key}' {_not_a_name(item)}", index)
                continue
            name = self.clean(key, item, index)
            if not name:
                continue
            if name_key(name) in seen:
                self.warn(key, f"'{key}' names {quote(name)} twice (also as {quote(seen[name_key(name)])}); "
                          "remove one", index)
                continue
            seen[name_key(name)] = name
            names.append(name)
        return tuple(names)

    def byline(self) -> tuple[str, ...]:
        key = "byline" if "byline" in self.data or "authors" not in self.data else "authors"
        value = self.data.get(key)
        if isinstance(value, str):
            return (normalise_name(value),) if value.strip() else ()
        return self.names(key)

    def web_address(self, key: str) -> str:
        """An absolute http(s) address, or "" with an error (never javascript: and the like)."""
        value = self.data.get(key)
        if value is None or value == "":
            return ""
        if not isinstance(value, str) or not is_safe_url(value) or ":" not in value.split("/", 1)[0]:
            self.error(key, f"{key} {quote(value)} is not a web address; write the full address, "
                       "starting with https:// or http://")
            return ""
        return value.strip()

    def image_src(self, value: Any) -> str:
        """A web address, or a path from the site root that stays inside the site."""
        if value is None or value == "":
            return ""
        path = value.strip() if isinstance(value, str) else ""
        is_web = ":" in path.split("/", 1)[0]
        site_path = path.lstrip("/")  # `/images/a.jpg` means the site root, wherever it is hosted
        if not is_safe_url(path) or path.startswith("//") or "\\" in path or (
                not is_web and posixpath.normpath(site_path).split("/")[0] in ("..", ".", "")):
            self.error("image.src", f"image {quote(value)} is neither a web address nor a path inside "
                       "the site; write https://... or a path from the site root such as "
                       "images/photo.jpg")
            return ""
        return path if is_web else site_path

    def image(self) -> Image | None:
        value = self.data.get("image")
        if value is None:
            return None
        if isinstance(value, str):
            value = {"src": value}
        if not isinstance(value, dict):
            self.error("image", f"'image' must be a path or a mapping, not {type_name(value)}; write "
                       "image: images/photo.jpg, or src:, alt:, caption: and credit: indented below it")
            return None
        for key in value:
            if key not in _IMAGE_KEYS:
                self.error(f"image.{key}", unknown_key_message(str(key), list(_IMAGE_KEYS), "'image'"))
        parts = {}
        for key in _IMAGE_KEYS[1:]:
            item = value.get(key)
            parts[key] = ""
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                parts[key] = self.clean(f"image.{key}", str(item))
            elif item is not None:
                self.error(f"image.{key}", f"'image.{key}' must be text, not {type_name(item)}; "
                           f"write {key}: \"...\"")
        src = self.image_src(value.get("src"))
        return Image(src=src, **parts) if (src or any(parts.values())) else None


def _not_a_name(item: Any) -> str:
    """Why a taxonomy list item is not a name, and how to fix it."""
    if item is None or isinstance(item, str):
        return "is empty; write a name after the '- ' or delete the line"
    if isinstance(item, list):
        return "is a list inside the list; write each name as its own '- name' line"
    if isinstance(item, dict):
        return "was read as a mapping (a name holding ': '?); put the name in quotes"
    return (f"is {type_name(item)} ({quote(item)}), not a name; put it in quotes if it is a name, "
            "or delete it")


def is_safe_url(value: str) -> bool:
    """True for http(s) URLs and relative paths; false for javascript:, data: and the like."""
    value = value.strip()
    if not value or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return False
    if ":" in value.split("/", 1)[0]:
        return value.lower().startswith(("http://", "https://"))
    return True


def parse_date(text: str, config: Config) -> tuple[datetime | None, str]:
    """Parse an ISO date or datetime; naive values take the configured timezone."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(0, 0), tzinfo=config.timezone), ""
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        reason = "is not a real date" if "out of range" in str(exc) or "must be in" in str(exc) \
            else "is not a date in a form sitegen reads"
        return None, reason
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=config.timezone)
    return parsed, ""


def summarise(text: str, words: int) -> str:
    """The first `words` words of `text`, ending with an ellipsis when cut."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(".,;:—-") + "…"
