"""What runs in worker processes during a build: load a chunk of content files, render a chunk of
pages, build (a part of) the search files. `pipeline.py` hands these to an executor or a forked
process; they return plain data (a problem is returned, not raised: pickling an exception drops
its problems).
"""
from __future__ import annotations

import itertools
import os
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import cache as store
from .cache import FileState, OutputFile
from .config import Config
from .errors import ContentError
from .fingerprints import Opaque, ReadLog
from .loader import LoadResult, load_article, parse_article
from .model import Site
from .output import digest_bytes, same_bytes, stage_file
from .pages import Page
from .parallel import ForkedCall, return_freed_memory, shared
from .recording import Recorder
from .render import make_environment, make_renderer
from .search import count_site_index, index_files, iter_store_files_keyed, part_items, shard_items
from .search_input import SearchInput
from .search_shards import Item, Kept, ShardTable, shard_url


@dataclass(frozen=True)
class Target:
    """Where a build's files go: the live output, the staging folder, and what the live files
    hold (url -> digest of each intact file the last build wrote)."""

    out: Path
    staging: Path
    digests: Mapping[str, bytes]


Staged = tuple[OutputFile, bool]  # the file's record, and whether it was staged (else already live)


def keep_or_stage(target: Target, url: str, data: bytes, made: set[str]) -> Staged:
    """`data` as `url`: the live file, if it already holds these bytes; else a staged file.
    `made` holds the staging subfolders this process has made."""
    digest = digest_bytes(data)
    live = target.out / url
    if target.digests.get(url) == digest or (url not in target.digests and same_bytes(live, data)):
        return record_output(os.stat(live), digest), False
    return record_output(stage_file(target.staging, url, data, made), digest), True


def search_files(source: SearchInput, code_key: str, name: str, part: tuple[int, int], target: Target, *,
                 forked: bool = False) -> dict[str, Staged]:
    """Make and stage the search files: all of them (`all`), the `store` files (documents,
    facets) or the `index` files, encoded in `part[1]` forked processes once counted (the
    shards of every range of terms whose postings are the last build's are kept, see
    `search_ranges`); the analysis cache is kept (in this process's memory too,
    unless it is `forked`). Each file is staged as it is made and only records are returned, so
    neither the documents nor the term shards are ever all in memory."""
    staged: dict[str, Staged] = {}
    made: set[str] = set()

    def put(files: Iterable[tuple[str, bytes | Kept]]) -> None:
        for url, data in files:
            if url not in staged:
                staged[url] = (_live(target, url, data.digest) if type(data) is Kept
                               else keep_or_stage(target, url, data, made))  # type: ignore[arg-type]

    if name != "store":
        analyser = store.read_analyser(source.config, code_key)
        counted = count_site_index(source, analyser)  # holds its own copy of the analysed documents
        store.write_analyser(source.config, code_key, analyser, remember=not forked)
        del analyser  # so the processes that encode parts of the index do not carry it
        return_freed_memory()
        known = _live_shards(target, store.read_shard_table(source.config, code_key))
        parts = part[1] if ForkedCall.is_possible() else 1
        others = [ForkedCall(part_items, counted, (k, parts), known) for k in range(1, parts)]
        try:
            index, items = shard_items(counted, (0, parts), release=True, known=known)
            del counted
            table: ShardTable = {}
            put(index_files(source, index, itertools.chain(items, *map(_items_of, others)), table=table))
            store.write_shard_table(source.config, code_key, table)
        finally:
            for other in others:
                other.close()
    if name != "index":
        staged.update(_store_files(source, code_key, target, made))
    return staged


def _store_files(source: SearchInput, code_key: str, target: Target, made: set[str]) -> dict[str, Staged]:
    """Stage the search documents and facets; a document made of what made the live file (the
    last build's keys, kept per output folder) is not made again."""
    known = {url: key for url, (key, digest) in store.read_doc_keys(source.config, code_key).items()
             if target.digests.get(url) == digest}
    staged: dict[str, Staged] = {}
    keys: dict[str, tuple[bytes, bytes]] = {}
    for url, data, key in iter_store_files_keyed(source, known):
        if data is None:
            record, was_staged = _live(target, url, target.digests[url])
        else:
            record, was_staged = keep_or_stage(target, url, data, made)
        staged[url] = (record, was_staged)
        if key:
            keys[url] = (key, record.digest)
    store.write_doc_keys(source.config, code_key, keys)
    return staged


def _items_of(call: ForkedCall) -> Iterator[Item]:
    """The items a forked `part_items` sends back, waited for when first asked for."""
    yield from call.result()


def _live(target: Target, url: str, digest: bytes) -> Staged:
    """The record of the live file at `url`, known to hold bytes with `digest`."""
    return record_output(os.stat(target.out / url), digest), False


def _live_shards(target: Target, table: ShardTable) -> ShardTable:
    """The ranges of the last build's shard table whose shard files are live, as it wrote them."""
    return {first: row for first, row in table.items()
            if all(target.digests.get(shard_url(term)) == digest for term, digest in row[1])}


def search_task(path: Path, code_key: str, name: str, part: tuple[int, int],
                target: Target) -> dict[str, Staged] | tuple:
    """`search_files` of the input saved at `path` (see `SearchInput.write`), run in a process
    forked before the model was built."""
    try:
        return search_files(SearchInput.read(path), code_key, name, part, target, forked=True)
    except ContentError as exc:  # returned, not raised: pickling an exception drops its problems
        return ("error", str(exc), list(exc.problems))


def load_chunk(work: list[tuple[str, str, str | None]]) -> list[tuple[str, str, FileState | None, LoadResult | None]]:
    """Hash and, unless the cache has that hash, parse each file; runs in a worker."""
    config: Config = shared()
    done = []
    for path_text, source, cached_sha in work:
        path = Path(path_text)
        try:
            stat = os.stat(path)
            raw = path.read_bytes()
        except OSError:
            done.append((path_text, source, None, load_article(path, config)))
            continue
        state = FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino, store.sha256_hex(raw))
        result = None if state.sha256 == cached_sha else parse_article(raw, source, config)
        done.append((path_text, source, state, result))
    return done


@dataclass(frozen=True)
class RenderJob:
    """What render workers share: the model, its pages, and where to write."""

    site: Site
    pages: list[Page]
    target: Target


# This process's renderer for the job it last rendered: its renderer, recorder and the staging
# folders made. The job is known by a weak reference, not its id: a job made after the last
# one was freed may get its id (a dev server renders small rebuilds in its own process). The
# renderer goes with its job, and the model it holds with it.
_renderer: tuple[weakref.ref[RenderJob], Callable[[Page], str], Recorder, set[str]] | None = None


def _forget_renderer(job: weakref.ref[RenderJob]) -> None:
    global _renderer
    if _renderer is not None and _renderer[0] is job:
        _renderer = None


@dataclass
class RenderedChunk:
    """What rendering a chunk of pages gives: per page (index, its output record, its reads as
    places in `reads` or None if it is opaque, whether it was staged), and the chunk's distinct
    reads, each (read, digest) once: the build numbers them once per chunk, not once per page
    (a first build of 10,000 articles records 1.45 million reads, 150,000 of them distinct;
    its chunks of 2,100 pages send 60,000 each)."""

    pages: list[tuple[int, OutputFile, array[int] | None, bool]]
    reads: list[tuple[tuple, bytes]]


class _ReadPlaces(dict[tuple, int]):
    """A read as recorded, (model object, attribute) -> its place in `reads`, where its (read,
    digest) entry (see `ReadLog.entry_of`) is added on its first use in the chunk: a read
    recorded again, as most are, costs one lookup in C."""

    def __init__(self, log: ReadLog) -> None:
        super().__init__()
        self.log = log
        self.reads: list[tuple[tuple, bytes]] = []

    def __missing__(self, pair: tuple) -> int:
        entry = self.log.entry_of(pair)  # may raise Opaque: then the pair is not added
        place = self[pair] = len(self.reads)
        self.reads.append(entry)
        return place

    def places(self, pairs: set[tuple] | None) -> array[int] | None:
        """Where each of `pairs` is in `self.reads`, adding those new to it; None if one of them
        cannot be digested (the page is opaque)."""
        if pairs is None:
            return None
        try:
            return array("I", map(self.__getitem__, pairs))
        except Opaque:
            return None


def render_chunk(indexes: list[int]) -> RenderedChunk | tuple:
    """Render pages, staging those whose bytes changed; runs in a worker."""
    global _renderer
    job: RenderJob = shared()
    if _renderer is None or _renderer[0]() is not job:
        _renderer = None  # the last job's model is freed before this one's renderer is made
        env = make_environment(job.site.config)
        recorder = Recorder(env, ReadLog(job.site.config))
        _renderer = (weakref.ref(job, _forget_renderer), make_renderer(job.site, env), recorder, set())
    _, render_page, recorder, made = _renderer
    done = RenderedChunk([], [])
    places = _ReadPlaces(recorder.log)
    try:
        for index in indexes:
            page = job.pages[index]
            recorder.start()
            data = render_page(page).encode("utf-8")
            reads = places.places(recorder.finish_pairs())
            record, was_staged = keep_or_stage(job.target, page.url, data, made)
            done.pages.append((index, record, reads, was_staged))
    except ContentError as exc:  # returned, not raised: pickling an exception drops its problems
        return ("error", str(exc), list(exc.problems))
    done.reads = places.reads
    return done


def record_output(stat: os.stat_result, digest: bytes) -> OutputFile:
    """What the cache keeps about an output file: its size, times, inode and digest."""
    return OutputFile(stat.st_size, stat.st_mtime_ns, stat.st_ino, digest)
