"""The full build, once `build.py` has found that something changed: load, model, pages,
render, write. Returns a `BuildResult`; prints nothing.

It is incremental and parallel, keeping a cache in `.sitegen-cache/` (see `cache.py`):
- loading parses only content files whose hash the cache does not know, on every core;
- the model and pages are planned in full (they are pure and quick), then only pages whose
  fingerprint changed are rendered, on every core (see `fingerprints.py`); while every
  article keeps its path, date, slug and terms (the structure key, see `cache.model_keys`),
  the related articles, term connections and page fingerprints are the last build's;
- whole-site producers (search index, feeds, sitemap) run again only when the model changed,
  and the search documents only for the articles that changed;
- only files whose bytes changed are written (see `output.py` for how they go live).
The output is byte for byte what a build without any cache makes.
"""
from __future__ import annotations

import gc
import os
import time
from array import array
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import cache as store
from . import workers
from .build import Progress, Scan, hashed_inputs
from .check import Plan, check_model, check_pages
from .cache import ArticleCache, BuildState, FileState, ReadIds
from .config import Config
from .errors import ContentError, Problem
from .feeds import build_feed_files
from .fingerprints import ReadLog, changed_reads, describe, digest_of
from .loader import LoadResult, source_of
from .model import Article, Site
from .output import (WriteStats, commit_patch, commit_swap, discard_staging, prepare_staging,
                     recover, static_sources)
from .pages import Page
from .parallel import ExecutorFactory, ForkedCall, chunked, default_jobs, stage_executor
from .results import BuildResult
from .search_input import SearchInput
from .sitemap import build_sitemap_files
from .taxonomy import Links

PATCH_LIMIT = 0.2  # commit in place when at most this share of the files changed; else swap
STALE_READS = 0.25  # reads are numbered afresh once they have grown by this share (see `renumbers_reads`)


def run_pipeline(config: Config, scan: Scan, result: BuildResult, *, keep_going: bool, progress: Progress | None,
                 jobs: int | None, executor_factory: ExecutorFactory | None,
                 keep: Callable[[LastBuild], None] | None) -> BuildResult:
    """Build from `scan` (the inputs `build.build` found changed), within the lock it holds;
    `result` already holds the scan's time. Arguments as for `build.build`."""
    run = _Run(config, jobs or default_jobs(), executor_factory, progress, result)
    run.keep = keep
    return run.build(scan, keep_going)


class _Run:
    """One build: the steps in order, and what they hand each other."""

    def __init__(self, config: Config, jobs: int, factory: ExecutorFactory | None, progress: Progress | None,
                 result: BuildResult) -> None:
        self.config, self.jobs, self.factory, self.progress = config, jobs, factory, progress
        self.result = result
        self.clock = time.perf_counter()
        self.read_ids: dict[tuple, int] = {}  # read -> its number in the new state
        self.carried: _CarriedReads | None = None
        self.search_calls: list[ForkedCall] | None = None
        self.model_key = self.structure_key = b""  # see `known_links`
        self.links_kept: Links | None = None
        self.rendering: _Rendering  # the render stage, once `write` starts it
        self.files_target: workers.Target  # where files go, once `begin_search` made the staging folder
        self.keep: Callable[[LastBuild], None] | None = None

    def lap(self, stage: str) -> None:
        """Charge the time since the last lap to `stage`."""
        now = time.perf_counter()
        self.result.timings[stage] = self.result.timings.get(stage, 0.0) + now - self.clock
        self.clock = now

    def build(self, scan: Scan, keep_going: bool) -> BuildResult:
        config = self.config
        previous, inputs, scanned_ns, fingerprint = scan.previous, scan.inputs, scan.scanned_ns, scan.fingerprint
        gc.freeze()  # the last build's state: collections during load and model need not walk it

        self.code_key = store.global_fingerprint(config, inputs, templates=False)
        if previous is None or previous.fingerprint != fingerprint:
            previous = BuildState(fingerprint)  # nothing of the last build can be reused
        with ExitStack() as stack:  # on leaving, forked search processes have ended
            # The search processes fork now, before the model is built, and receive only what
            # they need of it (see `start_search`): forked later, each was charged for the
            # whole model (1.0 GB at 100,000 articles) on top of its own memory.
            searchers = self.fork_searchers(previous, stack)
            articles = ArticleCache(config, self.code_key)
            try:  # from the moment the staging folder exists (`begin_search`), a failure must remove it
                # A first build's one search process would wait, its core idle, while the model's
                # links are ranked: it starts as soon as the articles and terms are known. A
                # rebuild's two would slow the ranking, which the rest of the build waits for
                # (add one at 100,000 articles: model 17.8 -> 25.3 s): they start after it.
                begin = partial(self.begin_search, previous, searchers)
                early = not previous.outputs
                site = check_model(config, keep_going=keep_going, result=self.result,
                                   load=lambda c: self.load(articles, inputs), links=partial(self.known_links, inputs),
                                   before_links=begin if early else None)
                if not early:
                    begin(site)
                # The model is millions of long-lived objects: collections should not walk them
                # again and again, nor (after fork) dirty the memory workers share with this process.
                gc.freeze()
                self.clock = time.perf_counter()
                state = BuildState(fingerprint, scanned_ns=scanned_ns, structure_key=self.structure_key)
                state.inputs = hashed_inputs(inputs)
                target = self.files_target
                plan = Plan(site, check_pages(site, self.result))  # times itself
                gc.freeze()
                self.clock = time.perf_counter()
                store.read_details(config, previous)  # part of `plan`
                store.forget_state(config)  # from here the output may change: a crash must not trust it
                self.write(plan, previous, state, target, articles)
            except BaseException:
                stack.close()  # the search processes end before their staged files are discarded
                discard_staging(config.output_dir)
                recover(config.output_dir)  # a commit cut short by an error is rolled back at once
                raise
        self.lap("write")
        self.save(plan, state)
        self.lap("cache")
        if self.keep is not None:
            self.keep(LastBuild(plan.site, plan.pages, state, articles, self.code_key, self.result))
        return self.result

    # -------------------------------------------------------------- load

    def load(self, cache: ArticleCache, inputs: dict[str, FileState | None]) -> tuple[list[Article], list[Problem]]:
        """Every content file's article and problems: from the cache, else parsed on every core."""
        cache.load()
        config = self.config
        content = str(config.content_dir) + os.sep
        # In the order of Path objects (part by part), without making 10,000 of them.
        paths = sorted((p for p in inputs if p.startswith(content) and p.endswith(".md")),
                       key=lambda p: p.split(os.sep))
        results: dict[str, LoadResult] = {}
        work: list[tuple[str, str, str | None]] = []  # (path, source, sha256 the cache has)
        sources = []
        for path in paths:
            source = content_source(path, config)
            sources.append(source)
            state = inputs[path]
            found = cache.get(source, state.sha256 if state else None)
            if found and state:
                results[source] = found[1]
            else:
                work.append((path, source, found[0] if found else None))
        chunks = chunked(work, self.jobs, smallest=20)
        with stage_executor(self.jobs, config, len(chunks), self.factory) as executor:
            for future in [executor.submit(workers.load_chunk, chunk) for chunk in chunks]:
                for path, source, state, result in future.result():
                    if state is not None:
                        inputs[path] = state
                        if result is None:
                            result = cache.get(source, None)[1]
                        cache.put(source, state.sha256, result)
                    results[source] = result
        cache.keep_only(sources)
        articles, problems = [], []
        for source in sources:
            result = results[source]
            problems.extend(result.problems)
            if result.article is not None and not result.article.is_draft:
                articles.append(result.article)
        return articles, problems

    def known_links(self, inputs: dict[str, FileState | None], articles: list[Article]) -> Links | None:
        """Work out the model keys of `articles`; the links the last build kept for the same
        structure, if any."""
        self.model_key, self.structure_key = store.model_keys(self.config, inputs, articles)
        self.links_kept = store.read_links(self.config, self.structure_key)
        return self.links_kept

    # -------------------------------------------------------------- render and write

    def begin_search(self, previous: BuildState, searchers: dict[str, ForkedCall] | None, site: Site) -> None:
        """Prepare the staging folder (`files_target`) and start the search files from the
        model `site` (see `start_search`; on a first build, while its links are ranked); timed
        as the search stage."""
        started = time.perf_counter()
        self.files_target = self.target(previous, prepare_staging(self.config.output_dir))
        self.search_calls = self.start_search(site, previous, self.files_target, searchers)
        self.result.timings["search"] = self.result.timings.get("search", 0.0) + time.perf_counter() - started

    def target(self, previous: BuildState, staging: Path) -> workers.Target:
        """Where this build's files go; `damaged` holds the live files no longer as last built."""
        self.damaged = store.output_damage(self.config.output_dir, previous.outputs)
        digests = {url: f.digest for url, f in previous.outputs.items() if url not in self.damaged}
        return workers.Target(self.config.output_dir, staging, digests)

    def write(self, plan: Plan, previous: BuildState, state: BuildState, target: workers.Target,
              articles: ArticleCache) -> None:
        """Render the pages that changed and stage every changed file; then commit them. The
        article cache is saved meanwhile (its parses hold whether or not this build succeeds)."""
        site, pages = plan.site, plan.pages
        renumber = self.renumbers_reads(previous)
        if not renumber:  # the new reads are added to the last build's, which unchanged pages keep
            state.reads, state.read_digests = previous.reads, previous.read_digests
            state.numbered_reads = previous.numbered_reads
        fingerprints = self.page_fingerprints(pages, previous)
        dirty = self.dirty_pages(plan, previous, fingerprints, self.damaged)
        self.lap("plan")
        self.result.rendered_count = len(dirty)
        job = workers.RenderJob(site, pages, target)
        # Last planned first: the few slow pages (A-Z lists, archive, years: up to 30 ms each)
        # are planned after the articles, whose even pages then make the small last chunks.
        chunks = chunked(dirty[::-1], self.jobs, smallest=25)
        staged: list[str] = []
        with stage_executor(self.jobs, job, len(chunks), self.factory) as executor:
            self.rendering = _Rendering([executor.submit(workers.render_chunk, chunk) for chunk in chunks],
                                        pages, fingerprints, state, staged, len(dirty))
            self.lap("render")  # an executor of one job renders in `submit`
            articles.save()  # while the pages render, rather than after: 0.3 s at 10,000 articles
            self.lap("cache")
            staged.extend(self.produce_extras(plan, previous, state, target))  # meanwhile, in this process
            waited_for_pages = self.rendering.waited  # inside the wait for the search files
            self.clock = time.perf_counter()
            self.take_rendered()
        self.result.timings["render"] += waited_for_pages
        self.lap("render")
        for index in set(range(len(pages))) - set(dirty):
            url = pages[index].url
            state.outputs[url] = previous.outputs[url]
            # Popped, so the last build's record of each page is freed as its new one is made.
            reads = previous.pages.pop(url)[1]
            state.pages[url] = (fingerprints[index], self.carry_reads(previous, reads, state) if renumber else reads)
        if renumber:
            state.numbered_reads = len(state.reads)
        self.read_ids, self.carried = {}, None  # every read is numbered: free the maps (~180 MB at 100,000)
        self.commit(previous, state, target.staging, staged)

    def renumbers_reads(self, previous: BuildState) -> bool:
        """Whether this build numbers the reads of its pages afresh, dropping those no page
        makes any more: a first build, and a rebuild once the reads have grown by more than
        `STALE_READS` since the last that did. Others add the reads of the pages they render to
        the last build's, and keep the numbers of every unchanged page as they are."""
        return not previous.reads or len(previous.reads) > previous.numbered_reads * (1 + STALE_READS)

    def page_fingerprints(self, pages: list[Page], previous: BuildState) -> list[bytes]:
        """Each page's fingerprint: the last build's, if the site's structure is the same (the
        plan depends on nothing else; see `cache.model_keys`), else worked out."""
        if previous.structure_key != self.structure_key:
            return [digest_of(describe(page)) for page in pages]
        before = previous.pages
        return [before[page.url][0] if page.url in before else digest_of(describe(page)) for page in pages]

    def take_rendered(self) -> None:
        """Remember the pages rendered (waiting for the rest): each chunk's outcome as soon as it
        arrives, as the executor would otherwise hold every outcome (1 GB at 100,000 articles)."""
        rendering = self.rendering
        started = time.perf_counter()
        while rendering.futures:
            outcome = rendering.futures.pop(0).result()  # dropped once remembered
            if isinstance(outcome, tuple):
                raise ContentError(outcome[1], outcome[2])
            state = rendering.state
            numbers = array("I", [self.number_read(state, read, value) for read, value in outcome.reads])
            for index, record, places, was_staged in outcome.pages:
                url = rendering.pages[index].url
                state.outputs[url] = record
                reads = None if places is None else array("I", map(numbers.__getitem__, places))
                state.pages[url] = (rendering.fingerprints[index], reads)
                if was_staged:
                    rendering.staged.append(url)
            rendering.done += len(outcome.pages)
            if self.progress:
                self.progress(rendering.done, rendering.total)
        rendering.waited += time.perf_counter() - started

    def dirty_pages(self, plan: Plan, previous: BuildState, fingerprints: list[bytes], damaged: set[str]) -> list[int]:
        """Indexes of the pages that must be rendered: new, changed, opaque or damaged."""
        if not previous.pages:
            return list(range(len(plan.pages)))
        site = plan.site
        stamps = previous.article_stamps
        unchanged = {a.source_file for a in site.articles if stamps.get(a.source_file) == digest_of(a.stamp)}
        changed_ids = changed_reads(previous.recorded_reads(), site, ReadLog(self.config), unchanged,
                                    same_structure=previous.structure_key == self.structure_key)
        dirty = []
        for index, page in enumerate(plan.pages):
            before = previous.pages.get(page.url)
            if (before is None or before[0] != fingerprints[index] or before[1] is None or page.url in damaged
                    or not changed_ids.isdisjoint(before[1])):
                dirty.append(index)
        return dirty

    def number_read(self, state: BuildState, read: tuple, value: bytes) -> int:
        """The number of `read` in the new state, adding it if new."""
        number = self.read_ids.get(read)
        if number is None:
            number = self.read_ids[read] = state.add_read(read, value)
        return number

    def carry_reads(self, previous: BuildState, ids: ReadIds | None, state: BuildState) -> ReadIds | None:
        """An unchanged page's reads, renumbered for the new state."""
        if ids is None:
            return None
        if self.carried is None:
            self.carried = _CarriedReads(self, previous, state)
        return array("I", map(self.carried.__getitem__, ids))  # each old number is looked up in C after its first use

    def produce_extras(self, plan: Plan, previous: BuildState, state: BuildState, target: workers.Target) -> list[str]:
        """Stage the files made from the whole model (search, feeds and sitemap) and the static
        assets that changed; a producer whose inputs are unchanged and whose files are intact is
        skipped. Pages win over extras, search over static. Returns the staged urls."""
        site, config = plan.site, self.config
        statics = static_sources((config.static_dir,), set())
        taken = {page.url for page in plan.pages}
        staged: list[str] = []
        made: set[str] = set()

        def stage(files: Iterable[tuple[str, bytes]]) -> dict[str, workers.Staged]:
            return {url: workers.keep_or_stage(target, url, data, made) for url, data in files if url not in taken}

        producers: dict[str, tuple[bytes, Callable[[], dict[str, workers.Staged]]]] = {  # in order of precedence
            "search": (self.model_key, lambda: self.search_files(plan, target, taken)),
            "feeds": (self.model_key,
                      lambda: stage({**build_feed_files(site), **build_sitemap_files(site, plan.pages)}.items())),
            "static": (digest_of(sorted((url, _sha(state, path)) for url, path in statics.items())),
                       lambda: stage((url, path.read_bytes()) for url, path in statics.items())),
        }
        for name, (key, make) in producers.items():
            before = previous.producers.get(name)
            if before and before[0] == key and not self.damaged.intersection(before[1]):
                state.producers[name] = before
                for url in before[1]:
                    if url not in taken:
                        taken.add(url)
                        state.outputs[url] = previous.outputs[url]
                continue
            started, rendering_waited = time.perf_counter(), self.rendering.waited
            records = make()
            self.result.timings[name] = (self.result.timings.get(name, 0.0) + time.perf_counter() - started
                                         - (self.rendering.waited - rendering_waited))
            state.producers[name] = (key, tuple(records))
            for url, (record, was_staged) in records.items():
                taken.add(url)
                state.outputs[url] = record
                if was_staged:
                    staged.append(url)
        self.result.search_urls = state.producers["search"][1]
        return staged

    def fork_searchers(self, previous: BuildState, stack: ExitStack) -> dict[str, ForkedCall] | None:
        """With more than one job and a local process pool, the processes that will make the
        search files, forked now and waiting (see `start_search`); None otherwise.

        A rebuild renders few pages: the documents get one process, and the index one that,
        once its terms are counted, encodes them in `jobs` parts (see
        `workers.search_files`); a first build keeps the other cores for rendering."""
        if self.jobs < 2 or self.factory is not None or not ForkedCall.is_possible():
            return None
        names = ["index", "store"] if previous.outputs else ["all"]
        stack.callback(store.search_input_path(self.config).unlink, missing_ok=True)  # last, once they have ended
        read_ahead = partial(store.read_analyser_ahead, self.config, self.code_key)  # while the model is made
        searchers = {name: ForkedCall(prepare=None if name == "store" else read_ahead) for name in names}
        for searcher in searchers.values():
            stack.callback(searcher.close)
        return searchers

    def start_search(self, site: Site, previous: BuildState, target: workers.Target,
                     searchers: dict[str, ForkedCall] | None) -> list[ForkedCall] | None:
        """When the model changed, the waiting `searchers` start on the search files, beside page
        planning and rendering, from the model's search input saved in the cache folder (removed
        when the build ends); None if there are none or the search files are unchanged."""
        before = previous.producers.get("search")
        if searchers is None:
            return None
        if before is not None and before[0] == self.model_key:
            for searcher in searchers.values():
                searcher.close()
            return None
        path = store.search_input_path(self.config)
        path.parent.mkdir(parents=True, exist_ok=True)
        SearchInput.of_site(site).write(path)
        # Only the last build's search files can hold what these processes write.
        digests = {url: target.digests[url] for url in (before[1] if before else ()) if url in target.digests}
        theirs = workers.Target(target.out, target.staging, digests)
        parts = {"all": (0, 1), "index": (0, self.jobs), "store": (0, 1)}
        for name, searcher in searchers.items():
            searcher.start(workers.search_task, path, self.code_key, name, parts[name], theirs)
        return list(searchers.values())

    def search_files(self, plan: Plan, target: workers.Target, taken: set[str]) -> dict[str, workers.Staged]:
        """The search files, staged: by the processes started early, else here. They never take
        a page's url (pages are `.html` files, the search's `.js`); a clash would be a bug."""
        if self.search_calls is None:
            records = workers.search_files(SearchInput.of_site(plan.site), self.code_key, "all", (0, 1), target)
        else:
            self.take_rendered()  # while the search processes work
            records = {}
            for call in self.search_calls:
                outcome = call.result()
                if isinstance(outcome, tuple) and outcome and outcome[0] == "error":
                    raise ContentError(outcome[1], outcome[2])
                records.update(outcome)
        clashes = taken.intersection(records)
        if clashes:
            raise RuntimeError(f"search files with the urls of pages: {sorted(clashes)[:5]}")
        return records

    def commit(self, previous: BuildState, state: BuildState, staging: Path, staged: list[str]) -> None:
        """Make the staged files live, in place (few) or by swapping folders (many)."""
        out = self.config.output_dir
        removed = [url for url in previous.outputs if url not in state.outputs]
        has_previous = bool(previous.outputs) and out.is_dir()
        if has_previous and len(staged) + len(removed) <= PATCH_LIMIT * max(len(state.outputs), 1):
            commit_patch(out, staging, staged, removed)
        else:
            staged_set = set(staged)
            commit_swap(out, staging, [url for url in state.outputs if url not in staged_set])
        sizes = sum(f.size for f in state.outputs.values())
        self.result.write = WriteStats(len(staged), len(state.outputs) - len(staged), sizes)
        self.result.file_count = len(state.outputs)

    def save(self, plan: Plan, state: BuildState) -> None:
        """Keep what the next build needs."""
        state.article_stamps = {a.source_file: digest_of(a.stamp) for a in plan.site.articles}
        state.problems = list(self.result.problems)
        state.skipped_sources = list(self.result.skipped_sources)
        state.article_count, state.page_count = self.result.article_count, self.result.page_count
        if self.links_kept is None:
            store.write_links(self.config, self.structure_key, Links.of(plan.site))
        store.write_state(self.config, state)


@dataclass(frozen=True)
class LastBuild:
    """What a build leaves in memory: its model, pages, state (as saved), article cache, the
    key of its code and config (see `_Run.code_key`) and its result."""

    site: Site
    pages: list[Page]
    state: BuildState
    articles: ArticleCache
    code_key: str
    result: BuildResult


@dataclass
class _Rendering:
    """The render stage under way: its futures, and what their outcomes are remembered into."""

    futures: list[Future]
    pages: list[Page]
    fingerprints: list[bytes]
    state: BuildState
    staged: list[str]  # urls staged so far
    total: int  # pages to render
    done: int = 0
    waited: float = 0.0  # seconds spent waiting for outcomes


class _CarriedReads(dict[int, int]):
    """A read's number in the last build's state -> its number in the new one, made on first use."""

    def __init__(self, run: _Run, previous: BuildState, state: BuildState) -> None:
        super().__init__()
        self.run, self.previous, self.state = run, previous, state

    def __missing__(self, number: int) -> int:
        new = self[number] = self.run.number_read(self.state, *self.previous.read_at(number))
        return new


def _sha(state: BuildState, path: Path) -> str | None:
    found = state.inputs.get(str(path))
    return found.sha256 if found else None


def content_source(path: str, config: Config) -> str:
    """The project-relative source of the content file at absolute, normalised `path`, without
    resolving paths that hold no link."""
    root = str(config.root) + os.sep
    if path.startswith(root) and not os.path.islink(path):
        return path[len(root):].replace(os.sep, "/")
    return source_of(Path(path), config.root)
