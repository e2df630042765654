"""Search files for the browser, built from the model (not from HTML).

`build_search_files` returns url -> bytes: lunr.js, and the index and document store as
sharded `.js` data files (see `search_shards`) that `static/search.js` loads with `<script>`
tags, so search works from `file://`. Documents are numbered in `site.articles` order
(newest first); that number is the lunr ref.
"""
from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from . import urls
from .errors import ContentError, Problem
from .model import Article, Site, Term
from .render import iso_date, long_date
from .search_analysis import Analyser
from .search_index import BuiltIndex, CountedIndex, IndexField, count_index, score_index
from .search_shards import (FOLDER, SHARD_BYTES, cut_shards, data_file, data_url, encode_facets, iter_doc_files,
                            iter_shard_files, shard_entries)

LUNR_JS = Path("node_modules/lunr/lunr.min.js")
_SITEGEN_CHECKOUT = Path(__file__).resolve().parent.parent  # where `make` ran `npm ci`
TITLE_BOOST, TERM_BOOST, SUMMARY_BOOST, SOURCE_BOOST = 10, 5, 2, 2
POSTINGS_PER_PASS = 10_000_000  # ~140 MB of postings at once; six passes cost 7.1 s of CPU where one took 5.1


def find_lunr_js(root: Path) -> Path | None:
    """lunr.js installed by npm in the project, or else in the sitegen checkout."""
    for base in (root, _SITEGEN_CHECKOUT):
        if (base / LUNR_JS).is_file():
            return base / LUNR_JS
    return None


def index_fields(site: Site) -> tuple[IndexField, ...]:
    """Indexed fields, in lunr order: title, one per taxonomy, summary, body, source."""
    fixed = {"title", "summary", "body", "source"}
    terms = [IndexField(t.name, TERM_BOOST) for t in site.taxonomies.values() if t.name not in fixed]
    return (IndexField("title", TITLE_BOOST), *terms, IndexField("summary", SUMMARY_BOOST),
            IndexField("body"), IndexField("source", SOURCE_BOOST))


def index_documents(site: Site) -> Iterator[dict[str, str]]:
    """Each article's indexed text by field name, in document-number order, made as asked for
    (the bodies of 100,000 articles would take gigabytes at once)."""
    for article in site.articles:
        document = {"title": article.title, "summary": article.summary, "body": article.body_text,
                    "source": article.source}
        for name, taxonomy in site.taxonomies.items():
            document.setdefault(name, " ".join(term.name for term in taxonomy.terms_of(article)))
        yield document


def count_site_index(site: Site, analyser: Analyser | None = None) -> CountedIndex:
    """The site's index before scoring (see `count_index`)."""
    refs = [str(number) for number in range(len(site.articles))]
    return count_index(index_fields(site), refs, index_documents(site), analyser)


def build_search_files(site: Site, *, shard_bytes: int = SHARD_BYTES,
                       analyser: Analyser | None = None) -> dict[str, bytes]:
    """url -> bytes of the search assets: lunr.js, the manifest, term shards, facets, documents.

    `analyser` (see `cache.read_analyser`) lets a rebuild skip analysing unchanged articles."""
    return {**dict(iter_search_index_files(site, shard_bytes=shard_bytes, analyser=analyser)),
            **search_store_files(site)}


def iter_search_index_files(site: Site, *, shard_bytes: int = SHARD_BYTES,
                            analyser: Analyser | None = None) -> Iterator[tuple[str, bytes]]:
    """The first part of `build_search_files`, one file at a time: lunr.js, the term shards,
    lexicon and manifest."""
    return index_files(site, *scored_entries(count_site_index(site, analyser), release=True), shard_bytes=shard_bytes)


def scored_entries(counted: CountedIndex, part: tuple[int, int] = (0, 1), *,
                   release: bool = False) -> tuple[BuiltIndex, Iterator[tuple[str, str]]]:
    """The index without its postings, and the encoded shard entries of part `part` of its terms
    (see `score_index`), made as they are asked for: the parts' entries, joined in order, are
    the whole index's. A part with more than `POSTINGS_PER_PASS` postings is scored in passes,
    each a smaller part, and each term's postings are freed once encoded, so the postings of
    100,000 articles are never all in memory. `release` frees the counts after the last pass."""
    k, n = part
    passes = max(1, -(-sum(counted.field_docs.values()) // (n * POSTINGS_PER_PASS)))
    first = score_index(counted, (k * passes, n * passes), release=release and passes == 1)

    def entries(scored: BuiltIndex) -> Iterator[tuple[str, str]]:
        for j in range(1, passes + 1):
            yield from shard_entries(scored, release=True)
            if j < passes:
                scored = score_index(counted, (k * passes + j, n * passes), release=release and j == passes - 1)

    return BuiltIndex(first.fields, first.refs, first.term_numbers, []), entries(first)


def part_entries(counted: CountedIndex, part: tuple[int, int]) -> list[tuple[str, str]]:
    """The encoded shard entries of part `part` of the terms, all at once (a forked process's answer)."""
    return list(scored_entries(counted, part, release=True)[1])


def index_files(site: Site, index: BuiltIndex, entries: Iterable[tuple[str, str]], *,
                shard_bytes: int = SHARD_BYTES) -> Iterator[tuple[str, bytes]]:
    """lunr.js, then the term shards, lexicon and manifest made from all of the index's entries,
    each file made as it is asked for."""
    path = find_lunr_js(site.config.root)
    if path is None:
        raise ContentError("lunr.js missing", [Problem("package.json", 1, "lunr.js is not installed; "
                                               "run 'make build' (or 'npm ci') to install it")])
    labels = {name: taxonomy.config.plural for name, taxonomy in site.taxonomies.items()}
    return itertools.chain([(urls.static_url("lunr.min.js"), path.read_bytes())],
                           iter_shard_files(index, cut_shards(entries, shard_bytes), labels))


def search_store_files(site: Site) -> dict[str, bytes]:
    """The rest of `build_search_files`: the facets and each document's file."""
    return dict(iter_search_store_files(site))


def iter_search_store_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """`search_store_files` one file at a time, made as they are asked for."""
    yield data_url("facets"), data_file("facets", encode_facets(facet_values(site)))
    term_hrefs: dict[Term, str] = {}
    yield from iter_doc_files(document_entry(site, a, term_hrefs) for a in site.articles)


def document_entry(site: Site, article: Article, term_hrefs: dict[Term, str] | None = None) -> dict[str, Any]:
    """What one search result shows; links are relative to search.html (`term_hrefs` caches them)."""
    hrefs = {} if term_hrefs is None else term_hrefs
    terms = []
    for taxonomy in site.taxonomies.values():
        for term in taxonomy.terms_of(article):
            if term not in hrefs:
                hrefs[term] = _href(site, urls.term_url(site.config, term))
            terms.append([taxonomy.name, term.name, hrefs[term]])
    return {"title": article.title, "url": _href(site, urls.article_url(article)),
            "date": iso_date(article.date), "dateText": long_date(article.date), "source": article.source,
            "summary": article.summary, "terms": terms, "text": article.body_text}


def _href(site: Site, url: str) -> str:
    return urls.relative_href(urls.SEARCH, url, clean_urls=site.config.clean_urls)


def facet_values(site: Site) -> list[dict[str, Any]]:
    """Facets (each taxonomy, then source and year): value names with ascending document numbers.

    The URL names a chosen value by name (`people=Mark Rowley`), which is unique in its
    taxonomy and stays the same across builds."""
    number = {article: n for n, article in enumerate(site.articles)}
    facets = []
    for taxonomy in site.taxonomies.values():
        values = [(term.name, sorted(number[a] for a in term.articles)) for term in taxonomy.terms]
        facets.append(_facet(taxonomy.name, taxonomy.config.singular, taxonomy.config.plural, values))
    by_source: dict[str, list[int]] = {}
    by_year: dict[str, list[int]] = {}
    for n, article in enumerate(site.articles):
        if article.source:
            by_source.setdefault(article.source, []).append(n)
        by_year.setdefault(str(article.date.year), []).append(n)
    facets.append(_facet("source", "Source", "Sources", list(by_source.items())))
    facets.append(_facet("year", "Year", "Years", list(by_year.items())))
    return facets


def _facet(key: str, singular: str, plural: str, values: list[tuple[str, list[int]]]) -> dict[str, Any]:
    values.sort(key=lambda value: (-len(value[1]), value[0]))
    return {"key": key, "label": singular, "plural": plural, "values": values}


def search_file_sizes(files: Iterable[tuple[str, bytes]]) -> dict[str, int]:
    """Bytes of the search data among (url, bytes) `files`, raw and gzip, by kind (for `make bench`).

    Kinds: `index` (manifest + term shards), `store` (documents), `facets`, `lexicon` (loaded
    only by fuzzy and leading-`*` queries), `lunr` (lunr.js); plus file counts and the largest
    shard's gzip size, which bounds what one query word adds to a download.
    """
    sizes: dict[str, int] = {"shard_count": 0, "doc_file_count": 0, "largest_shard_gzip": 0}
    for url, data in files:
        kind = _kind(url)
        if kind is None:
            continue
        packed = len(gzip.compress(data, 6))
        sizes[f"{kind}_raw"] = sizes.get(f"{kind}_raw", 0) + len(data)
        sizes[f"{kind}_gzip"] = sizes.get(f"{kind}_gzip", 0) + packed
        if url.startswith(f"{FOLDER}/terms/"):
            sizes["shard_count"] += 1
            sizes["largest_shard_gzip"] = max(sizes["largest_shard_gzip"], packed)
        elif url.startswith(f"{FOLDER}/docs/"):
            sizes["doc_file_count"] += 1
    return sizes


def _kind(url: str) -> str | None:
    if url == urls.static_url("lunr.min.js"):
        return "lunr"
    if not url.startswith(FOLDER + "/"):
        return None
    name = url[len(FOLDER) + 1:]
    if name.startswith("docs/"):
        return "store"
    return {"facets.js": "facets", "lexicon.js": "lexicon"}.get(name, "index")
