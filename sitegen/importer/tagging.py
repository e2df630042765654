"""Tag an article with the names the archive already knows, found on word boundaries."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..entities import EntityData
from ..slugs import name_key, normalise_name

# Topics are common nouns ("policing" in a sentence is the topic Policing); the other
# taxonomies hold names, matched with their capitals so "may" is never Theresa May.
CASE_INSENSITIVE = frozenset({"topics"})
_MIN_NAME_LENGTH = 2


@dataclass(frozen=True)
class KnownNames:
    """Every name the archive knows, per taxonomy, and the term each written form stands for."""

    patterns: Mapping[str, re.Pattern[str]]  # taxonomy -> one regex of every form
    terms: Mapping[str, Mapping[str, str]]  # taxonomy -> form (casefolded if case-insensitive) -> term name
    name_count: int  # distinct forms, for the report


def collect_known_names(terms_in_use: Mapping[str, Iterable[str]],
                        entities: Mapping[str, EntityData]) -> KnownNames:
    """Known names from the terms articles use and the names and aliases in `data/*.yaml`."""
    forms: dict[str, dict[str, str]] = {}
    for taxonomy in {*terms_in_use, *entities}:
        data = entities.get(taxonomy)
        found: dict[str, str] = {}
        for name in terms_in_use.get(taxonomy, ()):
            profile = data.profile_of(name) if data else None
            found.setdefault(normalise_name(name), profile.name if profile else normalise_name(name))
        for profile in data.profiles if data else ():
            for form in (profile.name, *profile.aliases):
                found.setdefault(normalise_name(form), profile.name)
        found = {form: term for form, term in found.items() if len(form) >= _MIN_NAME_LENGTH}
        if found:
            forms[taxonomy] = found
    patterns = {taxonomy: _pattern(found, taxonomy in CASE_INSENSITIVE) for taxonomy, found in forms.items()}
    terms = {taxonomy: ({form.casefold(): term for form, term in found.items()}
                        if taxonomy in CASE_INSENSITIVE else found) for taxonomy, found in forms.items()}
    return KnownNames(patterns, terms, sum(len(found) for found in forms.values()))


def _pattern(forms: Iterable[str], ignore_case: bool) -> re.Pattern[str]:
    # Longest first, so "Theresa May" wins over a shorter name inside it.
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in form.split())
                            for form in sorted(forms, key=lambda f: (-len(f), f)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE if ignore_case else 0)


def find_tags(text: str, known: KnownNames) -> dict[str, tuple[str, ...]]:
    """taxonomy -> the known terms named in `text`, in order of first mention."""
    tags: dict[str, tuple[str, ...]] = {}
    for taxonomy, pattern in known.patterns.items():
        forms = dict.fromkeys(" ".join(match.split()) for match in pattern.findall(text))  # first mention first
        found: dict[str, str] = {}
        for form in forms:
            term = known.terms[taxonomy].get(form.casefold() if taxonomy in CASE_INSENSITIVE else form)
            if term:
                found.setdefault(name_key(term), term)
        if found:
            tags[taxonomy] = tuple(found.values())
    return tags


def merge_names(*groups: Iterable[str]) -> tuple[str, ...]:
    """The names of all groups in order, each once (compared as sitegen compares term names)."""
    merged: dict[str, str] = {}
    for group in groups:
        for name in group:
            merged.setdefault(name_key(name), normalise_name(name))
    return tuple(merged.values())
