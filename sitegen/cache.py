"""The persistent build cache in `.sitegen-cache/` beside config.yaml.

- `articles/NN.pickle`: each content file's load result by its SHA-256 (64 buckets, so one
  edit rewrites one small file), valid while the global fingerprint's code and config are.
- `search.pickle`: each indexed document's analysed fields by a digest of its text (see
  `search_analysis.Analyser`), so the search index tokenises and stems only new text.
- `links.pickle`: the last model's related articles and term connections (`taxonomy.Links`),
  by the structure key they were made for (see `model_keys`).
- `outputs/<folder>.search-docs.pickle`: per search document, a digest of what its file is made
  of and the file's digest, so a rebuild makes only the documents whose article changed.
- `outputs/<folder>.pickle`: a `BuildState` per output folder: every input's state, every
  output file's digest and stat, and the digests of the files made by whole-site producers
  (search, feeds), keyed by a model digest; `outputs/<folder>.details.pickle` beside it, paired
  by a token: each page's fingerprint and the reads it made (see `fingerprints.py`), which only
  a rebuild reads; during a build, `outputs/<folder>.search-input.pickle` (see `search_input.py`).

Inputs are tracked like git's index: a file whose size, mtime and inode match the last build
keeps its recorded hash unless it was modified too close to that build to trust the stamp.
Everything here is a cache: a missing, stale or unreadable file only makes the build slower.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from . import parallel  # noqa: F401 - registers the pickling of the model's read-only mappings
from .config import Config, find_lunr_js
from .errors import Problem
from .fingerprints import DIGEST_SIZE, describe, digest_of
from .model import Article, PickledByFields

if TYPE_CHECKING:  # imported where used: a no-op build needs neither Markdown, search nor numpy
    from .loader import LoadResult
    from .search_analysis import Analyser
    from .taxonomy import Links

CACHE_FOLDER = ".sitegen-cache"
FORMAT = 7  # bump when anything stored here changes shape
STATE_SLICE = 20_000  # list items pickled with one memo (see write_state)
BUCKETS = 64
RACY_NS = 2_000_000_000  # a file modified this close to the scan that recorded it is re-hashed
_PACKAGE = Path(__file__).resolve().parent
_LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml", "lunr", "feedgen", "anyascii")


@dataclass(frozen=True, slots=True)
class FileState(PickledByFields):
    """An input file as the last build saw it."""

    size: int
    mtime_ns: int
    inode: int
    sha256: str  # hex


@dataclass(frozen=True, slots=True)
class OutputFile(PickledByFields):
    """An output file as the last build left it."""

    size: int
    mtime_ns: int
    inode: int
    digest: bytes  # blake2b of the bytes


ReadIds = Sequence[int]  # numbers in BuildState.reads; an array("I") (4 bytes each, ~100 a page)


@dataclass
class BuildState:
    """What one build left in one output folder, for the next build to compare against."""

    fingerprint: str  # code, libraries, config and templates
    inputs: dict[str, FileState] = field(default_factory=dict)  # absolute path -> state
    outputs: dict[str, OutputFile] = field(default_factory=dict)  # url -> file
    pages: dict[str, tuple[bytes, ReadIds | None]] = field(default_factory=dict)  # url -> (fingerprint, its reads)
    reads: list[tuple] = field(default_factory=list)  # read id -> read (see `fingerprints.Read`)
    read_digests: bytearray = field(default_factory=bytearray)  # read id -> its value's digest, end to end
    article_stamps: dict[str, bytes] = field(default_factory=dict)  # source_file -> digest_of(Article.stamp)
    producers: dict[str, tuple[bytes, tuple[str, ...]]] = field(default_factory=dict)  # name -> (key, urls)
    problems: list[Problem] = field(default_factory=list)  # reported again by a no-op build
    skipped_sources: list[str] = field(default_factory=list)
    article_count: int = 0
    page_count: int = 0
    scanned_ns: int = 0  # wall clock when the inputs were scanned
    token: bytes = b""  # names the details file written with this state
    numbered_reads: int = 0  # how many reads the last build that numbered them afresh kept
    structure_key: bytes = b""  # see `model_keys`: the page fingerprints hold while it does

    # A read's digest lives in one bytearray rather than in a (read, bytes) pair of its own:
    # 100,000 articles make over a million reads, and the pairs were a fifth of the state.
    def add_read(self, read: tuple, digest: bytes) -> int:
        """Keep `read` and the digest of its value; returns its number. A rebuild adds the reads
        of the pages it renders to the last build's (see `pipeline._Run.renumbers_reads`): the
        same read may be kept twice, with the value it had each time, and reads no page makes
        any more stay until the next build that numbers them afresh."""
        if len(digest) != DIGEST_SIZE:
            raise ValueError(f"a read's digest has {DIGEST_SIZE} bytes, not {len(digest)}")
        self.reads.append(read)
        self.read_digests += digest
        return len(self.reads) - 1

    def read_at(self, number: int) -> tuple[tuple, bytes]:
        """Read `number` and the digest its value had."""
        start = number * DIGEST_SIZE
        return self.reads[number], bytes(self.read_digests[start:start + DIGEST_SIZE])

    def recorded_reads(self) -> Iterator[tuple[tuple, bytes]]:
        """Every read with the digest its value had, in number order."""
        return map(self.read_at, range(len(self.reads)))


# Read only once the search processes have forked, which need none of it (at 100,000 articles
# it is most of the state: 115 of 161 MB pickled); a no-op build never reads it.
DETAILS = ("pages", "reads", "read_digests", "article_stamps")
_SUMMARY = tuple(f.name for f in fields(BuildState) if f.name not in DETAILS)


def cache_folder(config: Config) -> Path:
    """`.sitegen-cache/` beside config.yaml."""
    return config.root / CACHE_FOLDER


def sha256_hex(data: bytes) -> str:
    """The hash an input file is known by (`Article.content_hash` uses the same)."""
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- inputs


def walk_files(folder: Path, skip: set[Path] = frozenset(), skip_names: tuple[str, ...] = ()) -> Iterator[tuple[str, os.stat_result]]:
    """(absolute path, stat) of every file below `folder`, as `Path.rglob` finds them (links to
    folders are not followed), skipping hidden names, `skip_names` and the folders in `skip`."""
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in skip_names:
                continue
            if entry.is_dir(follow_symlinks=False):
                if Path(entry.path) not in skip:
                    stack.append(entry.path)
            elif entry.is_file():
                try:
                    yield entry.path, entry.stat()
                except OSError:
                    continue


def input_folders(config: Config) -> list[Path]:
    """Every folder a build may read besides content: the project (less its output and content),
    templates, static files, data."""
    folders = [config.root, config.static_dir, *config.template_dirs, getattr(config, "data_dir", config.root)]
    unique: list[Path] = []
    for folder in folders:
        if folder.is_dir() and not any(folder.is_relative_to(f) for f in unique):
            unique = [f for f in unique if not f.is_relative_to(folder)] + [folder]
    return unique


def scan_inputs(config: Config, previous: dict[str, FileState], previous_scan_ns: int) -> dict[str, FileState | None]:
    """Every input file with its state; None where the file changed and is not hashed yet.

    Markdown files in content that changed are left for the loader to hash (it reads them
    anyway); every other changed input is hashed here.
    """
    out = config.output_dir
    skip = {out, out.with_name(out.name + ".staging"), out.with_name(out.name + ".previous"),
            out.with_name(out.name + ".backup"), config.root / CACHE_FOLDER}
    found: dict[str, FileState | None] = {}
    for path, stat in walk_files(config.content_dir):
        found[path] = _known_state(stat, previous.get(path), previous_scan_ns)
    for folder in input_folders(config):
        for path, stat in walk_files(folder, skip | {config.content_dir}, ("__pycache__", "node_modules")):
            found[path] = _known_state(stat, previous.get(path), previous_scan_ns)
    lunr = find_lunr_js(config.root)
    for path in [lunr] if lunr else []:
        found[str(path)] = _known_state(path.stat(), previous.get(str(path)), previous_scan_ns)
    content = str(config.content_dir) + os.sep
    for path, state in found.items():
        if state is None and not (path.startswith(content) and path.endswith(".md")):
            found[path] = hash_file(Path(path))
    return found


def _known_state(stat: os.stat_result, before: FileState | None, previous_scan_ns: int) -> FileState | None:
    if (before is not None and before.size == stat.st_size and before.mtime_ns == stat.st_mtime_ns
            and before.inode == stat.st_ino and stat.st_mtime_ns < previous_scan_ns - RACY_NS):
        return before
    return None


def hash_file(path: Path) -> FileState:
    """The state of the file at `path`, hashing its bytes."""
    data = path.read_bytes()
    stat = path.stat()
    return FileState(stat.st_size, stat.st_mtime_ns, stat.st_ino, hashlib.sha256(data).hexdigest())


def global_fingerprint(config: Config, inputs: dict[str, FileState | None], *, templates: bool = True) -> str:
    """Digest of what every page depends on: sitegen's code, its libraries, the config, and
    (unless `templates` is false: what loading depends on) the templates."""
    parts: list[Any] = [FORMAT, sys.version, describe(config)]
    for name in _LIBRARIES:
        try:
            parts.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            parts.append((name, None))
    watched = [str(_PACKAGE), *(map(str, config.template_dirs) if templates else ())]
    for path in sorted(inputs):
        if any(path.startswith(folder + os.sep) for folder in watched):
            state = inputs[path]
            parts.append((path, state.sha256 if state else None))
    if not any(path.startswith(str(_PACKAGE) + os.sep) for path in inputs):  # sitegen installed elsewhere
        parts.extend((str(p), hash_file(p).sha256) for p in sorted(_PACKAGE.rglob("*.py")))
    return digest_of(parts).hex()


def model_keys(config: Config, inputs: dict[str, FileState | None], articles: Sequence[Article]) -> tuple[bytes, bytes]:
    """Two digests of what the model is made of: code, config, every input that is not content,
    a template or a static file (data files, for instance), and
    - each article's file: the model key, which whole-site producers (search, feeds) are kept by;
    - each article's path, date, slug and terms: the structure key, which the model's links
      (`taxonomy.Links`) and the page plan depend on (titles, bodies and the rest are only
      rendered; a test holds the plan to that)."""
    outside = (str(config.content_dir), str(config.static_dir), *map(str, config.template_dirs))
    others = sorted((path, state.sha256 if state else None) for path, state in inputs.items()
                    if not any(path.startswith(folder + os.sep) for folder in outside))
    base = (global_fingerprint(config, inputs, templates=False), others)
    return (digest_of((*base, [(a.source_file, a.stamp) for a in articles])),
            digest_of((*base, [(a.source_file, a.date.isoformat(), a.slug, tuple(a.terms.items())) for a in articles])))


def inputs_digest(inputs: dict[str, FileState | None]) -> str | None:
    """Digest of every input's path and content; None while some are not hashed yet."""
    if any(state is None for state in inputs.values()):
        return None
    return digest_of(sorted((path, state.sha256) for path, state in inputs.items())).hex()


# ---------------------------------------------------------------- article load results


class ArticleCache:
    """Load results by content file, valid for one fingerprint of the code and config."""

    _memory: dict[Path, tuple[str, dict[int, dict], dict[int, tuple[int, int]]]] = {}  # a dev server's last

    def __init__(self, config: Config, fingerprint: str) -> None:
        self.folder = cache_folder(config) / "articles"
        self.fingerprint = fingerprint
        self.buckets: dict[int, dict[str, tuple[str, LoadResult]]] = {}
        self.stamps: dict[int, tuple[int, int]] = {}
        self.dirty: set[int] = set()

    @staticmethod
    def bucket_of(source: str) -> int:
        """Which bucket holds `source`."""
        return zlib.crc32(source.encode("utf-8")) % BUCKETS

    def load(self) -> None:
        """Read every bucket (reusing this process's copy of those unchanged on disk)."""
        memory = self._memory.get(self.folder)
        for number in range(BUCKETS):
            path = self.folder / f"{number:02d}.pickle"
            try:
                stat = path.stat()
            except OSError:
                continue
            stamp = (stat.st_mtime_ns, stat.st_size)
            if memory and memory[0] == self.fingerprint and memory[2].get(number) == stamp:
                self.buckets[number], self.stamps[number] = memory[1][number], stamp
                continue
            data = _read_pickle(path)
            if isinstance(data, tuple) and len(data) == 2 and data[0] == self.fingerprint:
                self.buckets[number], self.stamps[number] = data[1], stamp

    def get(self, source: str, sha256: str | None) -> tuple[str, LoadResult] | None:
        """The cached (hash, result) of `source`; with `sha256`, only if it matches."""
        found = self.buckets.get(self.bucket_of(source), {}).get(source)
        if found is None or (sha256 is not None and found[0] != sha256):
            return None
        return found

    def put(self, source: str, sha256: str, result: LoadResult) -> None:
        """Remember the result of loading `source` with content `sha256`."""
        number = self.bucket_of(source)
        bucket = self.buckets.setdefault(number, {})
        if bucket.get(source, (None,))[0] != sha256:
            bucket[source] = (sha256, result)
            self.dirty.add(number)

    def keep_only(self, sources: Iterable[str]) -> None:
        """Forget files that no longer exist."""
        alive = set(sources)
        for number, bucket in self.buckets.items():
            for source in [s for s in bucket if s not in alive]:
                del bucket[source]
                self.dirty.add(number)

    def save(self) -> None:
        """Write the buckets that changed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for number in sorted(self.dirty):
            path = self.folder / f"{number:02d}.pickle"
            _write_pickle(path, (self.fingerprint, self.buckets.get(number, {})))
            stat = path.stat()
            self.stamps[number] = (stat.st_mtime_ns, stat.st_size)
        self.dirty.clear()
        self._memory[self.folder] = (self.fingerprint, dict(self.buckets), dict(self.stamps))


# ---------------------------------------------------------------- search analysis

_analysers: dict[Path, tuple[tuple[int, int], str, Analyser]] = {}  # a dev server's last, by file
_read_ahead: dict[Path, tuple[tuple[int, int], str, Analyser]] = {}  # see `read_analyser_ahead`; taken once
UNSAVED_SHARE = 100  # the analysis file is rewritten once more than 1 in 100 documents are new to it


def read_analyser(config: Config, fingerprint: str) -> Analyser:
    """The analyser the last build kept (this process's copy if the file is unchanged), or a new one."""
    from .search_analysis import Analyser

    path, stamp = _analyser_file(config)
    if stamp is None:
        return Analyser()
    for kept in (_read_ahead.pop(path, None), _analysers.get(path)):
        if kept and kept[0] == stamp and kept[1] == fingerprint:
            return kept[2]
    return _read_analyser_file(path, fingerprint)


def read_analyser_ahead(config: Config, fingerprint: str) -> None:
    """Read the analyser now, for the next `read_analyser` in this process to take (a search
    process does this while the build makes the model, on a core that would otherwise idle)."""
    path, stamp = _analyser_file(config)
    if stamp is not None:
        _read_ahead[path] = (stamp, fingerprint, _read_analyser_file(path, fingerprint))


def write_analyser(config: Config, fingerprint: str, analyser: Analyser, *, remember: bool = True) -> None:
    """Keep the documents `analyser` indexed last (if that changed anything) for the next build;
    in this process's memory too, if `remember` (a forked process that is about to end should not)."""
    path, stamp = _analyser_file(config)
    cached = len(analyser.documents) - analyser.added  # documents the file (or memory) gave it
    if stamp is not None and analyser.added * UNSAVED_SHARE <= cached:
        # A few new documents are not worth rewriting the file (32 MB at 10,000 articles, 340 MB
        # at 100,000; 0.8 s of CPU at 10,000): the next build analyses them again, in milliseconds.
        if remember:
            _analysers[path] = (stamp, fingerprint, analyser)
        return
    kept = analyser.kept()
    _write_pickle(path, (FORMAT, fingerprint, kept.terms, kept.documents, kept.dropped))
    kept.added = 0
    if remember:
        _analysers[path] = (_analyser_file(config)[1], fingerprint, kept)


def _analyser_file(config: Config) -> tuple[Path, tuple[int, int] | None]:
    """The analysis file, and its (modification time, size) if it exists."""
    path = cache_folder(config) / "search.pickle"
    try:
        stat = path.stat()
    except OSError:
        return path, None
    return path, (stat.st_mtime_ns, stat.st_size)


def _read_analyser_file(path: Path, fingerprint: str) -> Analyser:
    from .search_analysis import Analyser

    data = _read_pickle(path)
    if isinstance(data, tuple) and len(data) == 5 and data[:2] == (FORMAT, fingerprint):
        return Analyser(data[2], data[3], data[4])
    return Analyser()


# ---------------------------------------------------------------- build state


def read_links(config: Config, structure_key: bytes) -> Links | None:
    """The model's links the last build kept, if they were made for `structure_key`."""
    from .taxonomy import Links

    found = _read_pickle(_links_path(config))
    if isinstance(found, tuple) and len(found) == 3 and found[:2] == (FORMAT, structure_key):
        return found[2] if isinstance(found[2], Links) else None
    return None


def write_links(config: Config, structure_key: bytes, links: Links) -> None:
    """Keep `links` for the next build whose structure key is `structure_key`."""
    _write_pickle(_links_path(config), (FORMAT, structure_key, links))


def _links_path(config: Config) -> Path:
    return cache_folder(config) / "links.pickle"


def state_path(config: Config) -> Path:
    """Where the state of builds into `config.output_dir` is kept (its details beside it, see
    `details_path`)."""
    name = hashlib.sha1(str(config.output_dir).encode("utf-8")).hexdigest()[:16]
    return cache_folder(config) / "outputs" / f"{name}.pickle"


def details_path(config: Config) -> Path:
    """Where the `DETAILS` of the state are kept."""
    return state_path(config).with_suffix(".details.pickle")


def search_input_path(config: Config) -> Path:
    """Where a build saves its search input for the processes that make the search files; one per
    output folder, like the state, as builds into two folders may run at once."""
    return state_path(config).with_suffix(".search-input.pickle")


def read_doc_keys(config: Config, code_key: str) -> dict[str, tuple[bytes, bytes]]:
    """Per search document url: the key of what its file was made of and the file's digest, as
    the last build into this output folder made them with this code and config (see
    `workers._store_files`); empty if there are none."""
    found = _read_pickle(_doc_keys_path(config))
    return found[2] if isinstance(found, tuple) and len(found) == 3 and found[:2] == (FORMAT, code_key) else {}


def write_doc_keys(config: Config, code_key: str, keys: dict[str, tuple[bytes, bytes]]) -> None:
    """Keep the search documents' keys for the next build (see `read_doc_keys`). A failed build
    may leave keys of files that never went live: they are trusted only for a live file with
    the digest they name."""
    _write_pickle(_doc_keys_path(config), (FORMAT, code_key, keys))


def _doc_keys_path(config: Config) -> Path:
    return state_path(config).with_suffix(".search-docs.pickle")


def read_shard_table(config: Config, code_key: str) -> dict:
    """What made each range of term shards the last build into this output folder wrote with
    this code and config (`search_shards.ShardTable`); empty if there is none. Like the
    documents' keys, a range is trusted only for live files with the digests it names."""
    found = _read_pickle(_shard_table_path(config))
    return found[2] if isinstance(found, tuple) and len(found) == 3 and found[:2] == (FORMAT, code_key) else {}


def write_shard_table(config: Config, code_key: str, table: dict) -> None:
    """Keep the shard table for the next build (see `read_shard_table`)."""
    _write_pickle(_shard_table_path(config), (FORMAT, code_key, table))


def _shard_table_path(config: Config) -> Path:
    return state_path(config).with_suffix(".search-shards.pickle")


def read_state(config: Config) -> BuildState | None:
    """The state the last build into this output folder left, if readable and current, without
    its `DETAILS` (see `read_details`): all a no-op build needs."""
    try:
        with open(state_path(config), "rb") as handle:
            if pickle.load(handle) != FORMAT:
                return None
            return BuildState(**_load_fields(handle, _SUMMARY))
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: only a cache miss
        return None


def read_details(config: Config, state: BuildState) -> bool:
    """Fill in the `DETAILS` of `state` (read by `read_state`) from the file written with it;
    False, with them left empty, if that file is missing, damaged or not `state`'s."""
    try:
        with open(details_path(config), "rb") as handle:
            if not state.token or pickle.load(handle) != (FORMAT, state.token):
                return False
            details = _load_fields(handle, DETAILS)
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: only a cache miss
        return False
    for name, value in details.items():
        setattr(state, name, value)
    return True


def write_state(config: Config, state: BuildState, *, details: bool = True) -> None:
    """Keep `state` for the next build: its details (unless `details` is False: the file written
    with the state read is still right), then the rest, which names them by a new token."""
    if details:
        state.token = os.urandom(16)
        with _replacing(details_path(config)) as handle:
            pickle.dump((FORMAT, state.token), handle, protocol=pickle.HIGHEST_PROTOCOL)
            _dump_fields(handle, state, DETAILS)
    with _replacing(state_path(config)) as handle:
        pickle.dump(FORMAT, handle, protocol=pickle.HIGHEST_PROTOCOL)
        _dump_fields(handle, state, _SUMMARY)


def _dump_fields(handle: BinaryIO, state: BuildState, names: Sequence[str]) -> None:
    """Field by field, long lists in slices, with the pickler's memo (an entry per object
    pickled) emptied between them. Pickled whole, the state's memo was the largest passing use
    of memory at the end of a build."""
    pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
    for name in names:
        value = getattr(state, name)
        pieces = [value[i:i + STATE_SLICE] for i in range(0, len(value), STATE_SLICE)] \
            if isinstance(value, list) else None
        pickler.dump((name, None if pieces is None else len(pieces)))
        for piece in [value] if pieces is None else pieces:
            pickler.clear_memo()
            pickler.dump(piece)


def _load_fields(handle: BinaryIO, names: Sequence[str]) -> dict[str, Any]:
    # One pickle after another (see _dump_fields); each needs an unpickler of its own.
    values: dict[str, Any] = {}
    for expected in names:
        name, slices = pickle.load(handle)
        if name != expected:
            raise ValueError(f"state field {name!r} where {expected!r} was expected")
        if slices is None:
            values[name] = pickle.load(handle)
        else:
            values[name] = [item for _ in range(slices) for item in pickle.load(handle)]
    return values


def forget_state(config: Config) -> None:
    """Drop the state (before writing output it would no longer describe). Its details stay
    until the next state replaces them: the build that forgets the state still reads them,
    and without the state that names them they are never trusted."""
    try:
        state_path(config).unlink()
    except OSError:
        pass


def output_damage(out: Path, outputs: dict[str, OutputFile]) -> set[str]:
    """Urls whose file in `out` is missing or not the one the last build wrote."""
    damaged = set()
    prefix = str(out) + os.sep
    for url, record in outputs.items():
        try:
            stat = os.stat(prefix + url)
        except OSError:
            damaged.add(url)
            continue
        if stat.st_size != record.size or stat.st_mtime_ns != record.mtime_ns or stat.st_ino != record.inode:
            damaged.add(url)
    return damaged


def now_ns() -> int:
    """Wall clock, for `BuildState.scanned_ns`."""
    return time.time_ns()


def _read_pickle(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged or foreign cache file is only a cache miss
        return None


def _write_pickle(path: Path, value: Any) -> None:
    with _replacing(path) as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)


@contextmanager
def _replacing(path: Path) -> Iterator[BinaryIO]:
    """A file to write that replaces `path` whole when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            yield handle
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
