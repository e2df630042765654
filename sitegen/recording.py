"""Record which model data a page's render reads, as it reads it.

Templates fetch attributes through Jinja's `Environment.getattr`/`getitem`, which are hooked:
a fetch from a model object (`IDENTITIES`) is a read. Python called from a template (a filter,
a global, a function of a module such as `urls`, a `pass_context` function looking into the
context) gets the model behind views that record the same way: an attribute is a read, a
method runs against the view so its own reads count, and a mapping attribute keyed by text
(`taxonomy.by_key`) records one read per item looked up, so a page that looks up three names
does not depend on every other name. `href`/`url_of` record only the URL of their target.

What cannot be looked into (an iterator handed to a function, a string made from a whole
model object) makes the page opaque: it is rendered on every build.

A global with a `declared_reads` function (`discovery.article_meta`) is called with the real
objects, and the reads that function names for the same arguments are recorded instead: for a
hot function, watching every read costs more than the function (a test holds the declaration
to what watching records).
"""
from __future__ import annotations

import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from functools import partial, wraps
from typing import Any

import jinja2
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_NAMESPACE, DEFAULT_TESTS

from .fingerprints import _ATOMS, IDENTITIES, WHOLE, Attribute, Opaque, Read, ReadLog

_URL_FUNCTIONS = ("href", "url_of")  # render.py's globals whose result is only the target's URL


class Recorder:
    """Hooks a Jinja environment so that rendering records the model reads of each page."""

    def __init__(self, env: jinja2.Environment, log: ReadLog) -> None:
        self.log = log
        self.reads: set[tuple[Any, Attribute]] = set()
        self.opaque: str | None = None
        self._inside: dict[int, tuple[Any, tuple[Any, ...]]] = {}  # id -> (object, models inside)
        self._watched_functions: dict[Callable[..., Any], Callable[..., Any]] = {}  # of modules
        self._hook_lookups(env)
        self._hook_callables(env)

    def start(self) -> None:
        """Forget the previous page's reads (the set is emptied, not replaced: the hooks hold it)."""
        self.reads.clear()
        self.opaque = None

    def finish(self) -> tuple[tuple[Read, bytes], ...] | None:
        """The reads of the page just rendered with their digests; None if it is opaque."""
        if self.opaque:
            return None
        try:
            return tuple(map(self.log.entry_of, self.reads))
        except Opaque:
            return None

    def finish_pairs(self) -> set[tuple[Any, Attribute]] | None:
        """The reads of the page just rendered as recorded, (model object, attribute), for
        `ReadLog.entry_of`; None if the page is opaque (so far: `entry_of` may still find a
        read that cannot be digested). Valid until `start`."""
        return None if self.opaque else self.reads

    def _hook_lookups(self, env: jinja2.Environment) -> None:
        getattr_, getitem = env.getattr, env.getitem
        reads = self.reads
        watched = self._watched_functions

        def recording_getattr(obj: Any, attribute: str) -> Any:
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                return getattr_(obj, attribute)  # Jinja's fallbacks: an item, or undefined
            if type(obj) in IDENTITIES:
                reads.add((obj, attribute))
            elif type(obj) is types.ModuleType and callable(value) and not isinstance(value, type):
                value = watched.get(value) or watched.setdefault(value, self._watched(value))
            return value

        def recording_getitem(obj: Any, argument: Any) -> Any:
            value = getitem(obj, argument)
            if type(obj) in IDENTITIES and isinstance(argument, str):
                reads.add((obj, argument))
            return value

        env.getattr = recording_getattr  # type: ignore[method-assign]
        env.getitem = recording_getitem  # type: ignore[method-assign]

    def _hook_callables(self, env: jinja2.Environment) -> None:
        for name, function in list(env.globals.items()):
            if name in _URL_FUNCTIONS:
                env.globals[name] = self._watched_url(function)
            elif getattr(function, "declared_reads", None) is not None:
                env.globals[name] = self._declared(function)
            elif callable(function) and DEFAULT_NAMESPACE.get(name) is not function and not isinstance(function, type):
                env.globals[name] = self._watched(function)
        for table, defaults in ((env.filters, DEFAULT_FILTERS), (env.tests, DEFAULT_TESTS)):
            for name, function in list(table.items()):
                if defaults.get(name) is not function:
                    table[name] = self._watched(function)

    def _watched(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, seeing the model it is given behind recording views."""
        view = self.view

        @wraps(function)
        def watched(*args: Any, **kwargs: Any) -> Any:
            return function(*map(view, args), **{name: view(value) for name, value in kwargs.items()})
        return watched

    def _declared(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` run on the real objects, its reads those its `declared_reads` (called with
        the same arguments) names."""
        declared, reads = function.declared_reads, self.reads  # type: ignore[attr-defined]

        @wraps(function)
        def watched(*args: Any, **kwargs: Any) -> Any:
            args = tuple(map(_real, args))
            reads.update(declared(*args, **kwargs))
            return function(*args, **kwargs)
        return watched

    def _watched_url(self, function: Callable[..., Any]) -> Callable[..., Any]:
        reads = self.reads
        skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # href's context

        @wraps(function)
        def watched(*args: Any, **kwargs: Any) -> Any:
            # href(context, target, page=1) / url_of(target, page=1)
            target = _real(args[skip]) if len(args) > skip else None
            if type(target) in IDENTITIES:
                page = kwargs.get("page", args[skip + 1] if len(args) > skip + 1 else 1)
                reads.add((target, f"url:{int(page)}"))
            return function(*args, **kwargs)
        return watched

    def view(self, value: Any) -> Any:
        """`value` as Python called from a template sees it: model objects behind views."""
        kind = _KINDS.get(type(value)) or _kind_of(type(value))
        if kind is _PLAIN or kind is _VIEW:
            return value
        if kind is _MODEL:
            return _ObjectView(value, self)
        if kind is _SEQUENCE:
            return type(value)(map(self.view, value)) if _holds_model(value) else value
        if kind is _CONTEXT:
            shown = {name: item for name, item in value.get_all().items() if _holds_model((item,))}
            return value.derived({name: self.view(item) for name, item in shown.items()}) if shown else value
        if kind is _MAPPING:
            return {k: self.view(v) for k, v in value.items()} if _holds_model(value.values()) else value
        if kind is _DATACLASS:
            self.reads.update((inner, WHOLE) for inner in self._models_inside(value))
        elif kind is _ITERATOR:
            self.opaque = f"an iterator ({type(value).__name__}) passed to a template function"
        return value

    def _models_inside(self, value: Any) -> tuple[Any, ...]:
        """The model objects inside a dataclass handed to a function (worked out once each:
        the same config or pagination is handed over again and again)."""
        found = self._inside.get(id(value))
        if found is None:
            found = self._inside[id(value)] = (value, tuple(_find_models(value)))
        return found[1]


def _find_models(value: Any, depth: int = 0) -> Iterator[Any]:
    kind = type(value)
    if kind in _ATOMS or depth > 8:
        return
    if kind in IDENTITIES:
        yield value
    elif isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from _find_models(item, depth + 1)
    elif isinstance(value, Mapping):
        for item in value.items():
            yield from _find_models(item, depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from _find_models(getattr(value, field.name), depth + 1)


def _holds_model(items: Any, depth: int = 0) -> bool:
    for item in items:
        kind = _KINDS.get(type(item)) or _kind_of(type(item))
        if kind is _MODEL or type(item) is _ObjectView:
            return True
        if depth < 3 and kind is _SEQUENCE and _holds_model(item, depth + 1):
            return True
        if depth < 3 and (kind is _MAPPING or type(item) is _MappingView) and _holds_model(item.values(), depth + 1):
            return True
    return False


# What `view` does with a value, by the value's type, worked out once per type (`isinstance`
# against the abstract Mapping and Iterator costs more than the rest of a read). Exact types
# only for sequences: a named tuple is a value of its own, as for `describe`.
_PLAIN, _VIEW, _MODEL, _SEQUENCE, _CONTEXT, _MAPPING, _DATACLASS, _ITERATOR = (
    "plain", "view", "model", "sequence", "context", "mapping", "dataclass", "iterator")
_KINDS: dict[type, str] = {}


def _kind_of(kind: type) -> str:
    found = _KINDS[kind] = _classify(kind)
    return found


def _classify(kind: type) -> str:
    if kind in _ATOMS:
        return _PLAIN
    if kind is _ObjectView or kind is _MappingView:
        return _VIEW
    if kind in IDENTITIES:
        return _MODEL
    if kind is tuple or kind is list:
        return _SEQUENCE
    if issubclass(kind, jinja2.runtime.Context):
        return _CONTEXT
    if issubclass(kind, Mapping):
        return _MAPPING
    if is_dataclass(kind):
        return _DATACLASS
    if issubclass(kind, Iterator):
        return _ITERATOR
    return _PLAIN


def _real(value: Any) -> Any:
    return value._real if type(value) is _ObjectView else value


class _ObjectView:
    """A model object as a Python function sees it: every attribute it reads is recorded."""

    __slots__ = ("_real", "_recorder")

    def __init__(self, real: Any, recorder: Recorder) -> None:
        self._real, self._recorder = real, recorder

    @property  # isinstance(view, Article) holds, as the function expects
    def __class__(self) -> type:  # type: ignore[override]
        return type(self._real)

    def __getattr__(self, name: str) -> Any:
        real, recorder = self._real, self._recorder
        static = getattr(type(real), name, None)
        if isinstance(static, types.FunctionType):  # a method: run it against the view
            return partial(static, self)
        value = getattr(real, name)
        if callable(value) and not isinstance(value, type):
            recorder.opaque = f"{type(real).__name__}.{name} called from a template function"
            return value
        kind = _KINDS.get(type(value)) or _kind_of(type(value))
        if kind is _MAPPING and _holds_model(value.values()):
            return _MappingView(real, name, value, recorder)
        recorder.reads.add((real, name))
        return recorder.view(value)

    def __eq__(self, other: object) -> bool:
        return self._real == _real(other)

    def __hash__(self) -> int:
        return hash(self._real)

    def __repr__(self) -> str:
        self._recorder.opaque = f"a whole {type(self._real).__name__} turned into text"
        return repr(self._real)

    __str__ = __repr__


class _MappingView(Mapping):
    """A mapping attribute of a model object: one read per item looked up, a read of the
    whole mapping when it is walked."""

    def __init__(self, owner: Any, name: str, mapping: Mapping, recorder: Recorder) -> None:
        self._owner, self._name, self._mapping, self._recorder = owner, name, mapping, recorder

    def _note(self, key: Any) -> None:
        if type(key) in (str, int):
            self._recorder.reads.add((self._owner, ("[]", self._name, key)))
        else:
            self._recorder.reads.add((self._owner, self._name))

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return self._recorder.view(self._mapping[key])

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return key in self._mapping

    def __iter__(self) -> Iterator[Any]:
        self._recorder.reads.add((self._owner, self._name))
        return iter(self._mapping)

    def __len__(self) -> int:
        self._recorder.reads.add((self._owner, self._name))
        return len(self._mapping)
