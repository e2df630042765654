"""Find the raw files to import, decode them, and read each in its format."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import SitegenError
from .decode import DecodeError, decode_text
from .draft import Draft, Unreadable
from .html import read_html_article
from .jsonl import read_jsonl_articles
from .text import read_text_article

FORMATS = ("text", "html", "jsonl")
_SUFFIXES = {".txt": "text", ".text": "text", "": "text", ".html": "html", ".htm": "html",
             ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class ReadResult:
    """Articles read from the files, the inputs that gave none, and the encodings detected."""

    drafts: tuple[Draft, ...]
    unreadable: tuple[Unreadable, ...]
    encodings: tuple[tuple[str, str], ...]  # (source, encoding) for files that were not UTF-8


def find_import_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and every file below each folder named (hidden ones skipped, folders
    sorted), each once, in the order named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            raise SitegenError(f"{path.as_posix()}: no such file or folder; check the path to import")
    return list({path.resolve(): path for path in reversed(files)}.values())[::-1]  # each file once


def display_path(path: Path) -> str:
    """`path` as shown to users: relative to the working folder when inside it."""
    absolute = path.absolute()
    return absolute.relative_to(Path.cwd()).as_posix() if absolute.is_relative_to(Path.cwd()) else path.as_posix()


def read_sources(files: Sequence[Path], fmt: str | None, *, image_lines: int = 0,
                 field_map: Mapping[str, str] | None = None, taxonomies: Sequence[str] = ()) -> ReadResult:
    """Every article in `files`, read as `fmt` (or by file extension when None)."""
    drafts: list[Draft] = []
    unreadable: list[Unreadable] = []
    encodings: list[tuple[str, str]] = []
    for path in files:
        source = display_path(path)
        kind = fmt or _SUFFIXES.get(path.suffix.lower())
        if kind is None:
            unreadable.append(Unreadable(source, f"cannot tell the format of a '{path.suffix}' file; "
                                         f"pass --format {'|'.join(FORMATS)}, or leave it out of the import"))
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            unreadable.append(Unreadable(source, f"cannot read the file ({exc.strerror}); check its permissions"))
            continue
        try:
            decoded = decode_text(raw)
        except DecodeError as exc:
            unreadable.append(Unreadable(source, f"cannot be decoded: {exc}; re-save it as UTF-8 text"))
            continue
        if decoded.is_detected:
            encodings.append((source, decoded.encoding))
        if kind == "jsonl":
            found = read_jsonl_articles(decoded.text, source, field_map or {}, taxonomies)
        elif kind == "html":
            found = [read_html_article(decoded.text, source, raw)]
        else:
            found = [read_text_article(decoded.text, source, raw, image_lines)]
        drafts.extend(item for item in found if isinstance(item, Draft))
        unreadable.extend(item for item in found if isinstance(item, Unreadable))
    return ReadResult(tuple(drafts), tuple(unreadable), tuple(encodings))
