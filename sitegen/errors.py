"""Problems found in user input, and the exceptions that carry them.

A `Problem` is a value: loading collects them and moves on; the CLI prints them.
Every message reads `source:line: what is wrong; how to fix`.
"""
from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, located at a 1-based line."""

    source: str  # project-relative POSIX path shown to users, e.g. content/2015/patrols.md
    line: int
    message: str  # what is wrong, and how to fix it
    is_warning: bool = False

    def format(self) -> str:
        """The user-facing line: `source:line: message` (warnings say so)."""
        kind = "warning: " if self.is_warning else ""
        return printable(f"{self.source}:{self.line}: {kind}{self.message}")


def printable(text: str) -> str:
    """`text` with control, format and separator characters escaped (`\\x1b`, `\\u202e`), so a
    hostile file name or value cannot move the cursor or reorder a terminal line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring = 3, 4, 4, 60


def quote(value: object, limit: int = 60) -> str:
    """Quote a bad value for a message: repr-escaped, cut to `limit` characters.

    Lists and mappings are shortened before they become text, so a YAML alias bomb
    (a billion nested references) costs nothing to report.
    """
    if isinstance(value, str):
        text = printable(value[: limit * 2]).replace("'", "\\'")
    else:
        text = printable(_SHORT.repr(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def type_name(value: object) -> str:
    """Name a YAML value's type in words, never `<class 'str'>`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a date" if hasattr(value, "year") else "a value of another kind"


class SitegenError(Exception):
    """A user mistake: printed as a message (no traceback), exit code 1."""

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(sorted(problems))


class ContentError(SitegenError):
    """Content or config has errors; `problems` lists them all."""


class BuildLockedError(SitegenError):
    """Another build holds the output lock."""


class OutputPathError(SitegenError):
    """A page asked to be written outside the output folder."""


class OutputWriteError(SitegenError):
    """The output folder cannot be written (permissions, a file in the way, disk full)."""


def summarise(problems: Iterable[Problem], *, changed: bool) -> str:
    """`2 errors in 2 files; build/ was not changed` style summary line."""
    problems = list(problems)
    errors = [p for p in problems if not p.is_warning]
    files = {p.source for p in errors}
    plural = "" if len(errors) == 1 else "s"
    fplural = "" if len(files) == 1 else "s"
    tail = "" if changed else "; build/ was not changed"
    return f"{len(errors)} error{plural} in {len(files)} file{fplural}{tail}"
