"""Write the site: a staging folder beside the output, a path guard, a lock, then a swap.

A crash or Ctrl-C at any point leaves the previous output folder whole: pages are written
into `<out>.staging`, and only a finished staging folder is renamed into place.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildLockedError, OutputPathError, OutputWriteError


@dataclass(frozen=True)
class WriteStats:
    """What writing the site did."""

    written_count: int  # files whose bytes changed or are new
    unchanged_count: int  # files identical to the previous build, linked rather than rewritten
    byte_count: int  # total size of the output


def digest_bytes(data: bytes) -> bytes:
    """The digest an output file is known and compared by."""
    return hashlib.blake2b(data, digest_size=16).digest()


def staging_path(out: Path) -> Path:
    """The sibling folder a build is written into before it replaces `out`."""
    return out.with_name(out.name + ".staging")


def _previous_path(out: Path) -> Path:
    return out.with_name(out.name + ".previous")


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on `out` for the duration; a second holder gets a clear error."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.with_name(f".{out.name}.lock")
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLockedError(f"another sitegen build is writing {out.name}/ (lock {lock_path.name}); "
                                   "wait for it to finish and run the build again") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def safe_output_path(root: Path, url: str) -> Path:
    """`root / url`, refusing any url that would land outside `root`."""
    if not url or "\x00" in url or url.startswith("/") or "\\" in url:
        raise OutputPathError(f"refusing to write {url!r}: not a relative path inside the output folder")
    path = (root / url).resolve()
    if not path.is_relative_to(root.resolve()) or path == root.resolve():
        raise OutputPathError(f"refusing to write {url!r}: it resolves outside the output folder")
    return path


def recover_interrupted_swap(out: Path) -> None:
    """If a crash came between the two renames of a swap, put the previous site back."""
    previous = _previous_path(out)
    if previous.is_dir():
        if out.exists():
            shutil.rmtree(previous)
        else:
            previous.rename(out)


def write_site(out: Path, files: Mapping[str, bytes], static_dirs: tuple[Path, ...] = ()) -> WriteStats:
    """Write `files` (url -> bytes) and the static folders into `out`, atomically replacing it."""
    try:
        with output_lock(out):
            recover_interrupted_swap(out)
            check_replaceable(out)
            staging = staging_path(out)
            if staging.exists():
                shutil.rmtree(staging)  # left by an interrupted build; never the live site
            try:  # from mkdir on, so a Ctrl-C just after it still removes the staging folder
                staging.mkdir(parents=True)
                stats = _fill(staging, out, files, static_dirs)
                _swap(staging, out)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                recover_interrupted_swap(out)
                raise
    except OSError as exc:  # permissions, a file in the way, a full disk: the user's to fix
        raise OutputWriteError(_write_failure(out, exc)) from exc
    return stats


def _write_failure(out: Path, exc: OSError) -> str:
    where = exc.filename or out
    if isinstance(exc, FileExistsError | NotADirectoryError):
        why = f"{where} is a file where a folder is needed; move it away or set output_dir elsewhere"
    elif isinstance(exc, PermissionError):
        why = f"permission denied on {where}; make it writable or set output_dir to a folder you own"
    else:
        why = f"{exc.strerror or exc} ({where}); check free disk space and the folder's permissions"
    return f"cannot write {out}: {why}; the previous build was left as it was"


def check_replaceable(out: Path) -> None:
    """Refuse to replace anything but a folder a build could have made: never lose a user's files."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputWriteError(f"{out} is not a folder (a file or a link); move it away or set "
                               "output_dir to the folder itself")
    if out.is_dir() and not (out / "index.html").is_file() and any(out.iterdir()):
        raise OutputWriteError(f"{out} holds files but no index.html, so sitegen did not build it; "
                               "each build replaces the whole output folder, so move those files away "
                               "or set output_dir to an empty folder")


def _fill(staging: Path, out: Path, files: Mapping[str, bytes], static_dirs: tuple[Path, ...]) -> WriteStats:
    written = unchanged = size = 0
    made: set[Path] = set()
    for url, data in _with_static(files, static_dirs):
        path = safe_output_path(staging, url)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if _link_if_unchanged(out / url, path, data):
            unchanged += 1
        else:
            path.write_bytes(data)
            written += 1
        size += len(data)
    return WriteStats(written, unchanged, size)


def _with_static(files: Mapping[str, bytes], static_dirs: tuple[Path, ...]) -> Iterator[tuple[str, bytes]]:
    yield from files.items()
    for folder in static_dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                url = "static/" + path.relative_to(folder).as_posix()
                if url not in files:
                    yield url, path.read_bytes()


def _link_if_unchanged(old: Path, new: Path, data: bytes) -> bool:
    # An unchanged file is hard-linked from the previous build, so its mtime survives and
    # rsync-style deploys only send what changed.
    try:
        if old.stat().st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, new)
        return True
    except OSError:
        return False


def _swap(staging: Path, out: Path) -> None:
    previous = _previous_path(out)
    if out.exists():
        out.rename(previous)
    staging.rename(out)
    if previous.exists():
        shutil.rmtree(previous)


# Incremental writes (pipeline.py). Changed files are staged beside the output; then either the
# unchanged ones are hard-linked in and the staging folder swapped in (many changes), or the
# staged files are moved into the output in place under a rollback journal (few changes, so a
# 10,000-article site does not relink 27,000 files to change three). A crash mid-commit is
# rolled back by the next build before it does anything else, restoring the previous output.


@contextmanager
def write_errors(out: Path) -> Iterator[None]:
    """Turn an OSError while writing into the user-facing OutputWriteError."""
    try:
        yield
    except OSError as exc:
        raise OutputWriteError(_write_failure(out, exc)) from exc


def _journal_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.journal")


def _backup_path(out: Path) -> Path:
    return out.with_name(out.name + ".backup")


def recover(out: Path) -> None:
    """Undo whatever an interrupted build left half done: a patch, then a swap."""
    recover_interrupted_patch(out)
    recover_interrupted_swap(out)


def prepare_staging(out: Path) -> Path:
    """An empty staging folder beside `out` (call with the lock held, after `recover`)."""
    check_replaceable(out)
    staging = staging_path(out)
    if staging.exists():
        shutil.rmtree(staging)  # left by an interrupted build; never the live site
    staging.mkdir(parents=True)
    return staging


def discard_staging(out: Path) -> None:
    """Remove the staging folder of a build that failed."""
    shutil.rmtree(staging_path(out), ignore_errors=True)


def stage_file(staging: Path, url: str, data: bytes, made: set[str]) -> os.stat_result:
    """Write `data` as `url` inside `staging`; returns the new file's stat.

    The guard is lexical: staging is a fresh folder whose every subfolder this function made,
    so no link can lead out of it, and a url of plain segments stays inside.
    """
    parts = url.split("/")
    if not url or "\x00" in url or "\\" in url or any(p in ("", ".", "..") for p in parts):
        raise OutputPathError(f"refusing to write {url!r}: not a relative path inside the output folder")
    folder = "/".join(parts[:-1])
    if folder and folder not in made:
        os.makedirs(staging / folder, exist_ok=True)
        made.add(folder)
    path = staging / url
    with open(path, "wb") as handle:
        handle.write(data)
    return os.stat(path)


def same_bytes(path: Path, data: bytes) -> bool:
    """True if the file at `path` holds exactly `data`."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def static_sources(static_dirs: tuple[Path, ...], taken: set[str]) -> dict[str, Path]:
    """url -> file of every static asset (hidden files skipped), except urls in `taken`."""
    found: dict[str, Path] = {}
    for folder in static_dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                url = "static/" + path.relative_to(folder).as_posix()
                if path.is_file() and not path.name.startswith(".") and url not in taken:
                    found.setdefault(url, path)
    return found


def commit_swap(out: Path, staging: Path, kept: list[str]) -> None:
    """Hard-link the `kept` files of `out` into `staging`, then swap staging in for `out`."""
    made: set[Path] = set()
    for url in kept:
        target = staging / url
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        os.link(out / url, target)
    _swap(staging, out)


def commit_patch(out: Path, staging: Path, staged: list[str], removed: list[str]) -> None:
    """Move the `staged` files into `out` and delete `removed` ones, under a rollback journal."""
    replaced = [url for url in staged if (out / url).exists()]
    replaced_set = set(replaced)
    added = [url for url in staged if url not in replaced_set]
    for url in (*staged, *removed):
        safe_output_path(out, url)  # `out` may hold links a user made: resolve each target
    backup = _backup_path(out)
    shutil.rmtree(backup, ignore_errors=True)
    journal = _journal_path(out)
    with open(journal, "w", encoding="utf-8") as handle:
        json.dump({"replaced": replaced, "added": added, "removed": removed}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    for url in replaced:
        _move(out / url, backup / url, link=True)
        os.replace(staging / url, out / url)
    for url in added:
        (out / url).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / url, out / url)
    for url in removed:
        _move(out / url, backup / url, link=False)
    journal.unlink()  # the commit point
    shutil.rmtree(backup, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    _remove_empty_folders(out, removed)


def recover_interrupted_patch(out: Path) -> None:
    """Roll back a patch commit that a crash interrupted, so `out` is the previous build again."""
    journal = _journal_path(out)
    if not journal.exists():
        return
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entries = {}  # written and synced before any file moved: unreadable means nothing moved
    backup = _backup_path(out)
    for url in (*entries.get("replaced", ()), *entries.get("removed", ())):
        if (backup / url).exists():
            (out / url).parent.mkdir(parents=True, exist_ok=True)
            os.replace(backup / url, out / url)
    for url in entries.get("added", ()):
        with suppress(FileNotFoundError):
            (out / url).unlink()
    journal.unlink()
    shutil.rmtree(backup, ignore_errors=True)
    shutil.rmtree(staging_path(out), ignore_errors=True)
    _remove_empty_folders(out, entries.get("added", ()))


def _move(source: Path, target: Path, *, link: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if link:
        os.link(source, target)
    else:
        os.replace(source, target)


def _remove_empty_folders(out: Path, urls: Iterable[str]) -> None:
    for url in urls:
        folder = (out / url).parent
        while folder != out and folder.is_relative_to(out):
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
