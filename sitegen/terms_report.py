"""The `sitegen terms` report: every term with its count and files, likely duplicates, and
data entries that no article names. Pure: returns lines for the CLI to print."""
from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .entities import data_path
from .errors import Problem
from .loader import source_of
from .model import Site, Taxonomy, Term
from .slugs import fold_accents, name_key

_PUNCTUATION = re.compile(r"[.,'’‘\"“”()\-–—]+")
_THE = re.compile(r"^the\s+|,?\s+the$", re.IGNORECASE)
_STOP_WORDS = {"of", "the", "and", "for", "&", "de", "in", "on"}


def _no_punctuation(name: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", name).split())


# Each step loosens a name a little more; a pair equal after step N differs only in steps 1..N.
_STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("case", str.casefold),
    ("accents", fold_accents),
    ("punctuation", _no_punctuation),
    ("a leading or trailing 'the'", lambda name: _THE.sub("", name)),
)


@dataclass(frozen=True)
class LikelyDuplicate:
    """Two terms of one taxonomy that may name the same thing."""

    taxonomy: Taxonomy
    kept: Term  # the one named by more articles: the suggested canonical name
    other: Term
    reason: str  # what they differ in: "accents", "initials", ...


def likely_duplicates(taxonomy: Taxonomy) -> list[LikelyDuplicate]:
    """Pairs of terms differing only in case, accents, punctuation, a 'the', or initials."""
    found: dict[tuple[Term, Term], str] = {}
    for key_of, reason in ((_loose_key, ""), (_initials_key, "initials"), (_acronym_key, "initials")):
        groups: dict[str, list[Term]] = defaultdict(list)
        for term in taxonomy.terms:
            for key in key_of(term.name):
                groups[key].append(term)
        for terms in groups.values():
            for a, b in itertools.combinations(terms, 2):
                if reason == "initials" and not _initials_agree(a.name, b.name):
                    continue
                pair = tuple(sorted((a, b), key=lambda t: (-t.article_count, t.name)))
                found.setdefault(pair, reason or _loose_reason(a.name, b.name))  # type: ignore[arg-type]
    return [LikelyDuplicate(taxonomy, kept, other, reason) for (kept, other), reason in
            sorted(found.items(), key=lambda item: (item[0][0].name, item[0][1].name))]


def _loose(name: str, steps: int = len(_STEPS), skip: int = -1) -> str:
    for index, (_, step) in enumerate(_STEPS[:steps]):
        if index != skip:
            name = step(name)
    return name.strip()


def _loose_key(name: str) -> Iterable[str]:
    return (_loose(name),)


def _loose_reason(a: str, b: str) -> str:
    # The reasons are the steps without which the two would still differ.
    for count in range(1, len(_STEPS) + 1):
        if _loose(a, count) == _loose(b, count):
            needed = [reason for index, (reason, _) in enumerate(_STEPS[:count])
                      if _loose(a, count, skip=index) != _loose(b, count, skip=index)]
            return ", ".join(needed) or "spacing"
    return "spelling"


def _words(name: str) -> list[str]:
    return _no_punctuation(fold_accents(name)).split()


def _initials_key(name: str) -> Iterable[str]:
    # "M. Rowley", "M Rowley" and "Mark Rowley" share "m rowley"; _initials_agree then drops
    # pairs like "Mark Rowley" and "Matt Rowley".
    words = _words(name)
    if len(words) < 2:
        return ()
    return (" ".join([*(w[0].casefold() for w in words[:-1]), words[-1].casefold()]),)


def _initials_agree(a: str, b: str) -> bool:
    """True when every word of one is the other's word or its initial ("M" for "Mark")."""
    words_a, words_b = _words(a), _words(b)
    if len(words_a) == 1 or len(words_b) == 1:
        return True  # an acronym pair, matched by _acronym_key
    if len(words_a) != len(words_b):
        return False
    return all(x.casefold() == y.casefold() or (min(len(x), len(y)) == 1 and x[0].casefold() == y[0].casefold())
               for x, y in zip(words_a, words_b))


def _acronym_key(name: str) -> Iterable[str]:
    # "CST" and "Community Security Trust" (or "Trust for Community Security" minus "for").
    words = _words(name)
    if len(words) == 1 and 2 <= len(words[0]) <= 8 and words[0].isupper():
        return (words[0].casefold(),)
    if len(words) < 2:
        return ()
    keys = {"".join(w[0] for w in words).casefold(),
            "".join(w[0] for w in words if w.casefold() not in _STOP_WORDS).casefold()}
    return tuple(sorted(k for k in keys if len(k) >= 2))


def spellings(site: Site, term: Term) -> Counter[str]:
    """How often each name other than `term.name` was written for it (aliases, other cases)."""
    taxonomy = site.taxonomies[term.taxonomy]
    written: Counter[str] = Counter()
    for article in term.articles:
        for name in article.terms.get(taxonomy.name, ()):
            if taxonomy.by_key.get(name_key(name)) is term and name != term.name:
                written[name] += 1
    return written


def terms_report(site: Site, unused: Sequence[Problem], taxonomies: Sequence[str] = ()) -> list[str]:
    """The report's lines: each taxonomy's terms, then likely duplicates, then unused entries."""
    chosen = [t for name, t in site.taxonomies.items() if not taxonomies or name in taxonomies]
    lines: list[str] = []
    duplicates: list[LikelyDuplicate] = []
    for taxonomy in chosen:
        lines.append(f"{taxonomy.name}: {_count(len(taxonomy.terms), 'term')}")
        for term in taxonomy.terms:
            lines.append(f"  {term.name}: {_count(term.article_count, 'article')}")
            other = spellings(site, term)
            if other:
                lines.append("    also written: " + ", ".join(f"{n} ({c})" for n, c in sorted(other.items())))
            lines.extend(f"    {source}" for source in sorted(a.source_file for a in term.articles))
        duplicates.extend(likely_duplicates(taxonomy))
    lines.append("")
    lines.append(f"likely duplicates: {len(duplicates) or 'none'}")
    for pair in duplicates:
        lines.append(f"  {pair.taxonomy.name}: '{pair.other.name}' ({_count(pair.other.article_count, 'article')}) "
                     f"and '{pair.kept.name}' ({pair.kept.article_count}) differ only in {pair.reason}; if they "
                     f"are one, add '{pair.other.name}' to the aliases of '{pair.kept.name}' in "
                     f"{_data_source(site, pair.taxonomy)}")
    wanted = {_data_source(site, taxonomy) for taxonomy in chosen}
    entries = [problem for problem in unused if problem.source in wanted]
    lines.append("")
    lines.append(f"data entries naming no term: {len(entries) or 'none'}")
    lines.extend(f"  {problem.format()}" for problem in sorted(entries))
    return lines


def _data_source(site: Site, taxonomy: Taxonomy) -> str:
    return source_of(data_path(site.config, taxonomy.name), site.config.root)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
