"""A Lunr 2.3.9 index built fast, equal to the one the Python `lunr` package builds.

`lunr.Builder` spends most of its time running every token through the pipeline and building
`Token`, `FieldRef` and `Vector` objects. `build_index` does the same arithmetic on plain dicts:
each distinct token is analysed once (the pipeline is a pure function of the token), and
documents, fields and terms are visited in lunr's order, so term numbers, BM25 scores and the
serialised index are the same as lunr.py's (a test compares them). The reference builder
`lunr_builder` is lunr.py itself, configured with the same pipeline and fields.

The pipeline is `sitegenFold`, lunr's trimmer and stop-word filter, then `stem`: a Python
port of lunr.js's Porter stemmer (`search_stem.py`).
The query-time pipeline is `sitegenFold` then lunr.js's `stemmer`, registered identically in
`search-core.js` before `lunr.Index.load`.
"""
from __future__ import annotations

import gc
import itertools
import math
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import compress, repeat
from operator import mul, sub
from typing import Any

from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import stop_word_filter
from lunr.trimmer import trimmer

from .search_analysis import Analyser, analyse, fold_term  # noqa: F401 - analyse, fold_term: part of this API
from .search_stem import stem

LUNR_JS_VERSION = "2.3.9"  # the lunr.js release whose serialisation this module writes
FOLD_LABEL = "sitegenFold"
STEMMER_LABEL = "stemmer"  # lunr.js resolves this label to its own stemmer, which `stem` matches
K1, B = 1.2, 0.75  # lunr's BM25 defaults


def sitegen_fold(token: Any, i: int | None = None, tokens: list | None = None) -> Any:
    """lunr.py pipeline function: fold the token in place; drop it when nothing is left."""
    token.update(lambda text, metadata=None: fold_term(text))
    return token if str(token) else None


Pipeline.register_function(sitegen_fold, FOLD_LABEL)


def js_stemmer(token: Any, i: int | None = None, tokens: list | None = None) -> Any:
    """lunr.py pipeline function stemming like lunr.js; serialised under lunr.js's label."""
    return token.update(lambda text, metadata=None: stem(text))


js_stemmer.label = STEMMER_LABEL  # type: ignore[attr-defined]  # not registered: lunr.py keeps its own


# --- the index ---------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexField:
    """One indexed field and its boost (a multiplier on its BM25 scores)."""

    name: str
    boost: float = 1


@dataclass
class BuiltIndex:
    """An index in lunr's terms, held as postings rather than lunr objects.

    For field `fields[f]`, `postings[f][term]` is a flat list `[doc, score, doc, score, ...]`:
    the document numbers holding the term (ascending), each followed by its score x 1000
    (lunr's BM25 weight rounded to 3 decimals, so `k / 1000` is the same double in Python and
    JavaScript). Term numbers are lunr's `_index`.
    """

    fields: tuple[IndexField, ...]
    refs: tuple[str, ...]  # document refs, in the order documents were added
    term_numbers: dict[str, int]  # term -> lunr `_index`
    postings: list[dict[str, array[int]]]  # per field: term -> [doc, score x 1000, ...]

    def postings_of(self, term: str) -> list[tuple[list[int], list[int]]]:
        """Per field, the (documents, scores) of `term` (empty lists where it does not occur)."""
        found = [by_term.get(term, _NONE) for by_term in self.postings]
        return [(flat[0::2].tolist(), flat[1::2].tolist()) for flat in found]

    def serialize(self) -> dict[str, Any]:
        """The index as lunr.py's `Index.serialize()` would write it."""
        names = [f.name for f in self.fields]
        vectors: dict[tuple[int, int], list[tuple[int, float]]] = {
            (doc, f): [] for doc in range(len(self.refs)) for f in range(len(names))}
        inverted = []
        for term in sorted(self.term_numbers):
            number = self.term_numbers[term]
            posting: dict[str, Any] = {}
            for f, (docs, scores) in enumerate(self.postings_of(term)):
                posting[names[f]] = {self.refs[doc]: {} for doc in docs}
                for doc, score in zip(docs, scores):
                    vectors[(doc, f)].append((number, score / 1000))
            posting["_index"] = number
            inverted.append([term, posting])
        field_vectors = [[f"{names[f]}/{self.refs[doc]}", [x for pair in sorted(pairs) for x in pair]]
                         for (doc, f), pairs in vectors.items()]
        return {"version": LUNR_JS_VERSION, "fields": names, "fieldVectors": field_vectors,
                "invertedIndex": inverted, "pipeline": [FOLD_LABEL, STEMMER_LABEL]}


_NONE = array("i")
_ANALYSER = Analyser()  # used when a build is given none
_TOKENS_LIMIT = 2_000_000  # distinct tokens kept between builds (a long `serve` session)
_consume = deque(maxlen=0).extend  # run an iterator of C calls without a Python loop


def build_index(fields: Sequence[IndexField], refs: Sequence[str], documents: Iterable[Mapping[str, str]],
                analyser: Analyser | None = None, part: tuple[int, int] = (0, 1)) -> BuiltIndex:
    """Index `documents` (field name -> text, one per ref) exactly as lunr.py would.

    The per-token work runs in C (`map`, `Counter`, bound methods); Python loops only over
    documents and fields. Visiting documents, fields and tokens in lunr's order gives the
    same term numbers. `analyser` may remember documents from earlier builds. With `part`
    (k, n), only part k of n gets postings (see `score_index`).
    """
    return score_index(count_index(fields, refs, documents, analyser), part, release=True)


@dataclass
class CountedIndex:
    """An index before scoring: each field's term ids and counts per document, and what BM25
    needs from the whole collection. `score_index` turns it into postings."""

    fields: tuple[IndexField, ...]
    refs: tuple[str, ...]
    terms: list[str]  # term id -> term
    numbers: dict[int, int]  # term id -> lunr `_index`
    field_docs: Counter[int]  # term id -> (document, field) pairs holding it
    counted: list[list[tuple[array[int], array[int]]]]  # per field, per document: term ids, counts
    lengths: list[list[int]]  # per field, per document: tokens kept
    idf: list[float]  # by term id


def count_index(fields: Sequence[IndexField], refs: Sequence[str], documents: Iterable[Mapping[str, str]],
                analyser: Analyser | None = None) -> CountedIndex:
    """The counting half of `build_index`. `documents` (one per ref) may be made as they are
    asked for: their texts are not kept."""
    global _ANALYSER
    if analyser is None:
        if len(_ANALYSER) > _TOKENS_LIMIT:
            _ANALYSER = Analyser()
        analyser = _ANALYSER
        analyser.documents.clear()  # only a persistent analyser keeps documents
    analyser.used.clear()
    with _no_gc():
        return _count_index(tuple(fields), tuple(refs), documents, analyser)


@contextmanager
def _no_gc() -> Iterator[None]:
    # Millions of small lists would trigger the cyclic collector over and over (half the time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _count_index(fields: tuple[IndexField, ...], refs: tuple[str, ...], documents: Iterable[Mapping[str, str]],
                 analyser: Analyser) -> CountedIndex:
    numbers: defaultdict[int, int] = defaultdict(itertools.count().__next__)  # term id -> lunr number, by first use
    field_docs: Counter[int] = Counter()  # term id -> (document, field) pairs holding it, for idf
    counted: list[list[tuple[array[int], array[int]]]] = [[] for _ in fields]  # per field, per document
    lengths: list[list[int]] = [[] for _ in fields]
    for document in documents:
        texts = [document.get(field.name) or "" for field in fields]
        for f, (ids, tfs, length) in enumerate(analyser.analysed(texts)):
            _consume(map(numbers.__getitem__, ids))
            field_docs.update(ids)
            counted[f].append((ids, tfs))
            lengths[f].append(length)
    n = len(refs)
    if fields and len(lengths[0]) != n:
        raise ValueError(f"{len(lengths[0])} documents for {n} refs")
    idf = [0.0] * len(analyser.terms)
    for term, d in field_docs.items():
        idf[term] = math.log(1 + abs((n - d + 0.5) / (d + 0.5)))
    return CountedIndex(fields, refs, list(analyser.terms), dict(numbers), field_docs, counted, lengths, idf)


def score_index(index: CountedIndex, part: tuple[int, int] = (0, 1), *, release: bool = False) -> BuiltIndex:
    """The postings of part k of n (`part`): a range of the sorted terms holding about 1/n of
    the postings, so n processes can share the work; the parts' postings together are the
    whole index's (term numbers are always complete). `release` frees each field's counts
    once scored (peak memory matters at 100,000 articles)."""
    n = len(index.refs)
    terms = index.terms
    keep = _part_of(part, index.field_docs, terms) if part[1] > 1 else None
    postings = []
    with _no_gc():
        for f, field in enumerate(index.fields):
            lengths = index.lengths[f]
            average = sum(lengths) / n if n else 0.0
            by_id = _score_field(index.counted[f], lengths, average, float(field.boost), index.idf, keep)
            postings.append({terms[term]: flat for term, flat in by_id.items()})
            if release:
                index.counted[f] = []
    return BuiltIndex(index.fields, index.refs, {terms[term]: number for term, number in index.numbers.items()},
                      postings)


def _part_of(part: tuple[int, int], field_docs: Counter[int], terms: list[str]) -> bytearray:
    """term id -> 1 for the terms of part k of n: cut from the sorted terms at about equal
    numbers of postings."""
    k, n = part
    keep = bytearray(len(terms))
    total, done = sum(field_docs.values()) or 1, 0
    for term in sorted(field_docs, key=terms.__getitem__):
        if min(n - 1, done * n // total) == k:
            keep[term] = 1
        done += field_docs[term]
    return keep


def _score_field(counted: Sequence[tuple[Sequence[int], Sequence[int]]], lengths: list[int], average: float,
                 boost: float, idf: list[float], keep: bytearray | None = None) -> dict[int, "array[int]"]:
    """One field's postings by term id (only of the terms `keep` marks, if given):
    [doc, score x 1000, ...], scores as lunr computes them."""
    postings: defaultdict[int, array[int]] = defaultdict(partial(array, "i"))
    scale = 1000.0 * boost
    for doc, (terms, tfs) in enumerate(counted):
        if keep is not None and terms:
            # A posting's score does not depend on the document's other postings (see
            # `exact_thousandths`), so scoring only some of them gives the same numbers.
            chosen = list(map(keep.__getitem__, terms))
            terms, tfs = list(compress(terms, chosen)), list(compress(tfs, chosen))
        if not terms:
            continue
        norm = K1 * (1 - B + B * (lengths[doc] / average))
        # BM25 x boost x 1000 per distinct term frequency, so each posting costs one multiply.
        by_tf = {tf: (K1 + 1) * tf * scale / (norm + tf) for tf in set(tfs)}
        scaled = list(map(mul, map(idf.__getitem__, terms), map(by_tf.__getitem__, tfs)))
        scores = list(map(round, scaled))
        if max(map(abs, map(sub, scaled, scores)), default=0.0) >= 0.4999:
            scores = exact_thousandths(terms, tfs, norm, boost, idf)
        _consume(map(array.extend, map(postings.__getitem__, terms), zip(repeat(doc), scores)))
    return postings


def exact_thousandths(terms: Sequence[int], tfs: Sequence[int], norm: float, boost: float,
                      idf: Sequence[float]) -> list[int]:
    """Scores x 1000 with lunr's exact floating-point steps (builder.py `_create_field_vectors`):
    round(idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * length / average) + tf) * boost, 3) * 1000.

    `_score_field` multiplies in another order, which can differ from this in the last bits;
    rounding to thousandths hides that unless a score lies within 0.0001 of a half-thousandth,
    and then this path runs instead.
    """
    return [round(round(idf[t] * ((K1 + 1) * tf) / (norm + tf) * boost, 3) * 1000) for t, tf in zip(terms, tfs)]


def lunr_builder(fields: Sequence[IndexField]) -> Builder:
    """Plain lunr.py configured like `build_index`: the reference it must equal."""
    builder = Builder()
    builder.pipeline.add(sitegen_fold, trimmer, stop_word_filter, js_stemmer)
    builder.search_pipeline.add(sitegen_fold, js_stemmer)
    builder.ref("ref")
    for field in fields:
        builder.field(field.name, boost=field.boost)
    return builder
