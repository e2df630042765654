"""The last build held in memory by `sitegen serve`, so that an edited article is patched in.

`build` starts from the files on disk every time: it checks every input, loads the cached
articles, makes the model and page plan, and (the model having changed) counts the whole search
index again; at 10,000 articles that is 2-3 s for one edited article. A dev server keeps what
its last build made instead (`ResidentBuild`): the model, the pages, the build state with every
page's recorded reads, the article cache and the search files (`search_resident`). When the
changes it is told of are edits of articles that keep their path, date, slug and terms (the
site's structure, see `cache.model_keys`), `ResidentBuild.build` patches them in:

- each article is parsed again and its model object updated in place, so the model, the page
  plan and the page fingerprints stay valid (they depend on the structure only);
- the recorded reads of those articles (and whole-object reads, which hold article stamps) are
  looked at again, and the pages that made a changed one are rendered, in this process;
- the search document is replaced (`ResidentSearch.replace`), and the feeds that carry the
  articles made again;
- the changed files go live as a build commits them (staged, under the output lock and journal),
  the state on disk having been dropped first; `save` then writes it (after the page has
  reloaded), so a later `sitegen build` starts from it as from any build's.

Anything else (an article added, removed, renamed or with new terms or date, a template, config,
data or static change, a file with problems) runs `build`, which hands its memory over again.
The output is byte for byte that of a build from scratch (tested). Like `hugo server`, the
server trusts the watcher: an output file changed by hand is not noticed until the next build.
"""
from __future__ import annotations

import os
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from . import cache as store
from . import workers
from .build import build
from .cache import FileState, OutputFile
from .config import Config
from .feeds import feeds_showing
from .fingerprints import WHOLE, ReadLog, digest_of, model_index, read_changed
from .loader import LoadResult, parse_article
from .model import Article
from .output import (WriteStats, commit_patch, discard_staging, digest_bytes, output_lock, prepare_staging,
                     recover, write_errors)
from .parallel import return_freed_memory
from .pipeline import LastBuild, content_source
from .recording import Recorder
from .render import make_environment, make_renderer
from .results import BuildResult
from .search_input import SearchInput, SiteDocuments
from .search_resident import ResidentSearch

_SLUG_FIELD = "slug"  # an article's URL segment: the last build's, as settled among all articles


class ResidentBuild:
    """Builds for a dev server: the first (and any it cannot patch) with `build`, the others by
    patching the last build held in memory."""

    def __init__(self, config: Config, *, patching: bool = True) -> None:
        self.config, self.patching = config, patching
        self.held: _Held | None = None
        self.unsaved = False  # the state on disk is older than the output (see `save`)

    def build(self, changes: Iterable[Path] | None = None, *, config: Config | None = None,
              content_only: bool = False) -> BuildResult:
        """Build after `changes` (changed content files, if `content_only`): patched in when
        they allow it, else a build that the next patches start from."""
        if config is not None and config is not self.config:
            self.save()
            self.config, self.held = config, None
        if changes is not None and content_only and self.held is not None:
            try:
                result = self.held.patch(sorted(set(changes)))
            except BaseException:
                self.held = None  # the model may be half patched: the next build starts from disk
                raise
            if result is not None:
                self.unsaved = True
                return result
        self.save()  # a build starts from the state on disk
        self.held = None
        return build(self.config, keep=self._hold if self.patching else None)

    def _hold(self, last: LastBuild) -> None:
        self.held = _Held(self.config, last)

    def prepare(self, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Make ready for patching (2 s at 10,000 articles, 25 s at 100,000: the search index
        is counted and encoded again, and its files must equal the live ones, or patching is
        off); given up, and patching off, once `cancelled()` (a server stopping) says so."""
        if self.held is not None and not self.held.prepare(cancelled):
            self.held = None

    def save(self) -> None:
        """Write the state of the patched output to disk, for a later build."""
        if self.unsaved and self.held is not None:
            self.held.save()
        self.unsaved = False


class _Digests(Mapping[str, bytes]):
    """url -> digest of each live output file, read from the state's records."""

    def __init__(self, outputs: dict[str, OutputFile]) -> None:
        self.outputs = outputs

    def __getitem__(self, url: str) -> bytes:
        return self.outputs[url].digest

    def __iter__(self) -> Iterator[str]:
        return iter(self.outputs)

    def __len__(self) -> int:
        return len(self.outputs)


@dataclass
class _Edit:
    """One content file whose article is patched: its input path and state, and its new load."""

    path: str
    state: FileState
    article: Article  # the model's, updated in place
    loaded: LoadResult  # as parsed (its own Article object, for the cache)


class _Held:
    """One build's memory, and what patching it needs (see `prepare`)."""

    def __init__(self, config: Config, last: LastBuild) -> None:
        self.config, self.site, self.pages, self.state = config, last.site, last.pages, last.state
        self.articles, self.code_key = last.articles, last.code_key
        self.problems = list(last.result.problems)
        self.ready = False

    # ------------------------------------------------------------------ preparing

    def prepare(self, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Index reads and pages, make the renderer and the search files; False if the search
        files made here are not the live ones (then nothing is patched), or if `cancelled()`
        says so between its steps."""
        if self.ready:
            return True
        site, state = self.site, self.state
        self.by_source = {article.source_file: article for article in site.articles}
        self.number_of = {article.source_file: n for n, article in enumerate(reversed(site.articles))}
        self.page_at = {page.url: index for index, page in enumerate(self.pages)}
        self.models = model_index(site)
        self.article_reads: dict[str, list[int]] = {}
        self.whole_reads: list[int] = []
        for number, read in enumerate(state.reads):
            self._index_read(number, read)
        self._index_pages()
        env = make_environment(self.config)
        self.recorder = Recorder(env, ReadLog(self.config))
        self.render = make_renderer(site, env)
        for template in sorted({page.template for page in self.pages}):
            env.get_template(template)  # compiled now rather than in the first edit's wait
        self.documents = SiteDocuments(site)
        if cancelled():
            return False
        self.search = ResidentSearch(SearchInput.of_site(site, self.documents),
                                     store.read_analyser(self.config, self.code_key))
        urls = set(state.producers.get("search", (b"", ()))[1])
        for url, data in self.search.index_files():
            live = state.outputs.get(url)
            if cancelled() or url not in urls or live is None or live.digest != digest_bytes(data):
                return False
        self.search_urls = urls
        self.byte_count = sum(f.size for f in state.outputs.values())
        self.ready = True
        return_freed_memory()  # what counting and encoding the index took, back to the system
        return True

    def _index_read(self, number: int, read: tuple) -> None:
        if read[0] == "article":
            self.article_reads.setdefault(read[1], []).append(number)
        elif read[-1] == WHOLE:
            self.whole_reads.append(number)

    def _index_pages(self) -> None:
        """Index which pages made each read (see `_pages_of`): the reads of the build, in two
        arrays sorted by read number; those numbered later, in `later_pages`. Pages that
        recorded no reads (opaque) are rendered on every patch."""
        arrays, owners, self.opaque = [], [], []
        for url, (_, reads) in self.state.pages.items():
            index = self.page_at[url]
            if reads is None:
                self.opaque.append(index)
                continue
            arrays.append(np.frombuffer(reads, np.uint32) if len(reads) else np.zeros(0, np.uint32))
            owners.append(np.full(len(reads), index, np.int32))
        numbers = np.concatenate(arrays) if arrays else np.zeros(0, np.uint32)
        order = np.argsort(numbers, kind="stable")
        self.read_order, self.read_owners = numbers[order], (np.concatenate(owners) if owners else
                                                              np.zeros(0, np.int32))[order]
        self.later_pages: dict[int, set[int]] = {}

    def _pages_of(self, number: int) -> Iterator[int]:
        """The indexes of the pages that made read `number` (or did once: more is harmless)."""
        low, high = np.searchsorted(self.read_order, [number, number + 1])
        yield from self.read_owners[low:high].tolist()
        yield from self.later_pages.get(number, ())

    # ------------------------------------------------------------------ patching

    def patch(self, paths: list[Path]) -> BuildResult | None:
        """Patch the edits of content files `paths` in; None if they need a build."""
        started = time.perf_counter()
        if not self.prepare() or self.state.skipped_sources:
            return None
        edits = self._edits(paths)
        if edits is None:
            return None
        result = BuildResult(article_count=len(self.site.articles), page_count=len(self.pages),
                             problems=list(self.problems))
        out = self.config.output_dir
        with write_errors(out), output_lock(out):
            recover(out)
            staging = prepare_staging(out)
            try:
                staged, removed = self._write(edits, staging, result)
                store.forget_state(self.config)  # the output is about to change
                commit_patch(out, staging, staged, removed)
            except BaseException:
                discard_staging(out)
                raise
        state = self.state
        result.write = WriteStats(len(staged), len(state.outputs) - len(staged),
                                  self.byte_count)
        result.file_count = len(state.outputs)
        result.search_urls = tuple(self.search_urls)
        result.timings["patch"] = time.perf_counter() - started
        return result

    def _edits(self, paths: list[Path]) -> list[_Edit] | None:
        """The edits of `paths`, parsed; None unless each is a known article's file, without
        problems, keeping its date, slug and terms."""
        edits = []
        for given in paths:
            path = str(given)
            before = self.state.inputs.get(path)
            source = content_source(path, self.config)
            article = self.by_source.get(source)
            cached = self.articles.get(source, None)
            if before is None or article is None or cached is None or cached[1].problems:
                return None
            try:
                stat = os.stat(path)
                raw = Path(path).read_bytes()
            except OSError:
                return None  # gone: a build removes its pages
            state = FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino, store.sha256_hex(raw))
            if state.sha256 == before.sha256:
                self.state.inputs[path] = state
                continue
            loaded = parse_article(raw, source, self.config)
            new, old = loaded.article, cached[1].article
            if (loaded.problems or new is None or old is None or new.is_draft or new.date != article.date
                    or tuple(new.terms.items()) != tuple(article.terms.items()) or _url_claim(new) != _url_claim(old)):
                return None
            edits.append(_Edit(path, state, article, loaded))
        return edits

    def _write(self, edits: list[_Edit], staging: Path, result: BuildResult) -> tuple[list[str], list[str]]:
        """Update the model, stage every file that changed; (staged urls, removed urls)."""
        state, config = self.state, self.config
        sources_before = {}
        for edit in edits:
            sources_before[edit.article] = edit.article.source
            # The cache may hold the model's object as the load of the file's old bytes: it
            # gets the new load first, so the object updated below is no longer its.
            self.articles.put(edit.article.source_file, edit.state.sha256, edit.loaded)
            for field in fields(Article):  # in place: every page and mapping holds this object
                if field.name != _SLUG_FIELD:
                    object.__setattr__(edit.article, field.name, getattr(edit.loaded.article, field.name))
        target = workers.Target(config.output_dir, staging, _Digests(state.outputs))
        made: set[str] = set()
        staged: list[str] = []
        dirty = self._dirty_pages([edit.article.source_file for edit in edits])
        numbered: dict[tuple, int] = {}
        self.recorder.log = ReadLog(config)  # its digests were of the articles as they were
        for index in dirty:
            page = self.pages[index]
            self.recorder.start()
            data = self.render(page).encode("utf-8")
            reads = self.recorder.finish()
            record, was_staged = workers.keep_or_stage(target, page.url, data, made)
            self._set_output(page.url, record)
            state.pages[page.url] = (state.pages[page.url][0],
                                     None if reads is None else array("I", (self._number(entry, numbered, index)
                                                                            for entry in reads)))
            if was_staged:
                staged.append(page.url)
        result.rendered_count = len(dirty)
        search_files: dict[str, bytes] = {}
        gone: set[str] = set()
        for edit in edits:
            article = edit.article
            made_files, no_more = self.search.replace(self.number_of[article.source_file], self.documents.of(article),
                                                      facets=article.source != sources_before[article])
            for url in no_more:
                search_files.pop(url, None)
            search_files.update(made_files)
            gone = (gone | no_more) - set(search_files)
        removed = sorted(url for url in gone if url in state.outputs)
        for url in removed:
            self._set_output(url, None)
        self.search_urls.difference_update(gone)
        self.search_urls.update(search_files)
        feed_files = feeds_showing(self.site, [edit.article for edit in edits])
        for url, data in [*search_files.items(), *feed_files.items()]:
            if url in self.page_at:
                continue  # pages win (as in a build)
            record, was_staged = workers.keep_or_stage(target, url, data, made)
            self._set_output(url, record)
            if was_staged:
                staged.append(url)
        for edit in edits:
            state.inputs[edit.path] = edit.state
            state.article_stamps[edit.article.source_file] = digest_of(edit.article.stamp)
        return staged, removed

    def _set_output(self, url: str, record: OutputFile | None) -> None:
        """Record `url`'s new file (None: removed), keeping the output's size in bytes."""
        before = self.state.outputs.pop(url, None)
        self.byte_count -= before.size if before else 0
        if record is not None:
            self.state.outputs[url] = record
            self.byte_count += record.size

    def _dirty_pages(self, sources: list[str]) -> list[int]:
        """Pages that made a read of `sources` or a whole-object read whose value changed, and
        opaque pages."""
        log = ReadLog(self.config)
        changed: set[int] = set()
        numbers = [n for source in sources for n in self.article_reads.get(source, ())]
        for number in [*numbers, *self.whole_reads]:
            if read_changed(*self.state.read_at(number), self.models, log):
                changed.add(number)
        pages = set(self.opaque)
        for number in changed:
            pages.update(self._pages_of(number))
        return sorted(pages)

    def _number(self, entry: tuple[tuple, bytes], numbered: dict[tuple, int], page: int) -> int:
        """The number of read `entry` (read, digest) in the state, added if new to this patch."""
        number = numbered.get(entry)
        if number is None:
            number = numbered[entry] = self.state.add_read(*entry)
            self._index_read(number, entry[0])
        self.later_pages.setdefault(number, set()).add(page)
        return number

    # ------------------------------------------------------------------ saving

    def save(self) -> None:
        """Write the state (with the model key of the articles as they are now), the article
        cache and the search's shard table."""
        state, config = self.state, self.config
        model_key = store.model_keys(config, state.inputs, self.site.articles)[0]  # type: ignore[arg-type]
        state.producers["search"] = (model_key, tuple(sorted(self.search_urls)))
        state.producers["feeds"] = (model_key, state.producers["feeds"][1])  # remade for the articles patched
        self.articles.save()
        store.write_shard_table(config, self.code_key, self.search.shard_table())
        store.write_state(config, state)


def _url_claim(article: Article) -> tuple:
    """What `loader.assign_distinct_urls` makes of an article beside its date and file: its
    slug as parsed, whether it was written, and the lines its problems name."""
    return article.slug, article.line_of.get("slug"), article.line_of.get("title")
