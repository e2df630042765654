"""`sitegen terms`: likely duplicates differing in case, accents, punctuation, 'the' or initials."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from sitegen.config import Config
from sitegen.model import Article
from sitegen.taxonomy import build_site
from sitegen.terms_report import likely_duplicates, terms_report

CONFIG = Config(root=Path("/nonexistent"))


def _site(*names: str, taxonomy: str = "organisations"):
    articles = [Article(source_file=f"content/{i}.md", title=str(i), slug=str(i), summary="",
                        date=datetime(2015, 1, 1 + i, tzinfo=timezone.utc), terms={taxonomy: (name,)})
                for i, name in enumerate(names)]
    return build_site(CONFIG, articles)


def _pairs(*names: str, taxonomy: str = "organisations") -> list[tuple[str, str, str]]:
    site = _site(*names, taxonomy=taxonomy)
    return [(d.kept.name, d.other.name, d.reason) for d in likely_duplicates(site.taxonomies[taxonomy])]


@pytest.mark.parametrize("names, expected", [
    (("Société Générale", "Societe Generale", "Société Générale"),
     [("Société Générale", "Societe Generale", "accents")]),
    (("The Guardian", "Guardian", "Guardian"), [("Guardian", "The Guardian", "a leading or trailing 'the'")]),
    (("BBC News", "bbc news"), []),  # one term already: names differing only in case are merged
    (("Societe generale", "Société Générale", "Société Générale"),
     [("Société Générale", "Societe generale", "case, accents")]),
    (("Met Police", "Met. Police"), [("Met Police", "Met. Police", "punctuation")]),
    (("Community Security Trust", "CST"), [("CST", "Community Security Trust", "initials")]),
    (("Trust for Community Security", "TCS"), [("TCS", "Trust for Community Security", "initials")]),
])
def test_likely_duplicates_are_flagged_with_the_difference(names, expected) -> None:
    assert _pairs(*names) == expected


def test_initials_match_a_full_name_but_not_another_full_name() -> None:
    assert _pairs("Mark Rowley", "M. Rowley", "Matt Rowley", "Mark Rowley", taxonomy="people") == [
        ("M. Rowley", "Matt Rowley", "initials"), ("Mark Rowley", "M. Rowley", "initials")]


@pytest.mark.parametrize("names", [("Mark Rowley", "Matt Rowley"), ("Community Security Trust", "Crown Service Team"),
                                   ("Paris", "Parish"), ("CST", "Customs")])
def test_different_names_are_not_flagged(names) -> None:
    assert _pairs(*names) == []


def test_the_report_lists_terms_with_counts_files_and_spellings() -> None:
    site = _site("Met Police", "met police", "Met Police", "Guardian")
    lines = terms_report(site, [], ["organisations"])
    assert lines[:7] == ["organisations: 2 terms", "  Guardian: 1 article", "    content/3.md",
                         "  Met Police: 3 articles", "    also written: met police (1)", "    content/0.md",
                         "    content/1.md"]
    assert "likely duplicates: none" in lines and "data entries naming no term: none" in lines
