"""`sitemap.xml` (a sitemap index with parts past 50,000 URLs) and `robots.txt`.

Both need absolute URLs, so they are written only when `base_url` is set.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote
from xml.etree import ElementTree

from . import urls
from .model import Article, Site
from .pages import Page

SITEMAP_LIMIT = 50_000  # URLs per sitemap file, by the sitemaps.org protocol
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_UNLISTED = {urls.NOT_FOUND, urls.SEARCH}  # not worth a search engine's visit
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"  # keep a base_url's own escapes and delimiters


def build_sitemap_files(site: Site, pages: Sequence[Page], limit: int = SITEMAP_LIMIT) -> dict[str, bytes]:
    """url -> bytes of the sitemap (or index and parts) and robots.txt; empty without `base_url`."""
    base = site.config.base_url
    if not base:
        return {}
    entries = sitemap_entries(site, pages)
    files: dict[str, bytes] = {}
    if len(entries) <= limit:
        files[urls.SITEMAP] = _document("urlset", "url", entries)
    else:
        parts = [entries[i:i + limit] for i in range(0, len(entries), limit)]
        index = []
        for number, part in enumerate(parts, start=1):
            files[urls.sitemap_part_url(number)] = _document("urlset", "url", part)
            newest = max((lastmod for _, lastmod in part if lastmod), default=None)
            index.append((_loc(base, urls.sitemap_part_url(number)), newest))
        files[urls.SITEMAP] = _document("sitemapindex", "sitemap", index)
    files[urls.ROBOTS] = robots_txt(site).encode("utf-8")
    return files


def sitemap_entries(site: Site, pages: Sequence[Page]) -> list[tuple[str, datetime | None]]:
    """(absolute loc, last change if known) of every HTML page worth listing, in plan order."""
    by_source = {article.source_file: article for article in site.articles}
    entries = []
    for page in pages:
        if not page.url.endswith(".html") or page.url in _UNLISTED:
            continue
        entries.append((_loc(site.config.base_url, page.url), _lastmod(page, by_source)))
    return entries


def robots_txt(site: Site) -> str:
    """Let every crawler in, and name the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {_loc(site.config.base_url, urls.SITEMAP)}\n"


def _lastmod(page: Page, by_source: dict[str, Article]) -> datetime | None:
    # An article page changes with its article; any other page with the newest article it shows.
    # (An article page's sources also name its neighbours, hence the special case.)
    article = page.context.get("article")
    if isinstance(article, Article):
        return article.date
    return max((by_source[s].date for s in page.sources if s in by_source), default=None)


def _loc(base_url: str, url: str) -> str:
    return quote(urls.absolute_url(base_url, url), safe=_URL_SAFE)


def _document(root_tag: str, item_tag: str, entries: Sequence[tuple[str, datetime | None]]) -> bytes:
    root = ElementTree.Element(root_tag, xmlns=NAMESPACE)
    for loc, lastmod in entries:
        item = ElementTree.SubElement(root, item_tag)
        ElementTree.SubElement(item, "loc").text = loc
        if lastmod:  # W3C datetime, as the protocol asks
            ElementTree.SubElement(item, "lastmod").text = lastmod.isoformat(timespec="seconds")
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
