"""`build`: build the site into `config.output_dir`. Returns a `BuildResult`; prints nothing.

A build first takes the output lock and scans its inputs against the last build's state (see
`cache.py`): when every input file (content, templates, static, data, config, sitegen's code)
has the bytes the last build saw and its output is intact, that is all (a no-op). Only
otherwise does it import and run the pipeline (`pipeline.py`: load, model, pages, render,
write), so a no-op pays for neither Jinja2, Markdown, numpy nor the search code.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache as store
from .cache import BuildState, FileState
from .config import Config
from .output import WriteStats, output_lock, recover, write_errors
from .results import BuildResult

if TYPE_CHECKING:
    from .parallel import ExecutorFactory
    from .pipeline import LastBuild

Progress = Callable[[int, int], None]  # (done, total)


def build(config: Config, *, keep_going: bool = False, progress: Progress | None = None,
          jobs: int | None = None, executor_factory: ExecutorFactory | None = None,
          keep: Callable[[LastBuild], None] | None = None) -> BuildResult:
    """Build the whole site into `config.output_dir`, using every core (or `jobs`) and the cache;
    on any error the old output stays. `keep` is handed what the build leaves in memory (even
    when nothing changed, which then costs a rebuild's planning; see `resident.py`)."""
    result = BuildResult()
    clock = time.perf_counter()
    try:
        with write_errors(config.output_dir), output_lock(config.output_dir):
            recover(config.output_dir)
            scan = Scan.of(config)
            if scan.previous and keep is None and scan.is_noop(config, keep_going):
                scan.keep_rehashed(config)
                _noop_result(result, scan.previous)
                result.timings["scan"] = time.perf_counter() - clock
                return result
            result.timings["scan"] = time.perf_counter() - clock
            from .pipeline import run_pipeline  # the rest of sitegen: only a build that does work needs it

            return run_pipeline(config, scan, result, keep_going=keep_going, progress=progress, jobs=jobs,
                                executor_factory=executor_factory, keep=keep)
    finally:
        gc.unfreeze()


@dataclass
class Scan:
    """The last build's state (None if there is none or it cannot be read) and the inputs now."""

    previous: BuildState | None
    inputs: dict[str, FileState | None]  # path -> state; None: not hashed yet (see `is_noop`)
    scanned_ns: int
    fingerprint: str  # of code, config, templates and the other inputs but content
    rehashed: list[str] = field(default_factory=list)  # inputs the no-op check had to hash

    @classmethod
    def of(cls, config: Config) -> Scan:
        previous = store.read_state(config)
        scanned_ns = store.now_ns()
        inputs = store.scan_inputs(config, previous.inputs if previous else {}, previous.scanned_ns if previous else 0)
        return cls(previous, inputs, scanned_ns, store.global_fingerprint(config, inputs))

    def is_noop(self, config: Config, keep_going: bool) -> bool:
        """Same code, config and inputs as the last build, with its output untouched.

        Content files whose stat cannot be trusted (changed, or written just before the last
        scan) are hashed here: a folder of files written a moment before a build must not make
        the next build a full one."""
        previous = self.previous
        if previous is None or previous.fingerprint != self.fingerprint or \
                (previous.skipped_sources and not keep_going):
            return False
        self.rehashed = [path for path, state in self.inputs.items() if state is None]
        for path in self.rehashed:
            self.inputs[path] = store.hash_file(Path(path))  # the loader then finds it hashed
        before = store.inputs_digest(previous.inputs)
        if before is None or before != store.inputs_digest(self.inputs):
            return False
        return not store.output_damage(config.output_dir, previous.outputs)

    def keep_rehashed(self, config: Config) -> None:
        """After a no-op: save the new stats of the files it hashed, so the next build need not."""
        if self.rehashed and self.previous is not None:
            self.previous.inputs, self.previous.scanned_ns = hashed_inputs(self.inputs), self.scanned_ns
            store.write_state(config, self.previous, details=False)


def _noop_result(result: BuildResult, previous: BuildState) -> None:
    """`result` says what the last build said: nothing was done since."""
    result.article_count, result.page_count = previous.article_count, previous.page_count
    result.problems.extend(previous.problems)
    result.skipped_sources.extend(previous.skipped_sources)
    result.file_count = len(previous.outputs)
    result.write = WriteStats(0, len(previous.outputs), sum(f.size for f in previous.outputs.values()))
    result.search_urls = previous.producers.get("search", (b"", ()))[1]


def hashed_inputs(inputs: dict[str, FileState | None]) -> dict[str, FileState]:
    """The inputs whose state is known (the others were never hashed: unreadable, or gone)."""
    return {path: state for path, state in inputs.items() if state is not None}
