"""A Lunr 2.3.9 index built fast, equal to the one the Python `lunr` package builds.

`lunr.Builder` spends most of its time running every token through the pipeline and building
`Token`, `FieldRef` and `Vector` objects. `build_index` analyses each distinct token once (the
pipeline is a pure function of the token) and does the rest on whole arrays with numpy. It keeps
what lunr's BM25 weights are made of (counts, field lengths, each term's first use) rather than
the weights, which change with every article's length; `BuiltIndex.scores_of` works them out
taking lunr's floating-point steps, so term numbers, scores and the serialised index are the
same as lunr.py's (a test compares them), and the browser does the same (a Node test compares
it). The reference builder `lunr_builder` is lunr.py itself, configured with the same pipeline
and fields.

The pipeline is `sitegenFold`, lunr's trimmer and stop-word filter, then `stem`: a Python
port of lunr.js's Porter stemmer (`search_stem.py`).
The query-time pipeline is `sitegenFold` then lunr.js's `stemmer`, registered identically in
`search-core.js` before `lunr.Index.load`.
"""
from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import stop_word_filter
from lunr.trimmer import trimmer

from .search_analysis import Analyser, Packed, analyse, fold_term  # noqa: F401 - analyse, fold_term: part of this API
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
class FieldPostings:
    """One field's postings of a run of sorted terms: term j's documents (ascending) are
    `docs[offsets[j]:offsets[j + 1]]`, and the same slice of `tfs` holds how often the term is
    in each (after the pipeline)."""

    offsets: np.ndarray  # int64, one more than there are terms
    docs: np.ndarray  # int32
    tfs: np.ndarray  # int32


# A term's first use as one number: (document x field count + field) x FIRST_USE_PLACES + its
# place among the field's distinct terms in that document. lunr numbers terms (`_index`) in
# this order; the number itself depends on every older document, the key only on this one.
FIRST_USE_PLACES = 1 << 24


@dataclass
class BuiltIndex:
    """An index in lunr's terms, held as raw counts rather than lunr objects.

    `terms` are the terms with postings here, sorted (all of the index's, or one part's);
    `postings[f]` holds field `fields[f]`'s: document numbers, each with the term's count.
    `first_uses` holds every term of the whole index with its first-use key (lunr's `_index`
    is its rank among them), and `lengths[f]` each document's token count in field f. That is
    all lunr's BM25 weights are made of (`scores_of`); the browser works them out the same way
    (`search-core.js`), so that editing one article changes only the data of its own terms.
    """

    fields: tuple[IndexField, ...]
    refs: tuple[str, ...]  # document refs, in the order documents were added
    first_uses: dict[str, int]  # term -> first-use key (see FIRST_USE_PLACES)
    lengths: list[np.ndarray]  # per field, per document: tokens kept
    terms: list[str]
    postings: list[FieldPostings]  # per field

    def term_numbers(self) -> dict[str, int]:
        """term -> lunr `_index`: the terms ranked by first use."""
        by_first_use = sorted(self.first_uses, key=self.first_uses.__getitem__)
        return {term: number for number, term in enumerate(by_first_use)}

    def slice(self, start: int, end: int) -> BuiltIndex:
        """The index of terms[start:end] only (sharing this one's arrays)."""
        postings = []
        for field in self.postings:
            low, high = field.offsets[start], field.offsets[end]
            postings.append(FieldPostings(field.offsets[start:end + 1] - low, field.docs[low:high],
                                          field.tfs[low:high]))
        return BuiltIndex(self.fields, self.refs, self.first_uses, self.lengths, self.terms[start:end], postings)

    def postings_of(self, term: str) -> list[tuple[list[int], list[int]]]:
        """Per field, the (documents, counts) of `term` (empty lists where it does not occur)."""
        return [(docs.tolist(), tfs.tolist()) for docs, tfs in self.arrays_of(term)]

    def arrays_of(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """`postings_of` as views of this index's arrays (empty where it does not occur)."""
        j = bisect_left(self.terms, term)
        if j == len(self.terms) or self.terms[j] != term:
            return [(field.docs[:0], field.tfs[:0]) for field in self.postings]
        spans = [(field, field.offsets[j], field.offsets[j + 1]) for field in self.postings]
        return [(field.docs[low:high], field.tfs[low:high]) for field, low, high in spans]

    def scores_of(self, term: str) -> list[tuple[list[int], list[int]]]:
        """Per field, the (documents, scores x 1000) of `term`: lunr's BM25 weights, made of its
        counts, its document frequency (summed over fields, as lunr counts it), the documents'
        field lengths and the fields' average lengths."""
        postings = self.postings_of(term)
        count = len(self.refs)
        frequency = sum(len(docs) for docs, _ in postings)
        idf = math.log(1 + abs((count - frequency + 0.5) / (frequency + 0.5)))
        found = []
        for field, lengths, (docs, tfs) in zip(self.fields, self.lengths, postings):
            if not docs:
                found.append(([], []))
                continue
            average = int(lengths.sum()) / count
            norm = K1 * (1 - B + B * (lengths[docs] / average))
            found.append((docs, bm25_thousandths(np.full(len(docs), idf), np.array(tfs, np.float64), norm,
                                                 field.boost).tolist()))
        return found

    def serialize(self) -> dict[str, Any]:
        """The index as lunr.py's `Index.serialize()` would write it."""
        names = [f.name for f in self.fields]
        vectors: dict[tuple[int, int], list[tuple[int, float]]] = {
            (doc, f): [] for doc in range(len(self.refs)) for f in range(len(names))}
        inverted = []
        numbers = self.term_numbers()
        for term in sorted(numbers):
            number = numbers[term]
            posting: dict[str, Any] = {}
            for f, (docs, scores) in enumerate(self.scores_of(term)):
                posting[names[f]] = {self.refs[doc]: {} for doc in docs}
                for doc, score in zip(docs, scores):
                    vectors[(doc, f)].append((number, score / 1000))
            posting["_index"] = number
            inverted.append([term, posting])
        field_vectors = [[f"{names[f]}/{self.refs[doc]}", [x for pair in sorted(pairs) for x in pair]]
                         for (doc, f), pairs in vectors.items()]
        return {"version": LUNR_JS_VERSION, "fields": names, "fieldVectors": field_vectors,
                "invertedIndex": inverted, "pipeline": [FOLD_LABEL, STEMMER_LABEL]}


_ANALYSER = Analyser()  # used when a build is given none
_TOKENS_LIMIT = 2_000_000  # distinct tokens kept between builds (a long `serve` session)
_IDS = np.dtype(f"=u{array('I').itemsize}")  # the analyser's term ids and counts, as numpy reads them


def build_index(fields: Sequence[IndexField], refs: Sequence[str], documents: Iterable[Mapping[str, str]],
                analyser: Analyser | None = None, part: tuple[int, int] = (0, 1)) -> BuiltIndex:
    """Index `documents` (field name -> text, one per ref) exactly as lunr.py would.

    Documents are analysed one by one (each distinct token once, see `Analyser`); everything
    after that works on whole arrays (numpy): finding each term's first use, sorting postings
    by term. `analyser` may remember documents from earlier builds. With `part` (k, n), only
    part k of n gets postings (see `index_postings`).
    """
    return index_postings(count_index(fields, refs, documents, analyser), part, release=True)


@dataclass
class CountedIndex:
    """An index as counted: each field's term ids and counts, document after document, and
    each term's first use. `index_postings` turns it into postings by term."""

    fields: tuple[IndexField, ...]
    refs: tuple[str, ...]
    terms: list[str]  # term id -> term
    field_docs: np.ndarray  # term id -> (document, field) pairs holding it
    ids: list[np.ndarray]  # per field: the term ids of document 0, then of document 1, ...
    tfs: list[np.ndarray]  # per field: the count of each of those terms in its document
    sizes: list[np.ndarray]  # per field, per document: how many of `ids` are its
    lengths: list[np.ndarray]  # per field, per document: tokens kept
    sorted_terms: np.ndarray  # the ids of the terms some document holds, in term order
    first_uses: dict[str, int]  # term -> first-use key, for every term some document holds

    @property
    def postings(self) -> int:
        """How many postings the index has, over all fields."""
        return int(self.field_docs.sum())


def count_index(fields: Sequence[IndexField], refs: Sequence[str], documents: Iterable[Mapping[str, str | Packed]],
                analyser: Analyser | None = None) -> CountedIndex:
    """The counting half of `build_index`. `documents` (one per ref) may be made as they are
    asked for: their texts are not kept; a text may come packed (see `Analyser.analysed`)."""
    global _ANALYSER
    if analyser is None:
        if len(_ANALYSER) > _TOKENS_LIMIT:
            _ANALYSER = Analyser()
        analyser = _ANALYSER
        analyser.documents.clear()  # only a persistent analyser keeps documents
    analyser.used.clear()
    return _count_index(tuple(fields), tuple(refs), documents, analyser)


def _count_index(fields: tuple[IndexField, ...], refs: tuple[str, ...], documents: Iterable[Mapping[str, str | Packed]],
                 analyser: Analyser) -> CountedIndex:
    ids: list[list[array[int]]] = [[] for _ in fields]
    tfs: list[list[array[int]]] = [[] for _ in fields]
    lengths: list[list[int]] = [[] for _ in fields]
    for document in documents:
        texts = [document.get(field.name) or "" for field in fields]
        for f, (field_ids, field_tfs, length) in enumerate(analyser.analysed(texts)):
            ids[f].append(field_ids)
            tfs[f].append(field_tfs)
            lengths[f].append(length)
    n = len(refs)
    if fields and len(lengths[0]) != n:
        raise ValueError(f"{len(lengths[0])} documents for {n} refs")
    sizes = [np.fromiter(map(len, field_ids), np.int64, count=n) for field_ids in ids]
    joined_ids = [np.frombuffer(b"".join(field_ids), _IDS) for field_ids in ids]
    del ids
    joined_tfs = [np.frombuffer(b"".join(field_tfs), _IDS) for field_tfs in tfs]
    del tfs
    count = len(analyser.terms)
    field_docs = np.zeros(count, np.int64)
    for field_ids in joined_ids:
        field_docs += np.bincount(field_ids, minlength=count)
    held = np.flatnonzero(field_docs)
    terms = list(analyser.terms)
    first = _first_uses(joined_ids, sizes, count)
    held_terms = list(map(terms.__getitem__, held.tolist()))
    # Worked out here, once, rather than in each process that makes a part of the index.
    sorted_terms = held[sorted(range(len(held)), key=held_terms.__getitem__)]
    return CountedIndex(fields, refs, terms, field_docs, joined_ids, joined_tfs, sizes,
                        [np.array(field_lengths, np.int64) for field_lengths in lengths],
                        sorted_terms, dict(zip(held_terms, first[held].tolist())))


def _first_uses(ids: list[np.ndarray], sizes: list[np.ndarray], count: int) -> np.ndarray:
    """term id -> first-use key (see FIRST_USE_PLACES): the order lunr meets terms in (document
    by document, field by field, and in a field by first use, the order the analyser keeps).
    A field's postings are in that order already, so each term's first use in it is its
    smallest place there (`np.minimum.at`, no sorting), worked out a block at a time."""
    never = np.iinfo(np.int64).max
    first = np.full(count, never, np.int64)
    widest = max((int(s.max()) for s in sizes if len(s)), default=0)
    if widest > FIRST_USE_PLACES:
        raise ValueError(f"a document field with {widest} distinct terms (at most {FIRST_USE_PLACES} are indexed)")
    for f, (field_ids, field_sizes) in enumerate(zip(ids, sizes)):
        at = np.full(count, never, np.int64)  # term id -> its first place among the field's postings
        for start in range(0, len(field_ids), _AT_ONCE):
            block = field_ids[start:start + _AT_ONCE]
            np.minimum.at(at, block, np.arange(start, start + len(block), dtype=np.int64))
        terms = np.flatnonzero(at < never)
        at = at[terms]
        ends = np.cumsum(field_sizes)
        docs = np.searchsorted(ends, at, side="right")
        place = at - (ends[docs] - field_sizes[docs])
        first[terms] = np.minimum(first[terms], (docs * len(ids) + f) * FIRST_USE_PLACES + place)
    return first


def index_postings(index: CountedIndex, part: tuple[int, int] = (0, 1), *, release: bool = False) -> BuiltIndex:
    """The postings of part k of n (`part`): a range of the sorted terms holding about 1/n of
    the postings, so n processes can share the work; the parts' postings together are the
    whole index's (first uses and lengths are always complete). `release` frees each field's
    counts once sorted (peak memory matters at 100,000 articles)."""
    chosen = index.sorted_terms
    if part[1] > 1:
        chosen = chosen[_part_of(part, index.field_docs[chosen])]
    rank = np.full(len(index.terms), -1, np.int32)  # term id -> its place among the chosen
    rank[chosen] = np.arange(len(chosen))
    postings = []
    for f in range(len(index.fields)):
        postings.append(_field_postings(index, f, rank, len(chosen)))
        if release:
            index.ids[f] = index.tfs[f] = _EMPTY
    return BuiltIndex(index.fields, index.refs, index.first_uses, index.lengths,
                      list(map(index.terms.__getitem__, chosen.tolist())), postings)


_EMPTY = np.zeros(0, _IDS)


def _part_of(part: tuple[int, int], counts: np.ndarray) -> np.ndarray:
    """Which of the sorted terms (with `counts` postings each) are in part k of n: cut at
    about equal numbers of postings."""
    k, n = part
    total = int(counts.sum()) or 1
    done = np.cumsum(counts) - counts
    return np.minimum(n - 1, done * n // total) == k


def _field_postings(index: CountedIndex, f: int, rank: np.ndarray, count: int) -> FieldPostings:
    """Field f's postings of the `count` terms `rank` places (the others have rank -1), in
    rank order, each term's documents ascending. Memory: about 20 bytes a posting at the peak."""
    ids, tfs, sizes = index.ids[f], index.tfs[f], index.sizes[f]
    if count == len(index.sorted_terms):
        docs = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
    else:  # no array as long as all of the field's postings but `ids` and `tfs` (100,000 articles)
        chosen = np.flatnonzero((rank >= 0)[ids])
        ids, tfs = ids[chosen], tfs[chosen]
        docs = np.searchsorted(np.cumsum(sizes), chosen, side="right").astype(np.int32)
        del chosen
    ranks = rank[ids]
    order = stable_order(ranks)  # documents stay ascending within a term
    offsets = np.zeros(count + 1, np.int64)
    np.cumsum(np.bincount(ranks, minlength=count), out=offsets[1:])
    return FieldPostings(offsets, docs[order], tfs[order].astype(np.int32))


_AT_ONCE = 1 << 20  # postings looked at in one block when finding first uses


def stable_order(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` of non-negative keys below 2**32, sooner: numpy sorts
    16-bit keys by radix but wider ones by merging (3x slower on a field's postings), so the
    keys are sorted by their low 16 bits, then (stably) by their high 16 bits."""
    if not len(keys) or int(keys.max()) < 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]


def bm25_thousandths(idf: np.ndarray, tf: np.ndarray, norm: np.ndarray, boost: float) -> np.ndarray:
    """Scores x 1000, as lunr.py computes them (builder.py `_create_field_vectors`):
    round(idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * length / average) + tf) * boost, 3) * 1000,
    `norm` being the k1 * (...) part (this array is overwritten). numpy takes the same
    floating-point steps, so the score is the same double; rounding x 1000 to an integer
    equals Python's decimal rounding to 3 places except next to a half-thousandth, where
    `exact_thousandths` decides."""
    scores = (K1 + 1) * tf
    scores *= idf
    norm += tf
    scores /= norm
    scores *= boost
    scaled = np.multiply(scores, 1000, out=norm)
    thousandths = np.rint(scaled)
    distance = np.abs(np.subtract(scaled, thousandths, out=scaled), out=scaled)  # from the integer
    rounded = thousandths.astype(np.int64)
    for i in np.flatnonzero(distance > 0.4999).tolist():
        rounded[i] = exact_thousandths(float(scores[i]))
    return rounded


def exact_thousandths(score: float) -> int:
    """`score` rounded as lunr.py rounds it (to 3 decimals), x 1000."""
    return round(round(score, 3) * 1000)


def lunr_builder(fields: Sequence[IndexField]) -> Builder:
    """Plain lunr.py configured like `build_index`: the reference it must equal."""
    builder = Builder()
    builder.pipeline.add(sitegen_fold, trimmer, stop_word_filter, js_stemmer)
    builder.search_pipeline.add(sitegen_fold, js_stemmer)
    builder.ref("ref")
    for field in fields:
        builder.field(field.name, boost=field.boost)
    return builder
