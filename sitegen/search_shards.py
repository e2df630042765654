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
  load neighbouring shards. Shards end at terms picked by a digest of the term (once big
  enough) and are named by a digest of their first term, so an article's edit changes only the
  shards of the terms whose counts changed, not every shard after them.
- `lengths/N`: the body lengths of documents N x LENGTH_BLOCK onwards.
- `lexicon`: every term, front-coded, for fuzzy (`~`) and leading-`*` queries.
- `facets`: per facet (each taxonomy, source, year) its values with their documents as deltas.
- `docs/N`: what a result shows for document N: title, link, date, source, summary, terms, text.
"""
from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import sub
from typing import Any

import numpy as np

from .search_index import B, FOLD_LABEL, K1, LUNR_JS_VERSION, STEMMER_LABEL, BuiltIndex, FieldPostings

FOLDER = "search"  # under the site root, next to search.html
SHARD_BYTES = 48_000  # about the raw size of one term shard
ENTRY_BYTES = 400  # about the mean raw size of a term's entry at 10,000 articles (to pick shard ends)
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


def cut_shards(entries: Iterable[tuple[str, str]], shard_bytes: int = SHARD_BYTES) -> Iterator[Shard]:
    """Sorted (term, entry) pairs cut into contiguous shards (at least one), each handed on as
    soon as it ends.

    A shard of at least `shard_bytes / 2` ends before a term `_ends_shard` picks (about one term
    in shard_bytes / (2 x ENTRY_BYTES)), and one of `2 x shard_bytes` ends regardless. Where a
    shard ends hardly depends on the sizes of the entries before it, so when one article's
    terms change, the shards after them stay the same."""
    texts: list[str] = []
    first, size = "", 0
    least, most = shard_bytes // 2, 2 * shard_bytes
    spacing = max(1, shard_bytes // (2 * ENTRY_BYTES))
    for term, entry in entries:
        if texts and (size >= most or (size >= least and _ends_shard(term, spacing))):
            yield Shard(first, "[" + ",".join(texts) + "]")
            texts, first, size = [], term, 0
        texts.append(entry)
        size += len(entry) + 1
    yield Shard(first, "[" + ",".join(texts) + "]")


def _ends_shard(term: str, spacing: int) -> bool:
    """Whether a shard may end before `term`: a fixed one in `spacing` of all terms."""
    return zlib.crc32(term.encode("utf-8")) % spacing == 0


def shard_name(first_term: str, taken: set[str]) -> str:
    """The file name of a shard: a digest of its first term (the same in every build the shard
    starts there), with a suffix in the rare case it is `taken` by an earlier shard; it is
    added to `taken`."""
    name = base = hashlib.blake2b(first_term.encode("utf-8"), digest_size=5).hexdigest()
    extra = 1
    while name in taken:
        extra += 1
        name = f"{base}-{extra}"
    taken.add(name)
    return name


def iter_shard_files(index: BuiltIndex, shards: Iterable[Shard],
                     labels: dict[str, str]) -> Iterator[tuple[str, bytes]]:
    """(url, bytes) of every shard as it comes, then the length files, the lexicon and the
    manifest; a digest of the shards and lengths names the build. Only one shard's text is
    held at a time.

    `labels` maps each taxonomy to its plural name, for the term lines under each result."""
    digest = hashlib.sha256()
    first_terms, names = [], []
    taken: set[str] = set()
    for shard in shards:
        name = shard_name(shard.first_term, taken)
        key = f"terms/{name}"
        data = _script(key, shard.text)
        digest.update(data)
        first_terms.append(shard.first_term)
        names.append(name)
        yield data_url(key), data
    in_files = [lengths for field, lengths in zip(index.fields, index.lengths) if field.name in LENGTH_FILE_FIELDS]
    for number, lengths in enumerate(length_blocks(in_files)):
        key = f"lengths/{number}"
        data = data_file(key, lengths)
        digest.update(data)
        yield data_url(key), data
    yield data_url("lexicon"), data_file("lexicon", lexicon_text(sorted(index.first_uses)))
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
    lines, previous = [], ""
    for term in terms:
        shared = 0
        limit = min(len(term), len(previous), 60)
        while shared < limit and term[shared] == previous[shared]:
            shared += 1
        lines.append(chr(48 + shared) + term[shared:])
        previous = term
    return "\n".join(lines)


def _deltas(docs: Sequence[int]) -> list[int]:
    return [docs[0], *map(sub, docs[1:], docs)] if docs else []


def doc_url(number: int) -> str:
    """The url of document `number`'s store file."""
    return data_url(f"docs/{number}")


def doc_file(number: int, doc: dict[str, Any]) -> bytes:
    """Document `number`'s store file."""
    return data_file(f"docs/{number}", doc)
