"""How the sorted index terms are cut into shards, and which shards a rebuild keeps.

The terms fall into ranges, each starting at a term `starts_range` picks by a digest of the
term alone (the first range at the first term), about RANGE_SHARDS shards' worth of terms
each; a shard never crosses a range's start. The process that sorts (a part of) the postings
digests each range's postings (`RangeWalker`): a range the last build's shard table (in the
cache, trusted only for live files with the digests it names) has with the same digest is
handed on as a `KeptRange`, its entries never encoded and its shard files left as they are;
any other range is encoded, and `cut_shards` cuts it. Output is the same either way: a range's
shards depend on nothing outside it.
"""
from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .search_index import BuiltIndex
from .search_shards import (LENGTH_FILE_FIELDS, SHARD_BYTES, Item, KeptRange, KeptShard, RangeDigest, Shard,
                            ShardTable, shard_entries)

ENTRY_BYTES = 400  # about the mean raw size of a term's entry at 10,000 articles (to pick shard ends)
RANGE_SHARDS = 3  # about how many shards' worth of terms a range holds


def cut_shards(items: Iterable[Item], shard_bytes: int = SHARD_BYTES, *,
               started: bool = False) -> Iterator[Shard | KeptShard | RangeDigest]:
    """Sorted (term, entry) pairs cut into contiguous shards (at least one), each handed on as
    soon as it ends; kept ranges become their kept shards, and range digests are handed on.

    The terms fall into ranges, each starting at a term `starts_range` picks (the first range
    at the first term), cut independently of each other: a shard never crosses a range's
    start, so a rebuild can keep the shards of every range whose postings did not change.
    In a range, a shard of at least `shard_bytes / 2` ends before a term the same digest picks
    (one in shard_bytes / (2 x ENTRY_BYTES)), and one of `2 x shard_bytes` ends regardless:
    where a shard ends hardly depends on the sizes of the entries before it, so when an entry
    changes, few of the range's shards after it change too.

    `started`: the items continue terms handed elsewhere (they start a range, whose shards are
    cut as they are in the whole index's; see `search_resident`)."""
    texts: list[str] = []
    first = range_first = ""
    size = 0
    least, most = shard_bytes // 2, 2 * shard_bytes
    spacing, range_spacing = max(1, shard_bytes // (2 * ENTRY_BYTES)), _range_spacing(shard_bytes)
    for item in items:
        if type(item) is not tuple:
            if texts:
                yield Shard(first, "[" + ",".join(texts) + "]", range_first)
                texts, size = [], 0
            if type(item) is KeptRange:
                for shard_first, made in item.shards:
                    yield KeptShard(shard_first, made, item.first_term)
                yield RangeDigest(item.digest)
            else:
                yield item
            started = True
            continue
        term, entry = item
        crc = _crc(term)
        new_range = started and crc % range_spacing == 0  # `starts_range`
        if texts and (new_range or size >= most or (size >= least and crc % spacing == 0)):
            yield Shard(first, "[" + ",".join(texts) + "]", range_first)
            texts, size = [], 0
        if not texts:
            first = term if started else ""
        if new_range:
            range_first = term
        started = True
        texts.append(entry)
        size += len(entry) + 1
    if texts or not started:
        yield Shard(first, "[" + ",".join(texts) + "]", range_first)


def starts_range(term: str, shard_bytes: int = SHARD_BYTES) -> bool:
    """Whether a range of shards starts at `term` (but for the first range, which starts at the
    first term): one term in about RANGE_SHARDS shards' worth, picked by a digest of the term
    alone, so where ranges start does not depend on any posting."""
    return _crc(term) % _range_spacing(shard_bytes) == 0


def _range_spacing(shard_bytes: int) -> int:
    return max(1, RANGE_SHARDS * shard_bytes // ENTRY_BYTES)


def _crc(term: str) -> int:
    """The digest that picks where ranges start and shards may end."""
    return zlib.crc32(term.encode("utf-8"))


class RangeWalker:
    """The items `cut_shards` is handed for one process's share of the terms, given to `items`
    a pass (a `BuiltIndex` of the next sorted terms) at a time: each range's entries followed by
    a `RangeDigest` of its postings, or a `KeptRange` when `known` (the last build's table, its
    files checked live) has the range with the same digest. A range is kept only if it lies
    whole in one pass; a range this process does not see whole gets no digest.

    `starts`/`ends`: whether this process's terms start/end the whole index's."""

    def __init__(self, known: ShardTable | None, starts: bool, ends: bool, shard_bytes: int = SHARD_BYTES) -> None:
        self.known = known or {}
        self.ends, self.shard_bytes = ends, shard_bytes
        self.at_start = starts  # the next pass begins the whole index
        # The range in progress: its first term, a hasher of its postings (None if it began
        # before this process's terms), and whether it began in the pass at hand.
        self.range_first = ""
        self.hasher: Any = hashlib.blake2b(digest_size=16) if starts else None
        self.opened_here = starts

    def items(self, index: BuiltIndex, last_pass: bool) -> Iterator[Item]:
        """The items of one pass's terms, in order; `last_pass`: no more terms follow in this process."""
        terms = index.terms
        keys = np.fromiter(map(index.first_uses.__getitem__, terms), np.int64, len(terms))
        opening = {j for j, term in enumerate(terms) if starts_range(term, self.shard_bytes)}
        if self.at_start:
            opening.discard(0)  # the first range starts at the first term, picked or not
        else:
            self.opened_here = False
        self.at_start = False
        bounds = sorted({0, len(terms), *opening})
        runs: list[tuple[int, int, RangeDigest | KeptRange | None]] = []  # (start, end, what follows)
        run_from = None  # start of the run of entries being gathered
        for start, end in zip(bounds, bounds[1:]):
            if start in opening:
                self.range_first, self.hasher, self.opened_here = terms[start], hashlib.blake2b(digest_size=16), True
            if self.hasher is not None:
                digest_terms(self.hasher, index, keys, start, end)
            closes = end < len(terms) or (last_pass and self.ends)
            digest = self.hasher.digest() if closes and self.hasher is not None else None
            found = self.known.get(self.range_first)
            if self.opened_here and digest is not None and found is not None and found[0] == digest:
                if run_from is not None:
                    runs.append((run_from, start, None))
                    run_from = None
                runs.append((start, end, KeptRange(self.range_first, digest, found[1])))
                continue
            run_from = start if run_from is None else run_from
            if digest is not None:
                runs.append((run_from, end, RangeDigest(digest)))
                run_from = None
        if run_from is not None:
            runs.append((run_from, len(terms), None))
        for start, end, after in runs:
            if type(after) is not KeptRange and end > start:
                yield from shard_entries(index.slice(start, end))
            if after is not None:
                yield after


def digest_terms(hasher: Any, index: BuiltIndex, keys: np.ndarray, start: int, end: int) -> None:
    """Add terms[start:end] of `index` with everything their entries are made of to `hasher`."""
    def add(data: bytes) -> None:
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)

    add("\0".join(index.terms[start:end]).encode("utf-8"))
    add(keys[start:end].tobytes())
    for field, lengths, postings in zip(index.fields, index.lengths, index.postings):
        low, high = postings.offsets[start], postings.offsets[end]
        add(np.diff(postings.offsets[start:end + 1]).tobytes())
        docs = postings.docs[low:high]
        add(docs.tobytes())
        add(postings.tfs[low:high].tobytes())
        if field.name not in LENGTH_FILE_FIELDS:
            add(lengths[docs].tobytes())
