"""Search files for the browser, built from the model (not from HTML).

`build_search_files` returns url -> bytes: lunr.js, and the index and document store as
sharded `.js` data files (see `search_shards`) that `static/search.js` loads with `<script>`
tags, so search works from `file://`. The rest work from a `SearchInput` (the model's, or one a
process without the model reads from a file). Documents are numbered oldest first (see
`SearchInput`); that number is the lunr ref, and the search page ranks equal scores newest first.
"""
from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from . import urls
from .config import Config, find_lunr_js
from .errors import ContentError, Problem
from .fingerprints import digest_of
from .model import Site
from .render import iso_date, long_date
from .search_analysis import Analyser
from .search_input import SearchDocument, SearchInput, SearchTaxonomy
from .search_index import BuiltIndex, CountedIndex, IndexField, count_index, index_postings
from .search_ranges import RangeWalker, cut_shards
from .search_shards import (FOLDER, SHARD_BYTES, Item, Kept, ShardTable, data_file, data_url, doc_file, doc_url,
                            encode_facets, iter_shard_files)

TITLE_BOOST, TERM_BOOST, SUMMARY_BOOST, SOURCE_BOOST = 10, 5, 2, 2
POSTINGS_PER_PASS = 4_000_000  # a pass holds ~40 bytes a posting (sorted arrays, shard texts)


def index_fields(source: SearchInput) -> tuple[IndexField, ...]:
    """Indexed fields, in lunr order: title, one per taxonomy, summary, body, source."""
    fixed = {"title", "summary", "body", "source"}
    terms = [IndexField(t.name, TERM_BOOST) for t in source.taxonomies if t.name not in fixed]
    return (IndexField("title", TITLE_BOOST), *terms, IndexField("summary", SUMMARY_BOOST),
            IndexField("body"), IndexField("source", SOURCE_BOOST))


def index_documents(source: SearchInput, *, packed: bool = False) -> Iterator[dict[str, Any]]:
    """Each article's indexed text by field name, in document-number order, made as asked for
    (the bodies of 100,000 articles would take gigabytes at once). With `packed` the body is
    left packed (a `Body`), for `Analyser.analysed` to unpack only if it does not know it."""
    for found in source.documents():
        yield indexed_texts(source, found, packed=packed)


def indexed_texts(source: SearchInput, found: SearchDocument, *, packed: bool = False) -> dict[str, Any]:
    """One document's indexed text by field name (see `index_documents`)."""
    document = {"title": found.title, "summary": found.summary, "body": found.body if packed else found.body.text,
                "source": found.source}
    for taxonomy, numbers in zip(source.taxonomies, found.terms):
        document.setdefault(taxonomy.name, " ".join(taxonomy.terms[n][0] for n in numbers))
    return document


def count_site_index(source: SearchInput, analyser: Analyser | None = None) -> CountedIndex:
    """The site's index as counted (see `count_index`)."""
    refs = [str(number) for number in range(source.count)]
    return count_index(index_fields(source), refs, index_documents(source, packed=True), analyser)


def build_search_files(site: Site, *, shard_bytes: int = SHARD_BYTES,
                       analyser: Analyser | None = None) -> dict[str, bytes]:
    """url -> bytes of the search assets of the model `site`: lunr.js, the manifest, term
    shards, length files, lexicon, facets, documents.

    `analyser` (see `cache.read_analyser`) lets a rebuild skip analysing unchanged articles."""
    source = SearchInput.of_site(site)
    return {**dict(iter_search_index_files(source, shard_bytes=shard_bytes, analyser=analyser)),
            **dict(iter_search_store_files(source))}


def iter_search_index_files(source: SearchInput, *, shard_bytes: int = SHARD_BYTES,
                            analyser: Analyser | None = None) -> Iterator[tuple[str, bytes]]:
    """The first part of `build_search_files`, one file at a time: lunr.js, the term shards,
    length files, lexicon and manifest."""
    counted = count_site_index(source, analyser)
    index, items = shard_items(counted, release=True, shard_bytes=shard_bytes)
    return index_files(source, index, items, shard_bytes=shard_bytes)  # type: ignore[return-value]  # no Kept


def shard_items(counted: CountedIndex, part: tuple[int, int] = (0, 1), *, release: bool = False,
                known: ShardTable | None = None, shard_bytes: int = SHARD_BYTES) -> tuple[BuiltIndex, Iterator[Item]]:
    """The index without its postings, and the items `cut_shards` takes for part `part` of its
    terms (see `index_postings`, `RangeWalker`), made as they are asked for: the parts' items,
    joined in order, are the whole index's. A range `known` has with the same postings is kept
    rather than encoded. A part with more than `POSTINGS_PER_PASS` postings is made in passes,
    each a smaller part, and each pass's postings are freed once encoded, so the postings of
    100,000 articles are never all in memory. `release` frees the counts after the last pass."""
    k, n = part
    passes = max(1, -(-counted.postings // (n * POSTINGS_PER_PASS)))
    first = index_postings(counted, (k * passes, n * passes), release=release and passes == 1)
    walker = RangeWalker(known, starts=k == 0, ends=k == n - 1, shard_bytes=shard_bytes)

    def items(made: BuiltIndex) -> Iterator[Item]:
        for j in range(1, passes + 1):
            yield from walker.items(made, last_pass=j == passes)
            made = None  # type: ignore[assignment]  # freed before the next pass is made
            if j < passes:
                made = index_postings(counted, (k * passes + j, n * passes), release=release and j == passes - 1)

    return BuiltIndex(first.fields, first.refs, first.first_uses, first.lengths, [], []), items(first)


def part_items(counted: CountedIndex, part: tuple[int, int], known: ShardTable | None = None) -> list[Item]:
    """The shard items of part `part` of the terms, all at once (a forked process's answer)."""
    return list(shard_items(counted, part, release=True, known=known)[1])


def index_files(source: SearchInput, index: BuiltIndex, items: Iterable[Item], *, shard_bytes: int = SHARD_BYTES,
                table: ShardTable | None = None) -> Iterator[tuple[str, bytes | Kept]]:
    """lunr.js, then the term shards, length files, lexicon and manifest made from all of the
    index's shard items, each file made as it is asked for (`table`: see `iter_shard_files`)."""
    path = find_lunr_js(source.config.root)
    if path is None:
        raise ContentError("lunr.js missing", [Problem("package.json", 1, "lunr.js is not installed; "
                                               "run 'make build' (or 'npm ci') to install it")])
    labels = {taxonomy.name: taxonomy.plural for taxonomy in source.taxonomies}
    return itertools.chain([(urls.static_url("lunr.min.js"), path.read_bytes())],
                           iter_shard_files(index, cut_shards(items, shard_bytes), labels, table))


def iter_search_store_files(source: SearchInput) -> Iterator[tuple[str, bytes]]:
    """The rest of `build_search_files`, one file at a time, made as they are asked for: each
    document's file, then the facets (gathered on the way)."""
    return ((url, data) for url, data, _ in iter_store_files_keyed(source, {}))


def iter_store_files_keyed(source: SearchInput,
                           known: Mapping[str, bytes]) -> Iterator[tuple[str, bytes | None, bytes]]:
    """`iter_search_store_files` with each document's key, a digest of what its file is made of
    (with the code and config, which the caller keys by; the facets' is empty): a document whose
    url `known` maps to its key is not made again (None in place of its bytes: the caller has
    it)."""
    hrefs = term_hrefs(source)
    facets = _Facets(source.taxonomies)
    for number, document in enumerate(source.documents()):
        facets.add(number, document)
        yield doc_url(number), *store_file(source, hrefs, number, document, known.get(doc_url(number)))
    yield data_url("facets"), data_file("facets", encode_facets(facets.values())), b""


def term_hrefs(source: SearchInput) -> list[list[str]]:
    """Per taxonomy, each term's link from the search page (what `store_file` is given)."""
    return [[_href(source.config, url) for _, url in taxonomy.terms] for taxonomy in source.taxonomies]


def store_file(source: SearchInput, hrefs: list[list[str]], number: int, document: SearchDocument,
               known: bytes | None = None) -> tuple[bytes | None, bytes]:
    """Document `number`'s store file (None if its key is `known`) and its key."""
    named = [(t.name, t.terms[n][0], t_hrefs[n]) for t, t_hrefs, ns in zip(source.taxonomies, hrefs, document.terms)
             for n in ns]
    key = digest_of((number, document.title, document.summary, document.source, document.date.isoformat(),
                     document.url, document.body.packed, document.body.html_size, named))
    return None if known == key else doc_file(number, document_entry(source, document, named)), key


def facets_file(source: SearchInput) -> tuple[str, bytes]:
    """The facets file of every document."""
    facets = _Facets(source.taxonomies)
    for number, document in enumerate(source.documents()):
        facets.add(number, document)
    return data_url("facets"), data_file("facets", encode_facets(facets.values()))


class _Facets:
    """The facets (each taxonomy, then source and year), gathered a document at a time: value
    names with ascending document numbers, the most used first. The URL names a chosen value by
    name (`people=Mark Rowley`), unique in its facet and the same across builds."""

    def __init__(self, taxonomies: tuple[SearchTaxonomy, ...]) -> None:
        self.taxonomies = taxonomies
        self.members: list[list[list[int]]] = [[[] for _ in taxonomy.terms] for taxonomy in taxonomies]
        self.by_source: dict[str, list[int]] = {}
        self.by_year: dict[str, list[int]] = {}

    def add(self, number: int, document: SearchDocument) -> None:
        """Count document `number` under its terms, source and year."""
        for members, terms in zip(self.members, document.terms):
            for term in terms:
                members[term].append(number)
        if document.source:
            self.by_source.setdefault(document.source, []).append(number)
        self.by_year.setdefault(str(document.date.year), []).append(number)

    def values(self) -> list[dict[str, Any]]:
        """The facets of the documents added."""
        facets = [_facet(t.name, t.singular, t.plural, [(name, found) for (name, _), found in zip(t.terms, members)])
                  for t, members in zip(self.taxonomies, self.members)]
        facets.append(_facet("source", "Source", "Sources", list(self.by_source.items())))
        facets.append(_facet("year", "Year", "Years", list(self.by_year.items())))
        return facets


def document_entry(source: SearchInput, document: SearchDocument, terms: list[tuple[str, str, str]]) -> dict[str, Any]:
    """What one search result shows, naming its `terms` (taxonomy, name, link); links are
    relative to search.html."""
    return {"title": document.title, "url": _href(source.config, document.url),
            "date": iso_date(document.date), "dateText": long_date(document.date), "source": document.source,
            "summary": document.summary, "terms": terms, "text": document.body.text}


def _href(config: Config, url: str) -> str:
    return urls.relative_href(urls.SEARCH, url, clean_urls=config.clean_urls)


def _facet(key: str, singular: str, plural: str, values: list[tuple[str, list[int]]]) -> dict[str, Any]:
    values.sort(key=lambda value: (-len(value[1]), value[0]))
    return {"key": key, "label": singular, "plural": plural, "values": values}


def search_file_sizes(files: Iterable[tuple[str, bytes]]) -> dict[str, int]:
    """Bytes of the search data among (url, bytes) `files`, raw and gzip, by kind (for `make bench`).

    Kinds: `index` (manifest, term shards, length files), `store` (documents), `facets`,
    `lexicon` (loaded only by fuzzy and leading-`*` queries), `lunr` (lunr.js); plus file counts
    and the largest shard's gzip size, which bounds what one query word adds to a download.
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
