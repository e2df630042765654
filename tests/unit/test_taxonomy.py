"""Term merging, slug assignment, archive grouping, related articles and pagination."""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sitegen.config import Config
from sitegen.model import Article, Site, Term
from sitegen.pages import paginate
from sitegen.render import group_by_initial
from sitegen.taxonomy import assign_slugs, build_site, connect_terms, rank_related, sort_key


def _article(name: str, day: int, month: int = 1, **terms: tuple[str, ...]) -> Article:
    return Article(source_file=f"content/{name}.md", title=name, slug=name, summary="",
                   date=datetime(2015, month, day, tzinfo=timezone.utc), terms=terms)


CONFIG = Config(root=Path("/nonexistent"))


def test_spellings_of_one_name_merge_into_one_term_with_the_most_used_spelling() -> None:
    articles = [_article("a", 1, people=("Mark Rowley",)), _article("b", 2, people=("mark  rowley",)),
                _article("c", 3, people=("Mark Rowley",))]
    people = build_site(CONFIG, articles).taxonomies["people"]
    assert [(t.name, t.slug, t.article_count) for t in people.terms] == [("Mark Rowley", "mark-rowley", 3)]
    assert [a.title for a in people.terms[0].articles] == ["c", "b", "a"]  # newest first


def test_terms_sort_a_to_z_ignoring_case_and_accents() -> None:
    site = build_site(CONFIG, [_article("a", 1, people=("Émile Zola", "david", "Zoë Ball", "Anne"))])
    assert [t.name for t in site.taxonomies["people"].terms] == ["Anne", "david", "Émile Zola", "Zoë Ball"]


def test_slug_clashes_get_distinct_stable_slugs() -> None:
    first = assign_slugs({"zoe ball": "Zoe Ball", "zoë ball": "Zoë Ball"})
    assert first["zoe ball"] == "zoe-ball" and first["zoë ball"].startswith("zoe-ball-")
    again = assign_slugs({"zoë ball": "Zoë Ball", "zoe ball": "Zoe Ball", "zoe-ball": "Zoe-Ball"})
    assert again["zoë ball"] == first["zoë ball"]  # adding a third name moves neither
    assert len(set(again.values())) == 3


def test_archive_groups_by_year_and_month() -> None:
    site = build_site(CONFIG, [_article("a", 1, 1), _article("b", 5, 1), _article("c", 2, 3)])
    [year] = site.years
    assert year.year == 2015 and year.article_count == 3
    assert [(m.month, m.article_count) for m in year.months] == [(1, 2), (3, 1)]


def test_related_articles_rank_by_shared_terms() -> None:
    articles = [_article("base", 1, topics=("A", "B"), people=("P",)),
                _article("two-shared", 2, topics=("A",), people=("P",)),
                _article("one-shared", 3, topics=("B",)),
                _article("none", 4, topics=("C",))]
    site = build_site(CONFIG, articles)
    base = next(a for a in site.articles if a.title == "base")
    assert [a.title for a in site.related[base]] == ["two-shared", "one-shared"]


def test_related_articles_with_equal_scores_go_newest_first_up_to_the_count() -> None:
    articles = [_article(name, day, topics=("A", "B") if name in ("base", "b-too") else ("A",))
                for name, day in (("base", 1), ("older", 2), ("b-too", 3), ("newer", 4), ("newest", 5))]
    site = build_site(CONFIG, articles)
    base = next(a for a in site.articles if a.title == "base")
    assert [a.title for a in rank_related(site, 3)[base]] == ["b-too", "newest", "newer"]
    assert [a.title for a in rank_related(site, 10)[base]] == ["b-too", "newest", "newer", "older"]
    lone = build_site(CONFIG, [_article("alone", 1, topics=("Z",)), _article("untagged", 2)])
    assert all(related == () for related in lone.related.values())


def test_before_links_sees_the_articles_and_terms_before_related_articles_are_ranked() -> None:
    # A build starts the search files from this model, beside the ranking: it must hold
    # everything the search needs (articles, terms) and is not the finished site.
    seen = []
    articles = [_article("a", 1, topics=("A",), people=("P",)), _article("b", 2, topics=("A",))]
    site = build_site(CONFIG, articles, before_links=seen.append)
    [early] = seen
    assert early.articles == site.articles and early.taxonomies is site.taxonomies
    assert not early.related and not early.connections
    assert [a.title for a in site.related[site.articles[0]]] == ["a"] and site.connections


def _obvious_connections(site: Site, count: int) -> dict:
    """What `connect_terms` must give, counted term by term."""
    named = {article: site.terms_of(article) for article in site.articles}
    a_to_z = {term: i for taxonomy in site.taxonomies.values() for i, term in enumerate(taxonomy.terms)}
    connections = {}
    for taxonomy in site.taxonomies.values():
        for term in taxonomy.terms:
            shared: Counter = Counter()
            for article in term.articles:
                shared.update(named[article])
            del shared[term]
            connections[term] = tuple(
                (other_taxonomy, tuple((t, shared[t]) for t in sorted(
                    (t for t in shared if t.taxonomy == name), key=lambda t: (-shared[t], a_to_z[t]))[:count]))
                for name, other_taxonomy in site.taxonomies.items() if any(t.taxonomy == name for t in shared))
    return connections


@pytest.mark.parametrize("seed", range(4))
def test_connections_count_shared_articles_as_the_obvious_code_does(seed: int) -> None:
    rng = random.Random(seed)
    pools = {"people": [f"P{n}" for n in range(9)], "topics": [f"T{n}" for n in range(5)],
             "organisations": [f"O{n}" for n in range(4)]}
    articles = [_article(f"a{n}", 1 + n % 28, 1 + n % 12, **{name: tuple(rng.sample(pool, rng.randint(0, 4)))
                                                              for name, pool in pools.items()})
                for n in range(80)]
    site = build_site(CONFIG, articles)
    for count in (1, 3, 8):
        found = connect_terms(site, count)
        assert list(found) == [t for taxonomy in site.taxonomies.values() for t in taxonomy.terms]
        assert {term: found[term] for term in found} == _obvious_connections(site, count)
    assert any(len(others) == 3 for connections in connect_terms(site, 3).values() for _, others in connections)


def test_previous_and_next_follow_dates() -> None:
    site = build_site(CONFIG, [_article("old", 1), _article("mid", 2), _article("new", 3)])
    older, newer = site.previous_and_next(1)
    assert (older.title, newer.title) == ("old", "new")


def test_paginate() -> None:
    assert paginate(list(range(5)), 2) == [[0, 1], [2, 3], [4]]
    assert paginate([], 2) == [[]]


def test_the_term_mentioned_first_keeps_a_clashing_slug() -> None:
    # "Zoe Ball" sorts before "Zoë Ball", but Zoë was in the archive first: her URL stays.
    names = {"zoë ball": "Zoë Ball", "zoe ball": "Zoe Ball"}
    slugs = assign_slugs(names, {"zoë ball": (2015, "a.md"), "zoe ball": (2020, "b.md")})
    assert slugs["zoë ball"] == "zoe-ball"
    assert slugs["zoe ball"].startswith("zoe-ball-")
    assert assign_slugs(names)["zoe ball"] == "zoe-ball"  # with no dates, the plainest name


def test_names_with_nothing_to_slug_always_carry_their_own_hash() -> None:
    slugs = assign_slugs({"🎉": "🎉"})
    assert slugs["🎉"].startswith("untitled-")
    assert assign_slugs({"🎵": "🎵", "🎉": "🎉"})["🎉"] == slugs["🎉"]  # a newcomer does not move it


def test_a_to_z_groups_by_the_initial_of_the_slug_when_a_name_opens_with_no_latin_letter() -> None:
    names = ["Émile Zola", "Zoë Ball", "‘Ndrangheta", "(The) Times", "Владимир Путин", "北京", "3M", "🎉", "Ørsted"]
    terms = [Term("people", name, name, name, ()) for name in sorted(names, key=sort_key)]
    groups = {initial: [t.name for t in group] for initial, group in group_by_initial(terms)}
    assert groups == {"B": ["北京"], "E": ["Émile Zola"], "N": ["‘Ndrangheta"], "O": ["Ørsted"],
                      "T": ["(The) Times"], "V": ["Владимир Путин"], "Z": ["Zoë Ball"], "#": ["3M", "🎉"]}
    assert list(groups)[-1] == "#"
