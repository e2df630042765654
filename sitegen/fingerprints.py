"""Digests of what pages display, and which recorded reads changed since the last build.

A page needs rendering again only when something it showed changed. Its fingerprint is:
- `describe(page)`: its url, template, sources and context, with model objects (articles,
  terms, months...) standing for themselves by identity key rather than by content;
- its reads (recorded by `recording.py`): each (model object, attribute) it read, with a
  digest of the value; `*` is a read of a whole object, `url:N` of an object's URL, and
  ("[]", name, key) of one item of a mapping attribute;
- the global fingerprint (code, config, templates; see `cache.py`).
"""
from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from functools import cache
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

from .config import Config
from .model import Article, Month, Site, Taxonomy, Term, Year
from .pages import Deferred
from .urls import url_of

Key = tuple  # an identity key: ("article", source_file), ("term", taxonomy, key), ...
Read = tuple  # (identity key..., attribute): one recorded read, e.g. ("article", "content/a.md", "title")
Attribute = str | tuple  # a name, "*", "url:N", or ("[]", name, key)

# Model objects that stand for themselves: each has a key that names it across builds.
IDENTITIES: dict[type, Callable[[Any], Key]] = {
    Article: lambda a: ("article", a.source_file),
    Term: lambda t: ("term", t.taxonomy, t.key),
    Taxonomy: lambda t: ("taxonomy", t.name),
    Month: lambda m: ("month", m.year, m.month),
    Year: lambda y: ("year", y.year),
    Site: lambda s: ("site",),
}
_ATOMS = {str, int, float, bool, type(None), bytes}
_BY_REPR = (datetime, date, time, timedelta, tzinfo, PurePath, Decimal, Enum, range)
WHOLE = "*"  # the attribute of a read of the whole object
MISSING = "\x00missing"  # what reading an absent mapping item gives


class Opaque(Exception):
    """A value with no stable description (a function, a generator, an unknown object)."""


def identity(value: Any) -> Key | None:
    """The identity key of a model object, or None for anything else."""
    key_of = IDENTITIES.get(type(value))
    return key_of(value) if key_of else None


def describe(value: Any) -> Any:
    """`value` as nested tuples of plain values; model objects become their identity key."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    key_of = IDENTITIES.get(kind)
    if key_of is not None:
        return ("@", *key_of(value))
    if kind is tuple or kind is list:
        return tuple(map(describe, value))
    return _describe_other(value, describe)


def _describe_other(value: Any, recurse: Callable[[Any], Any]) -> Any:
    if type(value) is Deferred:
        return recurse(value.value())
    if isinstance(value, Markup):  # renders unescaped, unlike the same text as str
        return ("markup", str(value))
    if isinstance(value, str | int | float | bytes):
        return value
    if isinstance(value, tuple | list):
        return tuple(map(recurse, value))
    if isinstance(value, Mapping):
        return ("{", tuple((recurse(k), recurse(v)) for k, v in value.items()))
    if isinstance(value, _BY_REPR):
        return ("r", repr(value))
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__, tuple(recurse(getattr(value, name)) for name in _field_names(type(value))))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(repr(recurse(v)) for v in value)))
    raise Opaque(type(value).__name__)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names (`dataclasses.fields` costs more than the rest of describing)."""
    return tuple(f.name for f in fields(kind))


class Whole:
    """Deep descriptions of model objects (`*` reads), each worked out once per build."""

    def __init__(self) -> None:
        self._memo: dict[int, Any] = {}
        self._alive: list[Any] = []  # keeps described objects alive so their ids stay theirs

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if kind in _ATOMS:
            return value
        if kind not in IDENTITIES:
            return _describe_other(value, self)
        found = self._memo.get(id(value))
        if found is None:
            if kind is Article and value.stamp:
                # An article is a pure function of its path, its stamp and the config (which is
                # in the global fingerprint): the stamp stands for all of it.
                found = ("article", value.source_file, value.stamp)
            else:
                found = (kind.__qualname__, tuple(self(getattr(value, name)) for name in _field_names(kind)))
            self._memo[id(value)] = found
            self._alive.append(value)
        return found


DIGEST_SIZE = 12  # bytes of a `digest_of`


def digest_of(description: Any) -> bytes:
    """A short stable digest of a description.

    Descriptions are nested tuples of plain values, which `marshal` writes in a third of the
    time `repr` takes; its format 2 writes a value the same way whatever objects it shares with
    others. What marshal refuses (a subclass of str or int, such as an IntEnum) goes by repr."""
    try:
        data = b"m" + marshal.dumps(description, 2)
    except ValueError:
        data = b"r" + repr(description).encode("utf-8")
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


_BODY_ATTRIBUTES = ("body", "body_html", "body_text")  # an article's body, unpacked to be described


class ReadLog:
    """Digests of recorded reads, shared by every page rendered in this process."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.whole = Whole()
        # (model object, attribute) -> (read, digest): model objects hash and compare by
        # identity (their dataclasses have eq=False), so a recorded pair is its own key.
        self._digests: dict[tuple[Any, Attribute], tuple[Read, bytes]] = {}

    def value_of(self, obj: Any, attribute: Attribute) -> Any:
        """The description of what reading `attribute` of `obj` gives."""
        if attribute == WHOLE:
            return self.whole(obj)
        if type(attribute) is tuple:  # ("[]", name, key): one item of a mapping attribute
            return describe(getattr(obj, attribute[1]).get(attribute[2], MISSING))
        if attribute.startswith("url:"):
            return url_of(self.config, obj, int(attribute[4:]))
        if attribute in _BODY_ATTRIBUTES and type(obj) is Article and obj.stamp:
            # Its file's bytes stand for the body, as for whole articles (see `Whole`), rather
            # than unpacking and digesting it: only the article's own page shows the body, and
            # that page shows more of the file (a change to the file renders it again anyway).
            return ("stamp", obj.stamp)
        value = getattr(obj, attribute)
        if callable(value) and not isinstance(value, type):
            raise Opaque(f"{type(obj).__name__}.{attribute} is a method")
        return describe(value)

    def entry(self, obj: Any, attribute: Attribute) -> tuple[Read, bytes]:
        """(read, digest) of one read; the same objects each time, so pickling shares them."""
        return self.entry_of((obj, attribute))

    def entry_of(self, pair: tuple[Any, Attribute]) -> tuple[Read, bytes]:
        """`entry` of a read as recorded: (model object, attribute)."""
        found = self._digests.get(pair)
        if found is None:
            obj, attribute = pair
            found = self._digests[pair] = ((*identity(obj), attribute), digest_of(self.value_of(obj, attribute)))
        return found


def model_index(site: Site) -> dict[Key, Any]:
    """Every model object of `site` by identity key."""
    index: dict[Key, Any] = {("site",): site}
    for article in site.articles:
        index[("article", article.source_file)] = article
    for taxonomy in site.taxonomies.values():
        index[("taxonomy", taxonomy.name)] = taxonomy
        for term in taxonomy.terms:
            index[("term", term.taxonomy, term.key)] = term
    for year in site.years:
        index[("year", year.year)] = year
        for month in year.months:
            index[("month", month.year, month.month)] = month
    return index


def changed_reads(reads: Iterable[tuple[Read, bytes]], site: Site, log: ReadLog,
                  unchanged_articles: set[str], same_structure: bool = False) -> set[int]:
    """The positions in `reads` of those whose value differs now from the recorded digest (or
    cannot be read again). The same read may be recorded twice with different values (see
    `BuildState.add_read`): only the position whose digest differs is changed.

    Reads of the `unchanged_articles` (same path and `Article.stamp`) are skipped: an article
    is a pure function of those and the config. With `same_structure` (the articles' paths,
    dates, slugs and terms, the config and the data files are those of the recorded build; see
    `cache.model_keys`) so are the reads of every other model object but whole ones (`*`),
    whose description holds its articles' stamps: terms, months, years, taxonomies and the
    site are made of nothing else.
    """
    index = model_index(site)
    changed = set()
    for number, (read, recorded) in enumerate(reads):
        key, attribute = read[:-1], read[-1]
        if key[0] == "article":
            if key[1] in unchanged_articles:
                continue
        elif same_structure and attribute != WHOLE:
            continue
        if read_changed(read, recorded, index, log):
            changed.add(number)
    return changed


def read_changed(read: Read, recorded: bytes, index: dict[Key, Any], log: ReadLog) -> bool:
    """Whether `read` gives a value now (its object found in `index`, see `model_index`) whose
    digest is not `recorded`, or cannot be read again."""
    obj = index.get(read[:-1])
    try:
        return obj is None or log.entry(obj, read[-1])[1] != recorded
    except (Opaque, AttributeError):
        return True
