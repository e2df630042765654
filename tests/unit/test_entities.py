"""Data files: profiles, aliases and their conflicts; alias merging, connections, timelines, JSON-LD."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sitegen.config import Config, load_config
from sitegen.discovery import script_json
from sitegen.entities import load_entities, read_entities, unused_entry_warnings
from sitegen.model import Article
from sitegen.taxonomy import build_site, connect_terms
from sitegen.timeline import term_timeline

CONFIG = Config(root=Path("/nonexistent"))


def _article(name: str, date: str, **terms: tuple[str, ...]) -> Article:
    return Article(source_file=f"content/{name}.md", title=name, slug=name, summary="",
                   date=datetime.fromisoformat(date).replace(tzinfo=timezone.utc), terms=terms)


def _read(text: str, taxonomy: str = "organisations"):
    return read_entities(text, f"data/{taxonomy}.yaml", taxonomy)


def _messages(problems) -> list[str]:
    return [p.format() for p in problems]


def test_an_entry_becomes_a_profile() -> None:
    data, problems = _read("""\
Community Security Trust:
  description: A *charity*.
  aliases: [CST, The CST]
  image: {src: static/cst.png, alt: Logo, credit: CST}
  links:
    website: https://cst.org.uk/
    wikidata: Q123
  founded: 1994
  motto: Keep safe
""")
    assert problems == []
    (profile,) = data.profiles
    assert (profile.name, profile.line, profile.founded) == ("Community Security Trust", 1, "1994")
    assert profile.description_html == "<p>A <em>charity</em>.</p>\n"
    assert profile.aliases == ("CST", "The CST")
    assert (profile.image.src, profile.image.alt, profile.image.credit) == ("static/cst.png", "Logo", "CST")
    assert [(link.label, link.url) for link in profile.links] == [
        ("Official website", "https://cst.org.uk/"), ("Wikidata (Q123)", "https://www.wikidata.org/wiki/Q123")]
    assert dict(profile.extra) == {"motto": "Keep safe"}
    assert data.profile_of("cst") is data.profile_of("COMMUNITY SECURITY TRUST") is profile


def test_an_alias_given_to_two_entries_names_both() -> None:
    _, problems = _read("A Trust:\n  aliases: [CST]\nB Team:\n  aliases:\n    - X\n    - cst\n")
    assert _messages(problems) == ["data/organisations.yaml:6: alias 'cst' is given to both 'A Trust' (line 1) "
                                   "and 'B Team'; keep it under one of them"]


def test_an_entry_that_is_also_an_alias_names_both() -> None:
    _, problems = _read("CST:\n  description: x\nA Trust:\n  aliases: [CST]\n")
    assert _messages(problems) == ["data/organisations.yaml:4: alias 'CST' of 'A Trust' is also an entry of its own "
                                   "(line 1); remove the alias, or move that entry's details into 'A Trust' and "
                                   "delete it"]


def test_one_name_with_two_entries_is_an_error() -> None:
    _, problems = _read("CST: {}\ncst:\n  description: x\n")
    assert _messages(problems) == ["data/organisations.yaml:2: 'cst' already has an entry on line 1 (as 'CST'); "
                                   "merge the two entries into one"]


@pytest.mark.parametrize("text, expected", [
    ("- CST\n", "data/organisations.yaml:1: a data file must map each name to its profile"),
    ("A: [x]\n", "data/organisations.yaml:1: entry 'A' must be a mapping of description, aliases"),
    ("A:\n  description: [x]\n", "data/organisations.yaml:2: 'description' of 'A' must be text (Markdown), not a list"),
    ("A:\n  aliases: {x: 1}\n", "data/organisations.yaml:2: 'aliases' of 'A' must be a list of names, not a mapping"),
    ("A:\n  aliases:\n    - x\n    - [y]\n", "data/organisations.yaml:4: alias 2 of 'A' must be a name (text)"),
    ("A:\n  links:\n    website: ftp://x\n", "data/organisations.yaml:3: link 'website' of 'A' must be a web address"),
    ("A:\n  links:\n    site: https://a.org/\n    wikidata: 42\n",
     "data/organisations.yaml:4: wikidata '42' of 'A' is not a Wikidata id; write the id alone, e.g. wikidata: Q42"),
    ("A:\n  image: javascript:alert(1)\n", "data/organisations.yaml:2: image src 'javascript:alert(1)' of 'A' is not"),
    ("A:\n  born: [1990]\n", "data/organisations.yaml:2: 'born' of 'A' must be a year or a date as text"),
    ("A: {\n", "data/organisations.yaml:2: invalid YAML"),
])
def test_bad_entries_are_errors_at_their_line(text: str, expected: str) -> None:
    _, problems = _read(text)
    assert [m for m in _messages(problems) if m.startswith(expected)], _messages(problems)
    assert not problems[0].is_warning


def test_a_misspelt_key_is_kept_with_a_warning() -> None:
    data, problems = _read("A:\n  descripton: x\n")
    assert _messages(problems) == ["data/organisations.yaml:2: warning: unknown key 'descripton' in 'A' is kept as "
                                   "a free key; did you mean 'description'?"]
    assert dict(data.profiles[0].extra) == {"descripton": "x"}


def test_missing_data_files_are_fine_and_bad_ones_give_no_profiles(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("title: T\n")
    config = load_config(tmp_path)
    assert load_entities(config) == ({}, [])
    (tmp_path / "data").mkdir()
    (tmp_path / "data/people.yaml").write_text("Ann: {}\nBob:\n  aliases: [Ann]\n")
    (tmp_path / "data/organizations.yaml").write_text("X: {}\n")
    (tmp_path / "data/topics.yaml").write_bytes(b"\xff\xfe")
    entities, problems = load_entities(config)
    assert entities == {}
    assert sorted(_messages(problems)) == [
        "data/organizations.yaml:1: warning: no taxonomy reads this data file; rename it to organisations.yaml",
        "data/people.yaml:3: alias 'Ann' of 'Bob' is also an entry of its own (line 1); remove the alias, or move "
        "that entry's details into 'Bob' and delete it",
        "data/topics.yaml:1: data file is not UTF-8 text; save it as UTF-8",
    ]


ORGS = _read("Community Security Trust:\n  aliases: [CST]\nNobody Ltd: {}\n")[0]


def test_an_alias_lands_on_its_entry_and_counts_an_article_once() -> None:
    articles = [_article("a", "2015-01-01", organisations=("CST",)),
                _article("b", "2015-02-01", organisations=("cst",)),
                _article("c", "2015-03-01", organisations=("Community Security Trust", "CST"))]
    site = build_site(CONFIG, articles, {"organisations": ORGS})
    (term,) = site.taxonomies["organisations"].terms
    assert (term.name, term.slug, term.profile) == ("Community Security Trust", "community-security-trust",
                                                    ORGS.profiles[0])
    assert [a.title for a in term.articles] == ["c", "b", "a"]
    assert site.taxonomies["organisations"].terms_of(articles[2]) == (term,)


def test_entries_no_article_names_are_warnings() -> None:
    site = build_site(CONFIG, [_article("a", "2015-01-01", organisations=("CST",))], {"organisations": ORGS})
    assert _messages(unused_entry_warnings({"organisations": ORGS}, site)) == [
        "data/organisations.yaml:3: warning: 'Nobody Ltd' is named by no article, nor is any of its aliases; "
        "check the spelling against 'sitegen terms', or remove the entry"]


def test_connections_rank_terms_by_shared_articles() -> None:
    articles = [_article("a", "2015-01-01", people=("Ann", "Bob"), topics=("Tax",)),
                _article("b", "2015-01-02", people=("Ann", "Cy"), topics=("Tax",)),
                _article("c", "2015-01-03", people=("Ann", "Cy")),
                _article("d", "2015-01-04", people=("Bob", "Cy"))]
    site = build_site(CONFIG, articles)
    ann = site.taxonomies["people"].by_key["ann"]
    connections = [(taxonomy.name, [(t.name, n) for t, n in found]) for taxonomy, found in site.connections[ann]]
    assert connections == [("topics", [("Tax", 2)]), ("people", [("Cy", 2), ("Bob", 1)])]
    assert [(t.name, n) for t, n in connect_terms(site, 1)[ann][1][1]] == [("Cy", 2)]


def test_timeline_counts_per_month_including_empty_months() -> None:
    articles = [_article(str(i), date, people=("Ann",)) for i, date in
                enumerate(["2015-01-05", "2015-01-20", "2015-03-01", "2015-12-31"])]
    timeline = term_timeline(build_site(CONFIG, articles).taxonomies["people"].terms[0])
    assert timeline.unit == "month" and len(timeline.bars) == 12
    assert [(b.month, b.count, b.url) for b in timeline.bars if b.count] == [
        (1, 2, "2015/01/index.html"), (3, 1, "2015/03/index.html"), (12, 1, "2015/12/index.html")]
    assert timeline.max_count == 2 and timeline.bars[1].url == "" and timeline.bars[1].height == 0
    assert timeline.bars[0].height == 2 * timeline.bars[2].height == 100
    assert [(b.period, b.count_text) for b in timeline.bars if b.count] == [
        ("January 2015", "2 articles"), ("March 2015", "1 article"), ("December 2015", "1 article")]


def test_timeline_counts_per_year_past_three_years() -> None:
    articles = [_article(str(i), date, people=("Ann",)) for i, date in
                enumerate(["2010-06-01", "2010-07-01", "2014-01-01"])]
    timeline = term_timeline(build_site(CONFIG, articles).taxonomies["people"].terms[0])
    assert timeline.unit == "year"
    assert [(b.year, b.count, b.url) for b in timeline.bars] == [
        (2010, 2, "2010/index.html"), (2011, 0, ""), (2012, 0, ""), (2013, 0, ""), (2014, 1, "2014/index.html")]
    assert [b.period for b in timeline.bars] == ["2010", "2011", "2012", "2013", "2014"]
    assert all(0 <= b.x and b.x + b.width <= timeline.width for b in timeline.bars)


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<!-- x", "a & b", "\u2028", "\u2029",
                                  "<>&\u2028\u2029 all"])
def test_script_json_cannot_end_its_script_element(text: str) -> None:
    encoded = script_json({"headline": text})
    assert not any(c in encoded for c in "<>&\u2028\u2029")
    assert json.loads(encoded) == {"headline": text}
