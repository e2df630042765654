"""What an import did, as values, and as the lines `sitegen import` prints."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Imported:
    """An article written (or, in a dry run, that would be written)."""

    source: str  # where it came from: text/a.txt or export.jsonl:3
    target: str  # project-relative POSIX path of its content file
    title: str
    is_update: bool  # True when it replaced its own earlier import
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # taxonomy -> names found in the text
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Duplicate:
    """An article not imported because its text is already imported or in the archive."""

    source: str
    other: str  # the source or content file it duplicates
    reason: str  # a sentence naming `other`: "byte-identical to text/a.txt"


@dataclass(frozen=True)
class Attention:
    """A file or line that was not imported, and what the archivist can do about it."""

    source: str
    reason: str  # "what is missing; how to fix"


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one `sitegen import`."""

    imported: tuple[Imported, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    attention: tuple[Attention, ...] = ()
    encodings: tuple[tuple[str, str], ...] = ()  # (source, encoding) of each file that was not UTF-8
    tagging: str = ""  # how tags were found
    into: str = "content"  # the content folder, project-relative
    is_dry_run: bool = False

    @property
    def needs_attention(self) -> bool:
        """True when some input gave no article."""
        return bool(self.attention)


def _plural(count: int, noun: str, plural: str = "") -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def report_lines(report: ImportReport, *, review: bool = False) -> list[str]:
    """The summary an archivist acts on: imported, skipped as duplicates, needing attention."""
    would = "would import" if report.is_dry_run else "imported"
    updated = sum(1 for item in report.imported if item.is_update)
    lines = [f"{would} {_plural(len(report.imported), 'article')} into {report.into}/"
             + (f" ({updated} replacing an earlier import)" if updated else "")]
    for item in report.imported:
        lines.append(f"  {item.target} <- {item.source}{' (updated)' if item.is_update else ''}")
        lines.extend(f"    note: {note}" for note in item.notes)
        if review:
            lines.extend(f"    {taxonomy}: {', '.join(names)}" for taxonomy, names in item.tags.items())
            lines.extend(["    no known names found"] if not item.tags else [])
    if report.duplicates:
        lines.append(f"skipped {_plural(len(report.duplicates), 'duplicate')}:")
        lines.extend(f"  {item.source}: {item.reason}" for item in report.duplicates)
    if report.attention:
        count = len(report.attention)
        lines.append(f"{count} need{'s' if count == 1 else ''} attention (not imported):")
        lines.extend(f"  {item.source}: {item.reason}" for item in report.attention)
    if report.encodings:
        lines.append("read as detected encodings (not UTF-8): "
                     + ", ".join(f"{source} as {encoding}" for source, encoding in report.encodings))
    if report.tagging:
        lines.append(report.tagging)
    if report.is_dry_run:
        lines.append("dry run: nothing was written")
    return lines
