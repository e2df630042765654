"""What the search files are made from: per article the fields they index and show, per taxonomy
its terms. Taken from the model, or read back from a file that a process without the model
(forked before it was built, so never charged for its memory) streams twice: once to index the
articles, once to write their documents.
"""
from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import urls
from .config import Config
from .model import Article, Body, Site

_BATCH = 1_000  # articles pickled together: big enough to pickle fast, small enough to hold


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One article as the search sees it."""

    title: str
    summary: str
    source: str
    date: datetime
    url: str  # the article page's url
    body: Body
    terms: tuple[tuple[int, ...], ...]  # per taxonomy of the input, the numbers of the terms it names, in its order


@dataclass(frozen=True)
class SearchTaxonomy:
    """A taxonomy's name, labels and terms (A-Z, as in the model): (name, page url) each."""

    name: str
    singular: str
    plural: str
    terms: tuple[tuple[str, str], ...]


class SiteDocuments:
    """The documents of the model `site`, oldest first, each made as it is asked for (see `of`)."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.taxonomies = tuple(site.taxonomies.values())
        self.numbers = [{term: n for n, term in enumerate(taxonomy.terms)} for taxonomy in self.taxonomies]

    def __call__(self) -> Iterator[SearchDocument]:
        return map(self.of, reversed(self.site.articles))

    def of(self, article: Article) -> SearchDocument:
        """`article` as the search sees it."""
        terms = tuple(tuple(number[term] for term in taxonomy.terms_of(article))
                      for taxonomy, number in zip(self.taxonomies, self.numbers))
        return SearchDocument(article.title, article.summary, article.source, article.date,
                              urls.article_url(article), article.body, terms)


class SearchInput:
    """The config, taxonomies and documents of one build's search: one per article, oldest
    first (the reverse of `site.articles`), so an added article, mostly the newest, leaves every
    other document's number, and its file, as it was. `documents()` starts again on every call."""

    def __init__(self, config: Config, taxonomies: tuple[SearchTaxonomy, ...], count: int,
                 documents: Callable[[], Iterator[SearchDocument]]) -> None:
        self.config = config
        self.taxonomies = taxonomies
        self.count = count
        self.documents = documents

    @classmethod
    def of_site(cls, site: Site, documents: SiteDocuments | None = None) -> SearchInput:
        """The search input of the model `site`, each document made as it is asked for (by
        `documents`, if given: the site's)."""
        taxonomies = tuple(site.taxonomies.values())
        described = tuple(SearchTaxonomy(t.name, t.config.singular, t.config.plural,
                                         tuple((term.name, urls.term_url(site.config, term)) for term in t.terms))
                          for t in taxonomies)
        return cls(site.config, described, len(site.articles), documents or SiteDocuments(site))

    def write(self, path: Path) -> None:
        """Stream this input to `path`, a batch of documents at a time (see `read`)."""
        with path.open("wb") as file:
            pickle.dump((self.config, self.taxonomies, self.count), file, pickle.HIGHEST_PROTOCOL)
            batch: list[tuple] = []
            for document in self.documents():
                batch.append((document.title, document.summary, document.source, document.date, document.url,
                              document.body.packed, document.body.html_size, document.terms))
                if len(batch) == _BATCH:
                    pickle.dump(batch, file, pickle.HIGHEST_PROTOCOL)
                    batch = []
            pickle.dump(batch, file, pickle.HIGHEST_PROTOCOL)

    @classmethod
    def read(cls, path: Path) -> SearchInput:
        """The input `write` saved at `path`; its documents are read from the file as they are
        asked for, a batch at a time, so they are never all in memory."""
        with path.open("rb") as file:
            config, taxonomies, count = pickle.load(file)

        def documents() -> Iterator[SearchDocument]:
            with path.open("rb") as stream:
                pickle.load(stream)  # the head
                seen = 0
                while seen < count:
                    batch = pickle.load(stream)
                    seen += len(batch)
                    for title, summary, source, date, url, packed, html_size, terms in batch:
                        yield SearchDocument(title, summary, source, date, url, Body(packed, html_size), terms)

        return cls(config, taxonomies, count, documents)
