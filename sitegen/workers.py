"""What runs in worker processes during a build: load a chunk of content files, render a chunk of
pages, build (a part of) the search files. `build.py` hands these to an executor or a forked
process; they return plain data (a problem is returned, not raised: pickling an exception drops
its problems).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cache as store
from .cache import FileState, OutputFile
from .config import Config
from .errors import ContentError
from .fingerprints import ReadLog
from .loader import LoadResult, load_article, parse_article
from .model import Site
from .output import same_bytes, stage_file
from .pages import Page
from .parallel import ForkedCall, shared
from .recording import Recorder
from .render import make_environment, make_renderer
from .search import build_search_files, count_site_index, index_entries, search_store_files


def search_files(site: Site, code_key: str, name: str, part: tuple[int, int]) -> Any:
    """The search files (`all`), the `store` files (documents, facets), or the `index` as
    (index, shard entries), scored and encoded in `part[1]` forked processes once counted;
    the analysis cache is kept."""
    if name == "store":
        return search_store_files(site)
    analyser = store.read_analyser(site.config, code_key)
    if name == "all":
        files = build_search_files(site, analyser=analyser)
        store.write_analyser(site.config, code_key, analyser)
        return files
    counted = count_site_index(site, analyser)
    count = part[1] if ForkedCall.is_possible() else 1
    others = [ForkedCall(index_entries, counted, (k, count)) for k in range(1, count)]
    try:
        store.write_analyser(site.config, code_key, analyser)
        index, entries = index_entries(counted, (0, count))
        for other in others:
            entries.extend(other.result()[1])
    finally:
        for other in others:
            other.close()
    return index, entries


def search_task(site: Site, code_key: str, name: str, part: tuple[int, int]) -> Any:
    """`search_files`, run in a forked process."""
    try:
        return search_files(site, code_key, name, part)
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
    out: Path
    staging: Path
    digests: dict[str, bytes]  # url -> digest of the intact file the last build wrote


_renderers: dict[int, tuple[Callable[[Page], str], Recorder, set[str]]] = {}


def render_chunk(indexes: list[int]) -> list[tuple[int, OutputFile, tuple | None, bool]] | tuple:
    """Render pages, staging those whose bytes changed; runs in a worker."""
    job: RenderJob = shared()
    if id(job) not in _renderers:
        _renderers.clear()
        env = make_environment(job.site.config)
        recorder = Recorder(env, ReadLog(job.site.config))
        _renderers[id(job)] = (make_renderer(job.site, env), recorder, set())
    render_page, recorder, made = _renderers[id(job)]
    done = []
    try:
        for index in indexes:
            page = job.pages[index]
            recorder.start()
            data = render_page(page).encode("utf-8")
            reads = recorder.finish()
            digest = store.digest_bytes(data)
            old = job.out / page.url
            if job.digests.get(page.url) == digest or (page.url not in job.digests and same_bytes(old, data)):
                done.append((index, record_output(os.stat(old), digest), reads, False))
            else:
                done.append((index, record_output(stage_file(job.staging, page.url, data, made), digest), reads, True))
    except ContentError as exc:  # returned, not raised: pickling an exception drops its problems
        return ("error", str(exc), list(exc.problems))
    return done


def record_output(stat: os.stat_result, digest: bytes) -> OutputFile:
    """What the cache keeps about an output file: its size, times, inode and digest."""
    return OutputFile(stat.st_size, stat.st_mtime_ns, stat.st_ino, digest)
