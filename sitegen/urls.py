"""Where every page lives, and the relative `href` between two pages. Nothing else builds URLs.

A `url` is site-relative POSIX with no leading slash and always names a file
(`people/mark-rowley/index.html`). An `href` is relative to the page it is written into, so
the site works from `file://` and under any sub-path.
"""
from __future__ import annotations

import posixpath
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .config import Config
from .model import Article, Month, Term, Year

HOME = "index.html"
SEARCH = "search.html"
NOT_FOUND = "404.html"
ARCHIVE = "archive/index.html"
INDEX = "index.html"
FEED = "feed.xml"  # Atom feed of the newest articles; feeds, sitemap and robots.txt need base_url
SITEMAP = "sitemap.xml"  # the sitemap, or the sitemap index past 50,000 URLs
ROBOTS = "robots.txt"


def article_url(article: Article) -> str:
    """`2015/01/police-patrols/index.html`: dated folders keep same-titled stories apart."""
    return f"{article.date.year:04d}/{article.date.month:02d}/{article.slug}/{INDEX}"


def taxonomy_url(prefix: str, by_count: bool = False) -> str:
    """The A-Z list of a taxonomy's terms (or the same list ranked by article count)."""
    return f"{prefix}/by-count/{INDEX}" if by_count else f"{prefix}/{INDEX}"


def term_url(config: Config, term: Term, page: int = 1) -> str:
    """A term's page; page 2 onwards live in `page/N/`."""
    folder = f"{config.taxonomy(term.taxonomy).url_prefix}/{term.slug}"
    return f"{folder}/{INDEX}" if page == 1 else f"{folder}/page/{page}/{INDEX}"


def url_of(config: Config, target: Any, page: int = 1) -> str:
    """The site-relative url of a model object (or of a url string, unchanged)."""
    if isinstance(target, str):
        return target
    if isinstance(target, Article):
        return article_url(target)
    if isinstance(target, Term):
        return term_url(config, target, page)
    if isinstance(target, Month):
        return month_url(target.year, target.month)
    if isinstance(target, Year):
        return year_url(target.year)
    raise TypeError(f"no url for {type(target).__name__}")


def term_feed_url(config: Config, term: Term) -> str:
    """The Atom feed of one term's newest articles, beside its first page."""
    return f"{config.taxonomy(term.taxonomy).url_prefix}/{term.slug}/{FEED}"


def sitemap_part_url(number: int) -> str:
    """Part `number` (1-based) of a sitemap split because it passed 50,000 URLs."""
    return f"sitemap-{number}.xml"


def year_url(year: int) -> str:
    """The archive page of one year."""
    return f"{year:04d}/{INDEX}"


def month_url(year: int, month: int) -> str:
    """The archive page of one month."""
    return f"{year:04d}/{month:02d}/{INDEX}"


def static_url(name: str) -> str:
    """A static asset (stylesheet, script, lunr.js)."""
    return f"static/{name}"


def relative_href(from_url: str, to_url: str, *, clean_urls: bool = False) -> str:
    """The href that leads from page `from_url` to `to_url`, keeping any `?query` or `#fragment`.

    With `clean_urls`, links to `.../index.html` end at the folder (`../people/`); otherwise
    they name the file, as `file://` needs. (Written for speed: a page of a large site holds
    dozens of links, half a million at 10,000 articles; a test holds it to the obvious code.)
    """
    if "?" in to_url or "#" in to_url:
        target, suffix = _split_suffix(to_url)
    else:
        target, suffix = to_url, ""
    is_folder = clean_urls and (target == INDEX or target.endswith("/" + INDEX))
    if is_folder:
        target = target[: -len(INDEX)].rstrip("/") or "."
    start, from_parts = _folder_of(from_url)
    goal = target or "."
    if from_parts is None or not _is_plain(goal):
        href = posixpath.relpath(goal, start)
    else:
        href = _relative_parts(goal, from_parts)
    if is_folder:
        href = "./" if href == "." else href + "/"
    elif target == "" and suffix:
        href = ""
    return href + suffix


def relative_path(target: str, start: str) -> str:
    """`posixpath.relpath(target, start)`, without its calls to getcwd. Paths that are not plain
    relative ones go the slow way."""
    if not (_is_plain(target) and _is_plain(start)):
        return posixpath.relpath(target, start)
    return _relative_parts(target, start.split("/") if start != "." else [])


@lru_cache(maxsize=1024)  # every link of a page starts from its folder
def _folder_of(url: str) -> tuple[str, tuple[str, ...] | None]:
    """The folder of page `url` (`.` at the top) and its segments, None if it is not plain."""
    start = posixpath.dirname(url) or "."
    if not _is_plain(start):
        return start, None
    return start, tuple(start.split("/")) if start != "." else ()


_UP = tuple("../" * n for n in range(64))


def _relative_parts(target: str, from_parts: Sequence[str]) -> str:
    """The relative path to plain `target` from the plain folder of segments `from_parts`."""
    if target == ".":
        return "/".join([".."] * len(from_parts)) or "."
    to_parts = target.split("/")
    if not from_parts or to_parts[0] != from_parts[0]:  # most links: nothing in common
        return (_UP[len(from_parts)] if len(from_parts) < len(_UP) else "../" * len(from_parts)) + target
    common = 0
    for a, b in zip(to_parts, from_parts):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:]) or "."


def _is_plain(path: str) -> bool:
    """`.`, or segments none of which is empty, `.` or `..`."""
    return path == "." or not (path[:1] in ("", ".", "/") or path[-1] == "/" or "/." in path or "//" in path)


def _split_suffix(url: str) -> tuple[str, str]:
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    return url[:cut], url[cut:]


def absolute_url(base_url: str, url: str) -> str:
    """`base_url` + `url` for canonical links and feeds; folders end in `/`."""
    if url == INDEX or url.endswith("/" + INDEX):
        url = url[: -len(INDEX)]
    return base_url + url
