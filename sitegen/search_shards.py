"""The search index and document store as small JavaScript files that assign data.

Every file is one call, `sitegenSearchData("<key>", <JSON>);`, where `<key>` is the file's
path under `search/` without `.js`. The browser adds them as `<script>` tags, which work from
`file://` where fetch and XHR do not.

- `manifest`: lunr fields, boosts and pipeline, the document count, each field's summed length,
  taxonomy labels, and the first term and file name of each shard.
- `terms/NAME`: a contiguous range of the sorted terms with their postings. Each term is
  `[term, first-use key, per field: [document deltas..., counts..., lengths...]]`, the field
  lengths (tokens kept) of its documents left out for the body (`LENGTH_FILE_FIELDS`): every
  term of an article shares its body length, which an edit changes. From these, the length
  files and the manifest the browser works out lunr's BM25 weights and term numbers
  (`search-core.js`), rebuilding exactly the part of lunr's serialised index (inverted index and
  field-vector entries) that a query's terms touch. Term ranges make a prefix query (`pol*`)
  load neighbouring shards. Shards are named by a digest of their first term; where they end,
  and which a rebuild keeps as they are, is `search_ranges`.
- `lengths/N`: the body lengths of documents N x LENGTH_BLOCK onwards.
- `lexicon`: every term, front-coded, for fuzzy (`~`) and leading-`*` queries.
- `facets`: per facet (each taxonomy, source, year) its values with their documents as deltas.
- `docs/N`: what a result shows for document N: title, link, date, source, summary, terms, text.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import sub
from typing import Any

import numpy as np

from .output import digest_bytes
from .search_index import B, FOLD_LABEL, K1, LUNR_JS_VERSION, STEMMER_LABEL, BuiltIndex, FieldPostings

FOLDER = "search"  # under the site root, next to search.html
SHARD_BYTES = 48_000  # about the raw size of one term shard
LENGTH_BLOCK = 1000  # documents per length file
LENGTH_FILE_FIELDS = ("body",)  # fields whose document lengths are in length files, not in postings


def data_url(key: str) -> str:
    """`search/<key>.js`: the site-relative url of a search data file."""
    return f"{FOLDER}/{key}.js"


def data_file(key: str, data: Any) -> bytes:
    """The bytes of one data file: a script that hands `data` to the search page."""
    return _script(key, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _script(key: str, json_text: str) -> bytes:
    # U+2028/U+2029 are legal in JSON but ended JavaScript strings before ES2019.
    json_text = json_text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"sitegenSearchData({json.dumps(key)},{json_text});\n".encode("utf-8")


@dataclass(frozen=True)
class Shard:
    """One term shard: its first term and its encoded entries."""

    first_term: str
    text: str  # JSON array of entries
    range_first: str  # the first term of its range (see `search_ranges.starts_range`)


@dataclass(frozen=True)
class KeptShard:
    """A shard the last build wrote, whose file is still right: its first term and file digest."""

    first_term: str
    file_digest: bytes
    range_first: str


@dataclass(frozen=True)
class KeptRange:
    """In place of a range's entries: its postings are the last build's, and so are its shards."""

    first_term: str
    digest: bytes
    shards: tuple[tuple[str, bytes], ...]  # (first term, file digest) of each


@dataclass(frozen=True)
class RangeDigest:
    """After the last entry of a range: the digest of its postings (see `search_ranges`)."""

    digest: bytes


@dataclass(frozen=True)
class Kept:
    """In place of a file's bytes: the live file, with this digest, is already right."""

    digest: bytes


# What the last build's shards were made of: range's first term -> (its postings' digest,
# (first term, file digest) of each of its shards). A rebuild keeps the shards of every range
# whose postings have the same digest and whose files are live (`KeptRange`).
ShardTable = dict[str, tuple[bytes, tuple[tuple[str, bytes], ...]]]
Item = tuple[str, str] | RangeDigest | KeptRange  # what `search_ranges.cut_shards` is handed, in term order


def shard_entries(index: BuiltIndex) -> Iterator[tuple[str, str]]:
    """(term, encoded entry) of every term with postings in `index`, in term order, made as
    asked for (each field's numbers are written out at once, see `_numbers_by_term`)."""
    first_uses = index.first_uses
    columns = []  # per field, each term's `[documents...,counts...(,lengths...)]`
    for field, lengths, postings in zip(index.fields, index.lengths, index.postings):
        docs = _numbers_by_term(_gaps(postings), postings.offsets)
        tfs = _numbers_by_term(postings.tfs, postings.offsets)
        if field.name in LENGTH_FILE_FIELDS:
            columns.append([f"[{d},{t}]" if d else "[]" for d, t in zip(docs, tfs)])
        else:
            sizes = _numbers_by_term(lengths[postings.docs], postings.offsets)
            columns.append([f"[{d},{t},{n}]" if d else "[]" for d, t, n in zip(docs, tfs, sizes)])
        del docs, tfs
    for term, row in zip(index.terms, zip(*columns)):
        yield term, f"[{_quoted(term)},{first_uses[term]},{','.join(row)}]"


_quoted = json.encoder.encode_basestring  # `json.dumps(text, ensure_ascii=False)` of one str, without an encoder


def _gaps(postings: FieldPostings) -> np.ndarray:
    """Each term's documents written as the first, then the gaps between them (`_deltas` of
    every term at once)."""
    docs = postings.docs
    gaps = np.empty_like(docs)
    if len(docs):
        gaps[0] = docs[0]
        np.subtract(docs[1:], docs[:-1], out=gaps[1:])
        firsts = postings.offsets[:-1][np.diff(postings.offsets) > 0]
        gaps[firsts] = docs[firsts]
    return gaps


def _numbers_by_term(values: np.ndarray, offsets: np.ndarray) -> list[str]:
    """Per term (its `values` being `values[offsets[j]:offsets[j + 1]]`) the text `12,3,456`.

    The digits are written with array operations into one text, which is then cut per term (a
    Python `str` per number would cost more than the rest of the index); a few terms at a
    time, up to `_WRITTEN_AT_ONCE` numbers, since that takes ~60 bytes a number."""
    texts: list[str] = []
    j, count = 0, len(offsets) - 1
    while j < count:
        k = max(j + 1, int(np.searchsorted(offsets, offsets[j] + _WRITTEN_AT_ONCE, side="right")) - 1)
        texts.extend(_written(values[offsets[j]:offsets[k]], offsets[j:k + 1] - offsets[j]))
        j = k
    return texts


_WRITTEN_AT_ONCE = 1 << 20


def _written(values: np.ndarray, offsets: np.ndarray) -> list[str]:
    """`_numbers_by_term` of one block of terms."""
    values = values.astype(np.int64)
    if len(values) and values.min() < 0:
        raise ValueError("negative number in search postings")
    digits = np.ones(len(values), np.int64)
    power = 10
    while len(values) and power <= values.max():
        digits += values >= power
        power *= 10
    starts = np.zeros(len(values) + 1, np.int64)  # where each number starts; each ends with a comma
    np.cumsum(digits + 1, out=starts[1:])
    text = np.full(starts[-1], ord(","), np.uint8)
    place = starts[:-1] + digits - 1  # where each number's next digit goes, from the last
    while len(values):
        text[place] = values % 10 + ord("0")
        more = digits > 1
        place, values, digits = place[more] - 1, values[more] // 10, digits[more] - 1
    written = text.tobytes().decode("ascii")
    bounds = starts[offsets].tolist()
    return [written[start:end - 1] if end > start else "" for start, end in zip(bounds, bounds[1:])]


def shard_name(first_term: str) -> str:
    """The file name of a shard: a digest of its first term (the same in every build the shard
    starts there)."""
    return hashlib.blake2b(first_term.encode("utf-8"), digest_size=8).hexdigest()


def _shard_key(first_term: str) -> str:
    return f"terms/{shard_name(first_term)}"


def shard_url(first_term: str) -> str:
    """The url of the shard that starts at `first_term`."""
    return data_url(_shard_key(first_term))


def shard_file(shard: Shard) -> tuple[str, bytes]:
    """The url and bytes of a shard's file."""
    key = _shard_key(shard.first_term)
    return data_url(key), _script(key, shard.text)


def iter_shard_files(index: BuiltIndex, shards: Iterable[Shard | KeptShard | RangeDigest], labels: dict[str, str],
                     table: ShardTable | None = None) -> Iterator[tuple[str, bytes | Kept]]:
    """(url, bytes) of every shard as it comes (`Kept` for a kept one), then the length files,
    the lexicon and the manifest; a digest of the files names the build. Only one shard's text
    is held at a time. `table`, if given, is filled with what made the shards (for the next
    build; a range without a digest is left out).

    `labels` maps each taxonomy to its plural name, for the term lines under each result."""
    digest = hashlib.sha256()
    first_terms = []
    current = ""
    ranges: dict[str, list[tuple[str, bytes]]] = {}
    digests: dict[str, bytes] = {}
    for shard in shards:
        if type(shard) is RangeDigest:
            digests[current] = shard.digest  # the range of the shard just made
            continue
        if type(shard) is KeptShard:
            made = shard.file_digest
            yield shard_url(shard.first_term), Kept(made)
        else:
            url, data = shard_file(shard)
            made = digest_bytes(data)
            yield url, data
        digest.update(made)
        first_terms.append(shard.first_term)
        current = shard.range_first
        ranges.setdefault(current, []).append((shard.first_term, made))
    if table is not None:
        table.update((first, (digests[first], tuple(made))) for first, made in ranges.items() if first in digests)
    yield from index_tail_files(index, labels, digest, first_terms)


def index_tail_files(index: BuiltIndex, labels: dict[str, str], digest: Any, first_terms: list[str], *,
                     lexicon: list[str] | bool = True, blocks: Container[int] | None = None
                     ) -> Iterator[tuple[str, bytes]]:
    """What follows the shards (first terms `first_terms`, in order, their file digests already
    in the sha256 `digest`): the length files (only `blocks` of them, if given, but every
    one's digest is added), the lexicon (made of `lexicon`'s lines if given, see
    `lexicon_lines`; none if it is False) and the manifest, named by `digest`."""
    names = list(map(shard_name, first_terms))
    if len(set(names)) != len(names):
        raise ValueError("two search shards have the same file name (a digest collision); change SHARD_BYTES")
    in_files = [lengths for field, lengths in zip(index.fields, index.lengths) if field.name in LENGTH_FILE_FIELDS]
    for number, lengths in enumerate(length_blocks(in_files)):
        key = f"lengths/{number}"
        data = data_file(key, lengths)
        digest.update(digest_bytes(data))
        if blocks is None or number in blocks:
            yield data_url(key), data
    if lexicon is not False:
        text = "\n".join(lexicon) if type(lexicon) is list else lexicon_text(sorted(index.first_uses))
        yield data_url("lexicon"), data_file("lexicon", text)
    manifest = {"version": LUNR_JS_VERSION, "build": digest.hexdigest()[:12],
                "fields": [f.name for f in index.fields], "boosts": [f.boost for f in index.fields],
                "k1": K1, "b": B, "pipeline": [FOLD_LABEL, STEMMER_LABEL], "docCount": len(index.refs),
                "lengthSums": [int(lengths.sum()) for lengths in index.lengths], "lengthBlock": LENGTH_BLOCK,
                "lengthFiles": [f.name for f in index.fields if f.name in LENGTH_FILE_FIELDS],
                "labels": labels, "shards": first_terms, "shardFiles": names}
    yield data_url("manifest"), data_file("manifest", manifest)


def length_blocks(lengths: Sequence[np.ndarray]) -> Iterator[list[list[int]]]:
    """Per block of LENGTH_BLOCK documents, each of `lengths`' fields' lengths of those documents."""
    count = len(lengths[0]) if lengths else 0
    for start in range(0, count, LENGTH_BLOCK):
        yield [field[start:start + LENGTH_BLOCK].tolist() for field in lengths]


def encode_facets(facets: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Facet values (names, unique within a facet) with their document numbers delta-encoded."""
    return [{**facet, "values": [[name, _deltas(docs)] for name, docs in facet["values"]]} for facet in facets]


def lexicon_text(terms: Sequence[str]) -> str:
    """Sorted terms front-coded, one a line: a character (48 + length of the prefix shared with
    the line before, at most 60) and the rest of the term. Fuzzy and leading-`*` queries
    expand against it to find their shards instead of loading all of them."""
    return "\n".join(lexicon_lines(terms))


def lexicon_lines(terms: Sequence[str]) -> list[str]:
    """The lines of `lexicon_text`, one a term."""
    return list(map(lexicon_line, ["", *terms[:-1]], terms))


def lexicon_line(previous: str, term: str) -> str:
    """The lexicon's line of `term`, which follows `previous`."""
    shared = 0
    limit = min(len(term), len(previous), 60)
    while shared < limit and term[shared] == previous[shared]:
        shared += 1
    return chr(48 + shared) + term[shared:]


def _deltas(docs: Sequence[int]) -> list[int]:
    return [docs[0], *map(sub, docs[1:], docs)] if docs else []


def doc_url(number: int) -> str:
    """The url of document `number`'s store file."""
    return data_url(f"docs/{number}")


def doc_file(number: int, doc: dict[str, Any]) -> bytes:
    """Document `number`'s store file."""
    return data_file(f"docs/{number}", doc)
