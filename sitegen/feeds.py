"""Atom feeds of the newest articles: one for the site, one per term, made with feedgen.

Atom needs absolute IRIs for ids and links, so feeds are written only when `base_url` is
set; without it a site on disk has no feed reader to serve anyway (README, "Feeds and sitemap").
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from . import __version__, urls
from .model import Article, Site, Taxonomy, Term

# Characters XML 1.0 cannot carry at all; lxml refuses them, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NO_ARTICLES = datetime(1970, 1, 1, tzinfo=timezone.utc)  # `updated` of an empty feed, stable


class _SharedEntry(FeedEntry):
    """An entry whose Atom element is made once; each feed gets a copy (lxml elements have one parent)."""

    _element: Any = None

    def atom_entry(self, extensions: bool = True) -> Any:
        if self._element is None:
            self._element = super().atom_entry(extensions)
        return copy.deepcopy(self._element)


class _Entries(dict[Article, FeedEntry]):
    """Each article's entry, made once and shared by every feed that carries it (most of the
    time of a feed goes into making entries)."""

    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site

    def __missing__(self, article: Article) -> FeedEntry:
        entry = self[article] = _entry(self.site, article)
        return entry


def build_feed_files(site: Site) -> dict[str, bytes]:
    """url -> Atom XML of the site feed and every term's feed; empty without `base_url`."""
    return _feeds(site, lambda taxonomy: taxonomy.terms)


def feeds_showing(site: Site, articles: list[Article]) -> dict[str, bytes]:
    """`build_feed_files` of only the feeds that may carry `articles`: the site's, and those
    of the terms they name (the others do not change when only these articles do)."""
    return _feeds(site, lambda taxonomy: dict.fromkeys(term for a in articles for term in taxonomy.terms_of(a)))


def _feeds(site: Site, terms_of: Callable[[Taxonomy], Iterable[Term]]) -> dict[str, bytes]:
    """The site feed and the feeds of each taxonomy's `terms_of`; empty without `base_url`."""
    if not site.config.base_url:
        return {}
    entries = _Entries(site)
    files = {urls.FEED: _atom(site, site.config.title, urls.HOME, urls.FEED, site.articles, entries)}
    for taxonomy in site.taxonomies.values():
        for term in terms_of(taxonomy):
            files[urls.term_feed_url(site.config, term)] = term_feed(site, taxonomy, term, entries)
    return files


def term_feed(site: Site, taxonomy: Taxonomy, term: Term, entries: dict[Article, FeedEntry] | None = None) -> bytes:
    """The Atom feed of the newest articles naming `term`."""
    title = f"{term.name} · {taxonomy.config.plural} · {site.config.title}"
    page_url = urls.term_url(site.config, term)
    return _atom(site, title, page_url, urls.term_feed_url(site.config, term), term.articles,
                 _Entries(site) if entries is None else entries)


def _atom(site: Site, title: str, page_url: str, feed_url: str, articles: tuple[Article, ...],
          entries: dict[Article, FeedEntry]) -> bytes:
    config = site.config
    feed = FeedGenerator()
    feed.id(_absolute(site, page_url))
    feed.title(_text(title))
    feed.subtitle(_text(config.description) or _text(title))
    feed.author({"name": _text(config.title)})  # Atom needs an author; the archive is the publisher
    feed.link(href=_absolute(site, page_url), rel="alternate", type="text/html")
    feed.link(href=_absolute(site, feed_url), rel="self", type="application/atom+xml")
    feed.language(config.language)
    feed.generator("sitegen", version=__version__)
    newest = articles[: config.feed_size]
    feed.updated(newest[0].date if newest else _NO_ARTICLES)
    for article in newest:
        feed.add_entry(entries[article], order="append")  # newest first, as given
    return feed.atom_str(pretty=True)


def _entry(site: Site, article: Article) -> FeedEntry:
    entry = _SharedEntry()
    url = _absolute(site, urls.article_url(article))
    entry.id(url)
    entry.title(_text(article.title))
    entry.link(href=url, rel="alternate", type="text/html")
    entry.published(article.date)
    entry.updated(article.date)
    if article.summary:
        entry.summary(_text(article.summary))
    for name in article.byline or ((article.source,) if article.source else ()):
        entry.author({"name": _text(name)})
    for taxonomy in site.taxonomies.values():
        for term in taxonomy.terms_of(article):
            entry.category(term=_text(term.name),
                           scheme=_absolute(site, urls.taxonomy_url(taxonomy.config.url_prefix)))
    return entry


def _absolute(site: Site, url: str) -> str:
    return urls.absolute_url(site.config.base_url, url)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)
