"""Where every page lives, and the relative `href` between two pages. Nothing else builds URLs.

A `url` is site-relative POSIX with no leading slash and always names a file
(`people/mark-rowley/index.html`). An `href` is relative to the page it is written into, so
the site works from `file://` and under any sub-path.
"""
from __future__ import annotations

import posixpath

from .config import Config
from .model import Article, Term

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
    they name the file, as `file://` needs.
    """
    target, suffix = _split_suffix(to_url)
    is_folder = clean_urls and (target == INDEX or target.endswith("/" + INDEX))
    if is_folder:
        target = target[: -len(INDEX)].rstrip("/") or "."
    start = posixpath.dirname(from_url) or "."
    href = relative_path(target or ".", start)
    if is_folder:
        href = "./" if href == "." else href + "/"
    elif target == "" and suffix:
        href = ""
    return href + suffix


def relative_path(target: str, start: str) -> str:
    """`posixpath.relpath(target, start)`, without its calls to getcwd: hrefs are a third of
    rendering time on a large site (issue 7). Paths that are not plain relative ones go the
    slow way."""
    if not (_is_plain(target) and _is_plain(start)):
        return posixpath.relpath(target, start)
    to_parts = target.split("/") if target != "." else []
    from_parts = start.split("/") if start != "." else []
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
