"""Watch the project's sources; file events become debounced, classified change sets.

A file event only records its path and raises a flag (STYLE.md, "Do as they do" 3). The
rebuild loop waits for a quiet spell, so an editor's save-rename dance or a `git checkout`
touching 5,000 files becomes one `ChangeSet`, and so one rebuild.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileAttribEvent,
                             FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
                             FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from .config import Config

KINDS = ("config", "content", "data", "templates", "static")
DATA_DIR = "data"  # entity files (data/*.yaml), watched when present
QUIET_SECONDS = 0.2  # no event for this long ends a burst
# A burst this big is a checkout or a copy, not a save: its rebuild is long anyway, so wait for a
# longer quiet spell rather than rebuild half-way through when the machine is busy.
LARGE_BURST_EVENTS = 100
LARGE_BURST_QUIET_SECONDS = 1.0
MAX_WAIT_SECONDS = 10.0  # a burst that never goes quiet is still rebuilt this often
# Only events that can change what a build reads. Reading a file raises "opened" and
# "closed, no write" events; the build reads every source, so those would loop forever.
_EVENT_TYPES: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
    FileAttribEvent, DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


@dataclass(frozen=True)
class WatchTarget:
    """One watched source: a folder (recursive) or the config file, and what kind it is."""

    kind: str  # one of KINDS
    path: Path  # absolute; may not exist yet (data/ is picked up when it appears)


@dataclass(frozen=True)
class ChangeSet:
    """The sources changed during one burst of events, absolute paths grouped by kind."""

    config: frozenset[Path] = frozenset()
    content: frozenset[Path] = frozenset()
    data: frozenset[Path] = frozenset()
    templates: frozenset[Path] = frozenset()
    static: frozenset[Path] = frozenset()
    event_count: int = 0  # raw file events folded into this set

    @property
    def paths(self) -> frozenset[Path]:
        """Every changed path, of any kind."""
        return self.config | self.content | self.data | self.templates | self.static

    @property
    def is_content_only(self) -> bool:
        """True when only articles changed, so an incremental build can re-render what used them."""
        return not (self.config or self.data or self.templates or self.static)


def watch_targets(config: Config) -> list[WatchTarget]:
    """What `sitegen serve` watches for `config`: config file, content, data, templates, static."""
    return [WatchTarget("config", config.root / config.source),
            WatchTarget("content", config.content_dir),
            # config.data_dir comes with entity profiles; until it lands, data/ is the default.
            WatchTarget("data", getattr(config, "data_dir", config.root / DATA_DIR)),
            *(WatchTarget("templates", folder) for folder in config.template_dirs),
            WatchTarget("static", config.static_dir)]


def _is_ignored_name(name: str) -> bool:
    # Hidden files are editor swap and lock files (.x.swp, .#x); `x~` is a backup copy.
    return name.startswith(".") or name.endswith("~")


@dataclass
class Classifier:
    """Decides which watched source a changed path belongs to, if any."""

    targets: list[WatchTarget]
    output_dir: Path  # the build output and its staging siblings are never sources

    def kind_of(self, path: Path) -> str | None:
        """The kind of source `path` is, or None when a change to it cannot matter."""
        out = self.output_dir
        if path.is_relative_to(out) or path.parent == out.parent and path.name.startswith(
                (out.name + ".", f".{out.name}.")):
            return None
        best: WatchTarget | None = None
        for target in self.targets:
            if target.kind == "config":
                if path == target.path:
                    return "config"
            elif path.is_relative_to(target.path) and (best is None or target.path.is_relative_to(best.path)):
                best = target  # the most specific folder wins: templates/static is "static"
        if best is None or any(_is_ignored_name(part) for part in path.relative_to(best.path).parts):
            return None
        return best.kind


@dataclass
class ChangeCollector:
    """Thread-safe: file events raise a flag; `wait_for_changes` returns them after a quiet spell."""

    classifier: Classifier
    quiet_seconds: float = QUIET_SECONDS
    max_wait_seconds: float = MAX_WAIT_SECONDS
    large_burst_quiet_seconds: float = LARGE_BURST_QUIET_SECONDS
    _pending: dict[str, set[Path]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    _event_count: int = 0
    _first_event: float = 0.0
    _last_event: float = 0.0
    _closed: bool = False
    _unfinished_count: int = 0  # change sets handed out and not yet marked done
    _condition: threading.Condition = field(default_factory=threading.Condition)

    def add(self, paths: Iterable[Path]) -> None:
        """Record changed paths (absolute); those no build reads are ignored."""
        kinds = [(kind, path) for path in paths if (kind := self.classifier.kind_of(path))]
        if not kinds:
            return
        with self._condition:
            now = time.monotonic()
            if not self._event_count:
                self._first_event = now
            self._last_event = now
            self._event_count += 1
            for kind, path in kinds:
                self._pending[kind].add(path)
            self._condition.notify_all()

    def close(self) -> None:
        """Wake any waiter; from now on `wait_for_changes` returns None."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def wait_for_changes(self, timeout: float | None = None) -> ChangeSet | None:
        """The next burst of changes once no event came for `quiet_seconds`.

        None when closed, or when nothing changed within `timeout` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            while not self._event_count and not self._closed:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._condition.wait(left)
            while not self._closed:
                now = time.monotonic()
                quiet = self.quiet_seconds if self._event_count < LARGE_BURST_EVENTS else max(
                    self.quiet_seconds, self.large_burst_quiet_seconds)
                quiet_left = self._last_event + quiet - now
                if quiet_left <= 0 or now - self._first_event >= self.max_wait_seconds:
                    break
                self._condition.wait(quiet_left)
            if self._closed:
                return None
            return self._take()

    def _take(self) -> ChangeSet:
        changes = ChangeSet(event_count=self._event_count,
                            **{kind: frozenset(paths) for kind, paths in self._pending.items()})
        for paths in self._pending.values():
            paths.clear()
        self._event_count = 0
        self._unfinished_count += 1
        return changes

    def task_done(self) -> None:
        """The change set last handed out has been dealt with (built, or failed)."""
        with self._condition:
            self._unfinished_count -= 1
            self._condition.notify_all()

    def join(self, timeout: float) -> bool:
        """Block until nothing is pending or in progress; False on timeout."""
        with self._condition:
            return self._condition.wait_for(
                lambda: self._closed or not (self._event_count or self._unfinished_count), timeout)


class _Handler(FileSystemEventHandler):
    def __init__(self, collector: ChangeCollector) -> None:
        self.collector = collector

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, event.dest_path] if event.dest_path else [event.src_path]
        self.collector.add(Path(_text(path)) for path in paths)


def _inode(folder: Path) -> int:
    try:
        return folder.stat().st_ino
    except OSError:
        return -1


def _text(path: bytes | str) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


class Watcher:
    """Watchdog observer feeding a `ChangeCollector`; `start()` then `stop()`."""

    def __init__(self, collector: ChangeCollector, targets: list[WatchTarget], *, polling: bool = False) -> None:
        self.collector = collector
        self.targets = targets
        self.is_polling = polling
        self._observer: BaseObserver = PollingObserver() if polling else Observer()
        self._handler = _Handler(collector)
        self._watches: dict[Path, tuple[ObservedWatch, int]] = {}  # folder -> (watch, inode)

    def start(self) -> None:
        """Begin watching; falls back to polling when the OS refuses more inotify watches."""
        try:
            self._schedule_all()
            self._observer.start()
        except OSError:
            if self.is_polling:
                raise
            self._observer.unschedule_all()
            self._observer = PollingObserver()
            self.is_polling = True
            self._watches.clear()
            self._schedule_all()
            self._observer.start()

    def watched_sources(self) -> list[Path]:
        """The sources watched that exist now: the config file and folders (data/ may appear later)."""
        return [target.path for target in self.targets if target.path.exists()]

    def refresh(self, targets: list[WatchTarget] | None = None, output_dir: Path | None = None) -> None:
        """Follow a config change, and folders that appeared (data/) or vanished since."""
        if targets is not None:
            self.targets = targets
            self.collector.classifier.targets = targets
        if output_dir is not None:
            self.collector.classifier.output_dir = output_dir
        for folder in [folder for folder, (_, inode) in self._watches.items() if _inode(folder) != inode]:
            self._observer.unschedule(self._watches.pop(folder)[0])  # deleted, or replaced by a new one
        self._schedule_all()

    def _schedule_all(self) -> None:
        folders = {t.path for t in self.targets if t.kind != "config"}
        for folder in sorted(folders):
            if not any(folder != other and folder.is_relative_to(other) for other in folders):
                self._schedule(folder, recursive=True)
        # The parents see a source folder (or the config file) being created, moved or deleted.
        for parent in sorted({target.path.parent for target in self.targets}):
            if not any(parent.is_relative_to(folder) for folder in folders):
                self._schedule(parent, recursive=False)

    def _schedule(self, folder: Path, *, recursive: bool) -> None:
        if folder.is_dir() and folder not in self._watches:
            watch = self._observer.schedule(self._handler, str(folder), recursive=recursive,
                                            event_filter=_EVENT_TYPES)
            self._watches[folder] = (watch, _inode(folder))
            if recursive and self._observer.is_alive():
                # A folder that appeared while running (data/, a restored content/): files written
                # into it before this watch began raised no event, so build once more to see them.
                self.collector.add([folder])

    def stop(self) -> None:
        """Stop the observer and wait for its threads to end."""
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=10)

    def is_alive(self) -> bool:
        """True while the observer thread runs."""
        return self._observer.is_alive()
