"""Text to index terms: lunr's tokenizer, then sitegen's fold, lunr's trimmer and stop words,
and lunr.js's stemmer; and `Analyser`, which remembers tokens and whole documents.

`fold_term` is also the query pipeline's first step (search-core.js `foldTerm` is the same
function), so the index and the browser agree on what a word becomes.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from lunr.stop_word_filter import WORDS as STOP_WORDS

from .search_stem import stem

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
    if token.isascii():  # most tokens: folding is lower-casing, and word characters are [a-z0-9]
        term = token.lower().strip(_ASCII_NOT_WORD)
        return term[:-2].strip(_ASCII_NOT_WORD) if term.endswith("'s") else term
    term = _trim(fold_text(token))
    if term.endswith("'s"):
        term = _trim(term[:-2])
    return term


_ASCII_NOT_WORD = "".join(chr(code) for code in range(128) if not _is_word_char(chr(code)))


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


Analysed = tuple[tuple["array[int]", "array[int]", int], ...]  # per field: term ids, their counts, token count
_PACKED = 1 << 63  # marks the length of a packed text in a document's digest


class Packed(Protocol):
    """A text kept compressed (`model.Body`): its bytes, and the text they unpack to."""

    @property
    def packed(self) -> bytes: ...

    @property
    def text(self) -> str: ...


class Analyser(dict[str, int]):
    """token -> id of its index term (-1 when the pipeline drops it), analysed on first use;
    and each document's analysed fields, by a digest of their texts.

    Ids are small ints numbering `terms`, so the per-token work after this lookup indexes lists
    and int-keyed dicts rather than hashing and comparing strings. The pipeline is a pure
    function of the token, so all of this stays valid between builds: `cache.py` keeps `terms`
    and `documents` in `.sitegen-cache/`, and a rebuild analyses only new and changed documents.
    """

    def __init__(self, terms: Sequence[str] = (), documents: dict[bytes, Analysed] | None = None,
                 dropped: int = 0) -> None:
        super().__init__()
        self.terms: list[str] = list(terms)  # id -> term
        self.ids: dict[str, int] = {term: number for number, term in enumerate(self.terms)}  # term -> id
        self.documents: dict[bytes, Analysed] = documents if documents is not None else {}
        self.used: set[bytes] = set()  # digests of the documents indexed since `used` was cleared
        self.added = 0  # documents analysed here rather than found in `documents`
        self.dropped = dropped  # documents forgotten since the terms were last renumbered

    def __missing__(self, token: str) -> int:
        term = analyse(token)
        number = -1 if term is None else self.ids.setdefault(term, len(self.terms))
        if number == len(self.terms):
            self.terms.append(term)  # type: ignore[arg-type]
        self[token] = number
        return number

    def analysed(self, texts: Sequence[str | Packed]) -> Analysed:
        """Per field text: its term ids in first-use order, their counts, and its token count.
        A text may come packed (an article body): its packed bytes stand for it in the digest,
        as the same bytes always unpack to the same text, so a known document is never unpacked."""
        digest = hashlib.blake2b(digest_size=16)
        for text in texts:
            if type(text) is str:
                data = text.encode("utf-8", "surrogatepass")
                digest.update(len(data).to_bytes(8, "little"))
            else:
                data = text.packed
                digest.update((len(data) | _PACKED).to_bytes(8, "little"))
            digest.update(data)
        key = digest.digest()
        self.used.add(key)
        found = self.documents.get(key)
        if found is None:
            found = self.documents[key] = tuple(self._counted(t if type(t) is str else t.text) for t in texts)
            self.added += 1
        return found

    def _counted(self, text: str) -> tuple[array[int], array[int], int]:
        tokens = _tokens(text)
        counts = Counter(map(self.__getitem__, tokens))
        dropped = counts.pop(-1, 0)
        return array("I", counts), array("I", counts.values()), len(tokens) - dropped

    def kept(self) -> Analyser:
        """This analyser with only the documents indexed since `used` was cleared; its terms are
        renumbered (dropping unused ones) once many documents have been forgotten."""
        kept = {key: self.documents[key] for key in self.used if key in self.documents}
        dropped = self.dropped + len(self.documents) - len(kept)
        if dropped <= len(kept) // 5 + 20:
            self.documents, self.dropped = kept, dropped
            return self
        used: set[int] = set()
        for fields in kept.values():
            for ids, _, _ in fields:
                used.update(ids)
        order = sorted(used)
        renumber = dict(zip(order, range(len(order))))
        documents = {key: tuple((array("I", map(renumber.__getitem__, ids)), tfs, length)
                                for ids, tfs, length in fields) for key, fields in kept.items()}
        return Analyser([self.terms[term] for term in order], documents)


def _tokens(text: str) -> list[str]:
    """lunr's tokenizer: lower case, split on spaces, tabs, line breaks, no-break spaces and hyphens."""
    text = text.lower()
    for separator in _SEPARATORS:
        if separator in text:  # str.replace beats str.translate here by 3x
            text = text.replace(separator, " ")
    return text.split(" ")  # empty strings analyse to None, like every dropped token
