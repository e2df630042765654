"""Tagging with names the archive knows: word boundaries, case, aliases, longest name first."""
from __future__ import annotations

import importlib.util

import pytest

from sitegen.entities import read_entities
from sitegen.importer.ner import load_recogniser
from sitegen.importer.tagging import collect_known_names, find_tags, merge_names

IN_USE = {"people": ["Theresa May", "Mark Rowley", "May"], "topics": ["Policing", "Paris attacks"],
          "organisations": ["CST"]}
DATA = "Community Security Trust:\n  aliases: [CST, The CST]\n"


def _known():
    data, problems = read_entities(DATA, "data/organisations.yaml", "organisations")
    assert problems == []
    return collect_known_names(IN_USE, {"organisations": data})


def test_names_are_found_on_word_boundaries_in_order_of_mention() -> None:
    tags = find_tags("Mark Rowley said... Home Secretary Theresa May agreed. Mayfair and Rowleys are not names.",
                     _known())
    assert tags["people"] == ("Mark Rowley", "Theresa May")  # "May" alone is inside "Theresa May" only


def test_names_are_case_sensitive_topics_are_not() -> None:
    tags = find_tags("theresa may met the police; policing after the paris attacks", _known())
    assert "people" not in tags
    assert tags["topics"] == ("Policing", "Paris attacks")


def test_aliases_in_data_files_tag_the_canonical_name() -> None:
    tags = find_tags("The charity (CST) said", _known())
    assert tags["organisations"] == ("Community Security Trust",)
    assert find_tags("Community  Security\nTrust patrols", _known())["organisations"] == ("Community Security Trust",)


def test_nothing_known_tags_nothing() -> None:
    assert find_tags("Mark Rowley", collect_known_names({}, {})) == {}


def test_merge_names_keeps_order_and_drops_repeats() -> None:
    assert merge_names(["Policing", "Terrorism"], ["policing", "Zoë  Ball"]) == ("Policing", "Terrorism", "Zoë Ball")


@pytest.mark.skipif(importlib.util.find_spec("spacy") is not None, reason="spaCy is installed here")
def test_without_spacy_tagging_says_it_used_known_names_only() -> None:
    recognise, how = load_recogniser(["people"])
    assert recognise is None
    assert how.startswith("tagged by names already known to the archive only")
    assert "pip install 'sitegen[ner]'" in how
