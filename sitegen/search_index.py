"""A Lunr 2.3.9 index built fast, equal to the one the Python `lunr` package builds.

`lunr.Builder` spends most of its time running every token through the pipeline and building
`Token`, `FieldRef` and `Vector` objects. `build_index` does the same arithmetic on plain dicts:
each distinct token is analysed once (the pipeline is a pure function of the token), and
documents, fields and terms are visited in lunr's order, so term numbers, BM25 scores and the
serialised index are the same as lunr.py's (a test compares them). The reference builder
`lunr_builder` is lunr.py itself, configured with the same pipeline and fields.

The pipeline is `sitegenFold`, lunr's trimmer and stop-word filter, then `stem`: a Python
port of lunr.js's Porter stemmer (lunr.py's own stemmer differs from lunr.js for words like
"lay" and "try", so an index stemmed in Python would miss queries stemmed in the browser).
The query-time pipeline is `sitegenFold` then lunr.js's `stemmer`, registered identically in
`search-core.js` before `lunr.Index.load`.
"""
from __future__ import annotations

import gc
import itertools
from array import array
import math
import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import repeat
from operator import mul, sub
from typing import Any

from lunr.builder import Builder
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import WORDS as STOP_WORDS, stop_word_filter
from lunr.trimmer import trimmer

LUNR_JS_VERSION = "2.3.9"  # the lunr.js release whose serialisation this module writes
FOLD_LABEL = "sitegenFold"
STEMMER_LABEL = "stemmer"  # lunr.js resolves this label to its own stemmer, which `stem` matches
K1, B = 1.2, 0.75  # lunr's BM25 defaults

# --- accent and case folding (search-core.js `foldTerm` is the same function) -------------

# Combining marks left by NFKD, and characters outside the Basic Multilingual Plane: dropping
# the latter keeps UTF-16 (JavaScript) and code point (Python) string order and length equal.
_DROPPED = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\U00010000-\U0010ffff]+")
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l",
                          "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t", "ŀ": "l", "ς": "σ",
                          "’": "'", "‘": "'", "ʼ": "'"})


def fold_text(text: str) -> str:
    """Lower case, no accents, a few letters spelled out (ß -> ss): `Zoë Société` -> `zoe societe`."""
    text = unicodedata.normalize("NFKD", text.lower())
    return _DROPPED.sub("", text).translate(_LETTERS)


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN"


def _trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and not _is_word_char(text[start]):
        start += 1
    while end > start and not _is_word_char(text[end - 1]):
        end -= 1
    return text[start:end]


def fold_term(token: str) -> str:
    """One token folded, trimmed of punctuation and of a possessive `'s` ('' when nothing is left)."""
    term = _trim(fold_text(token))
    if term.endswith("'s"):
        term = _trim(term[:-2])
    return term


def sitegen_fold(token: Any, i: int | None = None, tokens: list | None = None) -> Any:
    """lunr.py pipeline function: fold the token in place; drop it when nothing is left."""
    token.update(lambda text, metadata=None: fold_term(text))
    return token if str(token) else None


Pipeline.register_function(sitegen_fold, FOLD_LABEL)


# --- lunr.js's Porter stemmer, in Python -------------------------------------------------

_ANY = "[^\n\r\u2028\u2029]"  # JavaScript's `.`
_CONS = "[^aeiou][^aeiouy]*"
_VOWELS = "[aeiouy][aeiou]*"
_M_GT_0 = re.compile(f"^({_CONS})?{_VOWELS}{_CONS}")
_M_EQ_1 = re.compile(f"^({_CONS})?{_VOWELS}{_CONS}({_VOWELS})?\\Z")
_M_GT_1 = re.compile(f"^({_CONS})?{_VOWELS}{_CONS}{_VOWELS}{_CONS}")
_HAS_VOWEL = re.compile(f"^({_CONS})?[aeiouy]")
_SHORT = re.compile(f"^{_CONS}[aeiouy][^aeiouwxy]\\Z")
_LAST = re.compile(f"{_ANY}\\Z")
_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
          "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
          "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous",
          "aliti": "al", "iviti": "ive", "biliti": "ble", "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_STEP4 = ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou",
          "ism", "ate", "iti", "ous", "ive", "ize")


def _suffix_re(suffixes: Sequence[str]) -> re.Pattern[str]:
    return re.compile(f"^({_ANY}+?)({'|'.join(suffixes)})\\Z")


_RE = {
    "1a": re.compile(f"^({_ANY}+?)(ss|i)es\\Z"), "1a2": re.compile(f"^({_ANY}+?)([^s])s\\Z"),
    "1b": re.compile(f"^({_ANY}+?)eed\\Z"), "1b2": re.compile(f"^({_ANY}+?)(ed|ing)\\Z"),
    "atblz": re.compile("(at|bl|iz)\\Z"), "double": re.compile("([^aeiouylsz])\\1\\Z"),
    "1c": re.compile(f"^({_ANY}+?[^aeiou])y\\Z"), "2": _suffix_re(tuple(_STEP2)),
    "3": _suffix_re(tuple(_STEP3)), "4": _suffix_re(_STEP4), "4b": re.compile(f"^({_ANY}+?)(s|t)(ion)\\Z"),
    "5": re.compile(f"^({_ANY}+?)e\\Z"), "ll": re.compile("ll\\Z"),
}


def _drop_last(word: str) -> str:
    return _LAST.sub("", word, count=1)


def _step1(w: str) -> str:
    if m := _RE["1a"].match(w) or _RE["1a2"].match(w):
        w = m[1] + m[2]
    if m := _RE["1b"].match(w):
        if _M_GT_0.match(m[1]):
            w = _drop_last(w)
    elif (m := _RE["1b2"].match(w)) and _HAS_VOWEL.match(m[1]):
        w = m[1]
        if _RE["atblz"].search(w):
            w += "e"
        elif _RE["double"].search(w):
            w = _drop_last(w)
        elif _SHORT.match(w):
            w += "e"
    if m := _RE["1c"].match(w):
        w = m[1] + "i"
    return w


def _steps2to5(w: str) -> str:
    for step, table in (("2", _STEP2), ("3", _STEP3)):
        if (m := _RE[step].match(w)) and _M_GT_0.match(m[1]):
            w = m[1] + table[m[2]]
    if m := _RE["4"].match(w):
        if _M_GT_1.match(m[1]):
            w = m[1]
    elif (m := _RE["4b"].match(w)) and _M_GT_1.match(m[1] + m[2]):
        w = m[1] + m[2]
    if m := _RE["5"].match(w):
        stem = m[1]
        if _M_GT_1.match(stem) or (_M_EQ_1.match(stem) and not _SHORT.match(stem)):
            w = stem
    if _RE["ll"].search(w) and _M_GT_1.match(w):
        w = _drop_last(w)
    return w


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem lunr.js 2.3.9's `lunr.stemmer` gives `word` (Porter, with lunr.js's quirks)."""
    if len(word) < 3:
        return word
    starts_with_y = word[0] == "y"
    if starts_with_y:
        word = "Y" + word[1:]  # an initial y is a consonant
    word = _steps2to5(_step1(word))
    return "y" + word[1:] if starts_with_y else word


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
_SEPARATORS = "\t\n\r\f\v\xa0-"  # lunr's tokenizer splits on these and on spaces


def analyse(token: str) -> str | None:
    """The index term of one lower-cased token after the whole build pipeline, or None if dropped."""
    term = fold_term(token)
    if not term:
        return None
    match = _LUNR_TRIMMER.match(term)  # a no-op after folding, kept to mirror lunr's pipeline
    term = match[1] if match else term
    return None if term in STOP_WORDS else stem(term)


_LUNR_TRIMMER = re.compile(r"^\W*?([^\W]+)\W*?$")


class _TermIds(dict[str, int]):
    """token -> id of its index term (-1 when the pipeline drops it), analysed on first use.

    Ids are small ints, so the per-token work after this lookup indexes lists and int-keyed
    dicts rather than hashing and comparing strings. The pipeline is a pure function of the
    token, so the cache stays valid between builds.
    """

    def __init__(self) -> None:
        super().__init__()
        self.terms: list[str] = []  # id -> term
        self.ids: dict[str, int] = {}  # term -> id

    def __missing__(self, token: str) -> int:
        term = analyse(token)
        number = -1 if term is None else self.ids.setdefault(term, len(self.terms))
        if number == len(self.terms):
            self.terms.append(term)  # type: ignore[arg-type]
        self[token] = number
        return number

    def reset(self) -> None:
        """Forget every token and term."""
        self.clear()
        self.terms.clear()
        self.ids.clear()


_TERM_IDS = _TermIds()
_TERM_IDS_LIMIT = 2_000_000  # distinct tokens kept between builds (a long `serve` session)
_consume = deque(maxlen=0).extend  # run an iterator of C calls without a Python loop


def _tokens(text: str) -> list[str]:
    """lunr's tokenizer: lower case, split on spaces, tabs, line breaks, no-break spaces and hyphens."""
    text = text.lower()
    for separator in _SEPARATORS:
        if separator in text:  # str.replace beats str.translate here by 3x
            text = text.replace(separator, " ")
    return text.split(" ")  # empty strings analyse to None, like every dropped token


def build_index(fields: Sequence[IndexField], refs: Sequence[str],
                documents: Sequence[Mapping[str, str]]) -> BuiltIndex:
    """Index `documents` (field name -> text, one per ref) exactly as lunr.py would.

    The per-token work runs in C (`map`, `Counter`, bound methods); Python loops only over
    documents and fields. Visiting documents, fields and tokens in lunr's order gives the
    same term numbers.
    """
    if len(_TERM_IDS) > _TERM_IDS_LIMIT:
        _TERM_IDS.reset()
    with _no_gc():
        return _build_index(tuple(fields), tuple(refs), documents)


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


_Counted = tuple[tuple[int, ...], "array[int]"]  # one field of one document: its term ids and their counts


def _build_index(fields: tuple[IndexField, ...], refs: tuple[str, ...],
                 documents: Sequence[Mapping[str, str]]) -> BuiltIndex:
    term_id = _TERM_IDS.__getitem__
    numbers: defaultdict[int, int] = defaultdict(itertools.count().__next__)  # term id -> lunr number, by first use
    field_docs: Counter[int] = Counter()  # term id -> (document, field) pairs holding it, for idf
    counted: list[list[_Counted]] = [[] for _ in fields]  # per field, per document
    lengths: list[list[int]] = [[] for _ in fields]
    for document in documents:
        for f, field in enumerate(fields):
            tokens = _tokens(document.get(field.name) or "")
            counts = Counter(map(term_id, tokens))
            lengths[f].append(len(tokens) - counts.pop(-1, 0))
            _consume(map(numbers.__getitem__, counts))
            field_docs.update(counts.keys())
            counted[f].append((tuple(counts), array("I", counts.values())))
    n = len(documents)
    idf = [0.0] * len(_TERM_IDS.terms)
    for term, d in field_docs.items():
        idf[term] = math.log(1 + abs((n - d + 0.5) / (d + 0.5)))
    postings = []
    terms = _TERM_IDS.terms
    for f, field in enumerate(fields):
        average = sum(lengths[f]) / n if n else 0.0
        by_id = _score_field(counted[f], lengths[f], average, float(field.boost), idf)
        postings.append({terms[term]: flat for term, flat in by_id.items()})
        counted[f] = []  # free each field's counts once scored: peak memory matters at 100,000 articles
    return BuiltIndex(fields, refs, {terms[term]: number for term, number in numbers.items()}, postings)


def _score_field(counted: list[_Counted], lengths: list[int], average: float, boost: float,
                 idf: list[float]) -> dict[int, "array[int]"]:
    """One field's postings by term id: [doc, score x 1000, ...], scores as lunr computes them."""
    postings: defaultdict[int, array[int]] = defaultdict(partial(array, "i"))
    scale = 1000.0 * boost
    for doc, (terms, tfs) in enumerate(counted):
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
