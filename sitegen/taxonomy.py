"""The model stage: group articles into terms and months, rank related articles."""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from .config import Config, TaxonomyConfig
from .entities import EntityData
from .model import Article, Connections, Month, Site, Taxonomy, Term, Year
from .slugs import fold_accents, name_key, slugify

# Terms naming more articles than this only look at the articles nearest in time when ranking
# related articles, so one huge topic cannot make the model stage quadratic.
RELATED_WINDOW = 200


def build_site(config: Config, articles: Iterable[Article], entities: Mapping[str, EntityData] | None = None,
               links: Links | None = None, *, before_links: Callable[[Site], None] | None = None) -> Site:
    """The whole model: articles newest first, taxonomies (aliases merged by `entities`, the
    data files), the archive, related articles, connections between terms. Related articles
    and connections come from `links` when given (see `Links` for when they hold).

    `before_links` is called with the model but its links (no related articles, no
    connections) before they are ranked, which takes a while: a first build starts its search
    files then, on a core that would otherwise wait."""
    ordered = tuple(sorted(articles, key=lambda a: a.sort_key, reverse=True))
    entities = entities or {}
    taxonomies = {t.name: build_taxonomy(t, ordered, entities.get(t.name)) for t in config.taxonomies}
    site = Site(config, ordered, MappingProxyType(taxonomies), group_by_month(ordered))
    if before_links is not None:
        before_links(site)
    if links is not None and links.fits(site):
        related, connections = links.related_of(site), links.connections_of(site)
    else:
        related = rank_related(site, config.related_count)
        connections = connect_terms(site, config.connection_count)
    return Site(config, ordered, site.taxonomies, site.years, MappingProxyType(related),
                MappingProxyType(connections))


@dataclass(frozen=True, eq=False)
class Links:
    """A site's related articles and term connections as positions (of articles in
    `site.articles`, of terms in their taxonomy's A-Z list), to be kept between builds. They
    are a function of the config and of each article's date, path, slug and terms (with the
    data files, which merge names): another site with the same of those has the same links,
    and `build_site` takes them instead of ranking again (see `cache.model_keys`)."""

    related_ends: np.ndarray  # article i's related articles are related[ends[i - 1]:ends[i]] (from 0 for i = 0)
    related: np.ndarray  # article positions
    connection_ends: np.ndarray  # per term, every taxonomy's terms in A-Z order, one after another
    connections: np.ndarray  # rows (taxonomy number, term position, articles shared), by term

    @classmethod
    def of(cls, site: Site) -> Links:
        """The links of `site`, as positions."""
        position = {article: i for i, article in enumerate(site.articles)}
        related = [[position[other] for other in site.related.get(article, ())] for article in site.articles]
        kept = site.connections
        if not isinstance(kept, _KeptConnections):  # made term by term (a test's model)
            kept = _connection_rows(site)
        return cls(_ends(related), np.array([p for ps in related for p in ps], np.int32), kept.ends, kept.rows)

    def fits(self, site: Site) -> bool:
        """Whether the counts of articles and terms are those of `site` (a cheap check; that
        the links are `site`'s is for the caller to know)."""
        terms = sum(len(taxonomy.terms) for taxonomy in site.taxonomies.values())
        return len(self.related_ends) == len(site.articles) and len(self.connection_ends) == terms

    def related_of(self, site: Site) -> dict[Article, tuple[Article, ...]]:
        """`Site.related` of `site`."""
        articles, positions, start = site.articles, self.related.tolist(), 0
        related = {}
        for article, end in zip(articles, self.related_ends.tolist()):
            related[article] = tuple(articles[p] for p in positions[start:end])
            start = end
        return related

    def connections_of(self, site: Site) -> Mapping[Term, Connections]:
        """`Site.connections` of `site`, each term's made when first asked for (a rebuild
        shows few of them)."""
        return _KeptConnections(self.connection_ends, self.connections, tuple(site.taxonomies.values()))


class _KeptConnections(Mapping[Term, Connections]):
    """Term connections held as the rows of `Links.connections`: every term of the taxonomies
    is a key, in A-Z order taxonomy by taxonomy, and its connections are made from its rows
    when first asked for."""

    def __init__(self, ends: np.ndarray, rows: np.ndarray, taxonomies: tuple[Taxonomy, ...]) -> None:
        self.ends, self.rows, self._taxonomies = ends, rows, taxonomies
        self._places = {term: i for i, term in enumerate(t for taxonomy in taxonomies for t in taxonomy.terms)}
        self._made: dict[Term, Connections] = {}

    def __getitem__(self, term: Term) -> Connections:
        found = self._made.get(term)
        if found is None:
            place = self._places[term]
            start = int(self.ends[place - 1]) if place else 0
            grouped: dict[int, list[tuple[Term, int]]] = {}
            for number, position, shared in self.rows[start:int(self.ends[place])].tolist():
                grouped.setdefault(number, []).append((self._taxonomies[number].terms[position], shared))
            found = self._made[term] = tuple((self._taxonomies[n], tuple(terms)) for n, terms in grouped.items())
        return found

    def __iter__(self) -> Iterator[Term]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)


def _connection_rows(site: Site) -> _KeptConnections:
    """`site.connections` as rows (taxonomy number, A-Z position, articles shared), by term."""
    taxonomies = tuple(site.taxonomies.values())
    numbers = {taxonomy.name: n for n, taxonomy in enumerate(taxonomies)}
    a_to_z = {term: i for taxonomy in taxonomies for i, term in enumerate(taxonomy.terms)}
    connections = [[(numbers[other_taxonomy.name], a_to_z[other], shared)
                    for other_taxonomy, others in site.connections.get(term, ()) for other, shared in others]
                   for taxonomy in taxonomies for term in taxonomy.terms]
    rows = np.array([row for rows in connections for row in rows], np.int32).reshape(-1, 3)
    return _KeptConnections(_ends(connections), rows, taxonomies)


def _ends(groups: list[list]) -> np.ndarray:
    """Where each group ends in the groups laid end to end."""
    return np.cumsum([len(group) for group in groups], dtype=np.int64)


def build_taxonomy(config: TaxonomyConfig, articles: tuple[Article, ...],
                   entities: EntityData | None = None) -> Taxonomy:
    """One term per normalised name, an alias counting as its entry's name; articles keep the
    newest-first order given."""
    profiles = entities.by_key if entities else {}
    grouped: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for name in article.terms.get(config.name, ()):
            key = name_key(name)
            key = profiles[key].key if key in profiles else key
            if not grouped[key] or grouped[key][-1] is not article:  # an alias and its name in one article
                grouped[key].append(article)
            spellings[key][name] += 1
    names = {key: profiles[key].name if key in profiles else _preferred_spelling(spellings[key]) for key in grouped}
    slugs = assign_slugs(names, {key: found[-1].sort_key for key, found in grouped.items()})
    terms = [Term(config.name, names[key], key, slugs[key], tuple(grouped[key]), profiles.get(key))
             for key in grouped]
    terms.sort(key=lambda t: (sort_key(t.name), t.key))
    by_key = {t.key: t for t in terms}
    by_key.update({key: by_key[p.key] for key, p in profiles.items() if p.key in by_key})
    return Taxonomy(config, tuple(terms), MappingProxyType(by_key))


def sort_key(name: str) -> str:
    """A-Z order that ignores case and accents: Émile sorts with E."""
    return fold_accents(name).casefold()


def _preferred_spelling(counts: Counter[str]) -> str:
    # Most used spelling wins; ties go to the alphabetically first, so the choice is stable.
    return min(counts, key=lambda name: (-counts[name], name))


UNNAMED_SLUG = "untitled"  # the stem of a slug for a name with no letters to slug


def assign_slugs(names: dict[str, str], first_mentions: Mapping[str, Any] | None = None) -> dict[str, str]:
    """A distinct slug per key. On a clash the name mentioned first (by `first_mentions`, e.g.
    the date of its oldest article), else the plainest, keeps the bare slug, so newer articles
    never move an older term's URL; the others get a suffix from a hash of their own key. A name
    with no letters to slug gets the suffix even alone, so no newcomer can take over its URL."""
    first = first_mentions or {}
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key, name in names.items():
        by_slug[slugify(name, fallback="")].append(key)
    slugs: dict[str, str] = {}
    for slug, keys in by_slug.items():
        keys.sort(key=lambda k: (k not in first, first.get(k, 0), not k.isascii(), k))
        if slug:
            slugs[keys.pop(0)] = slug
        for key in keys:
            slugs[key] = f"{slug or UNNAMED_SLUG}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
    return slugs


def group_by_month(articles: tuple[Article, ...]) -> tuple[Year, ...]:
    """Years newest first, each with its months oldest first; articles keep their order."""
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    for article in articles:
        months[(article.date.year, article.date.month)].append(article)
    years: dict[int, list[Month]] = defaultdict(list)
    for (year, month) in sorted(months):
        years[year].append(Month(year, month, tuple(months[(year, month)])))
    return tuple(Year(year, tuple(years[year])) for year in sorted(years, reverse=True))


def rank_related(site: Site, count: int) -> dict[Article, tuple[Article, ...]]:
    """For each article, up to `count` others ranked by shared terms (rarer terms weigh more),
    ties going to the newer article."""
    articles = site.articles
    position = {article: index for index, article in enumerate(articles)}
    # Per term: its articles as positions in `site.articles`, and each article's place among them.
    spans = {term: (np.array([position[a] for a in term.articles], np.int64), {a: i for i, a in enumerate(term.articles)})
             for taxonomy in site.taxonomies.values() for term in taxonomy.terms}
    related: dict[Article, tuple[Article, ...]] = {}
    for index, article in enumerate(articles):
        windows, weights = [], []
        for taxonomy in site.taxonomies.values():
            for term in taxonomy.terms_of(article):
                positions, at = spans[term]
                start = max(0, at[article] - RELATED_WINDOW // 2)
                windows.append(positions[start:start + RELATED_WINDOW])
                weights.append(1.0 / term.article_count ** 0.5)
        if not windows:
            related[article] = ()
            continue
        found = np.concatenate(windows)
        others, inverse = np.unique(found, return_inverse=True)
        # Summed term by term in the order the article names them, as float sums depend on
        # order: bincount adds each weight in the order it comes.
        scores = np.bincount(inverse, weights=np.repeat(weights, list(map(len, windows))))
        keep = others != index
        others, scores = others[keep], scores[keep]
        best = np.lexsort((others, -scores))[:count]  # highest score first, then the newer article
        related[article] = tuple(map(articles.__getitem__, others[best].tolist()))
    return related


def connect_terms(site: Site, count: int) -> Mapping[Term, Connections]:
    """For each term, per taxonomy, up to `count` other terms named most often in the same
    articles as it (ties in A-Z order), with how many articles they share; taxonomies with none
    are left out. Counted on arrays: every pair of terms an article names, numbered in
    taxonomy and A-Z order (the term-by-term count took 0.6 s at 10,000 articles)."""
    taxonomies = tuple(site.taxonomies.values())
    sizes = np.array([len(taxonomy.terms) for taxonomy in taxonomies], np.int64)
    starts = np.cumsum(sizes) - sizes  # the first term number of each taxonomy
    total = int(sizes.sum())
    position = {article: i for i, article in enumerate(site.articles)}
    held = [(position[article], number) for number, term in enumerate(t for x in taxonomies for t in x.terms)
            for article in term.articles]
    pairs = np.array(sorted(held), np.int64).reshape(-1, 2)  # (article, term), article by article
    articles, terms = pairs[:, 0], pairs[:, 1]
    codes = []  # first term x total + second, for every ordered pair of terms one article names
    for distance in range(1, int(np.bincount(articles).max(initial=0))):
        same = articles[:-distance] == articles[distance:]
        first, second = terms[:-distance][same], terms[distance:][same]
        codes.extend([first * total + second, second * total + first])
    found, shared = np.unique(np.concatenate(codes), return_counts=True) if codes else (np.zeros(0, np.int64),) * 2
    term, other = found // total, found % total
    taxonomy = np.searchsorted(starts, other, side="right") - 1
    order = np.lexsort((other, -shared, taxonomy, term))  # per term and taxonomy: most shared, then A-Z
    term, other, shared, taxonomy = term[order], other[order], shared[order], taxonomy[order]
    group = term * len(taxonomies) + taxonomy
    first_of_group = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else group
    rank = np.arange(len(group)) - np.repeat(first_of_group, np.diff(np.r_[first_of_group, len(group)]))
    keep = rank < count
    rows = np.stack([taxonomy[keep], other[keep] - starts[taxonomy[keep]], shared[keep]], axis=1)
    ends = np.cumsum(np.bincount(term[keep], minlength=total), dtype=np.int64)
    return _KeptConnections(ends, rows.astype(np.int32).reshape(-1, 3), taxonomies)
