"""The search files a dev server patches one document at a time equal a build from scratch."""
from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from sitegen.config import load_config
from sitegen.model import Body
from sitegen.search import iter_search_index_files, iter_search_store_files
from sitegen.search_analysis import Analyser
from sitegen.search_input import SearchDocument, SearchInput, SearchTaxonomy
from sitegen.search_resident import ResidentSearch
from support import REPO

WORDS = ("police patrol patrols patrolling jewish community communities security trust minister home office "
         "london paris attack attacks warned warning threat threats rowley may theresa mark zoë élan café "
         "1 2 2015 news report reports reporting").split()
SHARD_BYTES = 400  # small shards: many ranges of a few terms each


def _text(rng: random.Random, low: int, high: int) -> str:
    count = rng.randint(low, high)
    words = [rng.choice(WORDS) if rng.random() < 0.85 else f"w{rng.randrange(400)}" for _ in range(count)]
    return " ".join(words)


def _document(rng: random.Random, number: int, terms: tuple[tuple[int, ...], ...]) -> SearchDocument:
    body = _text(rng, 0, 60)
    return SearchDocument(_text(rng, 1, 6).title(), _text(rng, 0, 12), rng.choice(["", "The Times", "Le Monde"]),
                          datetime(2015, 1, 1 + number % 28, tzinfo=timezone.utc), f"articles/{number}.html",
                          Body.of(f"<p>{body}</p>", body), terms)


class _Corpus:
    """A search input whose documents can be replaced."""

    def __init__(self, seed: int, count: int) -> None:
        self.rng = random.Random(seed)
        self.taxonomies = (SearchTaxonomy("people", "Person", "People", (("Mark Rowley", "people/mark-rowley/"),
                                                                           ("Theresa May", "people/theresa-may/"))),
                           SearchTaxonomy("topics", "Topic", "Topics", (("Policing", "topics/policing/"),)))
        self.documents = [_document(self.rng, n, self._terms()) for n in range(count)]
        self.config = load_config(REPO)

    def _terms(self) -> tuple[tuple[int, ...], ...]:
        people = tuple(self.rng.sample([0, 1], self.rng.randint(0, 2)))
        return people, tuple(self.rng.sample([0], self.rng.randint(0, 1)))

    def source(self) -> SearchInput:
        return SearchInput(self.config, self.taxonomies, len(self.documents), lambda: iter(list(self.documents)))

    def edit(self, number: int) -> SearchDocument:
        """Document `number` with new text (its terms, which only a full build may change, kept)."""
        new = _document(self.rng, number, self.documents[number].terms)
        if self.rng.random() < 0.3:  # a small edit: one sentence added, or the body emptied
            old = self.documents[number]
            body = old.body.text + " " + _text(self.rng, 1, 5) if self.rng.random() < 0.7 else ""
            new = SearchDocument(old.title, old.summary, old.source, old.date, old.url, Body.of(body, body), old.terms)
        self.documents[number] = new
        return new


def _from_scratch(source: SearchInput) -> dict[str, bytes]:
    return {**dict(iter_search_index_files(source, shard_bytes=SHARD_BYTES, analyser=Analyser())),
            **dict(iter_search_store_files(source))}


@pytest.mark.parametrize("seed", range(6))
def test_replacing_documents_one_at_a_time_gives_the_files_of_a_build_from_scratch(seed: int) -> None:
    corpus = _Corpus(seed, 40)
    resident = ResidentSearch(corpus.source(), Analyser(), shard_bytes=SHARD_BYTES)
    files = dict(resident.files())
    assert files == _from_scratch(corpus.source())
    moved_terms = 0
    for _ in range(12):
        number = corpus.rng.randrange(len(corpus.documents))
        source_changed = corpus.documents[number].source
        document = corpus.edit(number)
        made, removed = resident.replace(number, document, facets=document.source != source_changed)
        assert not removed & {url for url, _ in made}
        for url in removed:
            del files[url]
        files.update(made)
        expected = _from_scratch(corpus.source())
        assert sorted(files) == sorted(expected)
        for url, data in expected.items():
            assert files[url] == data, url
        moved_terms += "search/lexicon.js" in dict(made)
        # Only what the edit touched is made again: never most of the shards.
        assert len([url for url, _ in made if url.startswith("search/terms/")]) < len(
            [url for url in files if url.startswith("search/terms/")])
    assert moved_terms  # the edits made terms come and go


def test_a_document_whose_first_use_of_a_term_goes_hands_it_to_the_next() -> None:
    corpus = _Corpus(99, 6)
    for number, text in enumerate(["alpha beta", "gamma beta", "beta alpha delta", "delta", "alpha", "omega"]):
        old = corpus.documents[number]
        corpus.documents[number] = SearchDocument("T", "", "", old.date, old.url, Body.of(text, text), old.terms)
    resident = ResidentSearch(corpus.source(), Analyser(), shard_bytes=SHARD_BYTES)
    files = dict(resident.files())
    for number, text in [(0, "beta"), (2, "omega beta"), (0, "alpha alpha beta gamma"), (5, "")]:
        old = corpus.documents[number]
        corpus.documents[number] = SearchDocument("T", "", "", old.date, old.url, Body.of(text, text), old.terms)
        made, removed = resident.replace(number, corpus.documents[number])
        for url in removed:
            del files[url]
        files.update(made)
        assert files == _from_scratch(corpus.source()), (number, text)


def test_a_longer_title_changes_the_entries_of_the_words_it_kept() -> None:
    # A title's terms carry its length in their entries (only body lengths are in length
    # files): "alpha" keeps its count and first use (document 0) but its entry changes.
    corpus = _Corpus(98, 4)
    body = " ".join(f"w{n}" for n in range(150))  # many terms, so many ranges of shards
    for number, title in enumerate(["Alpha", "Beta", "Alpha Beta", "Gamma"]):
        old = corpus.documents[number]
        corpus.documents[number] = SearchDocument(title, "", "", old.date, old.url, Body.of(body, body), old.terms)
    resident = ResidentSearch(corpus.source(), Analyser(), shard_bytes=SHARD_BYTES)
    files = dict(resident.files())
    old = corpus.documents[2]
    corpus.documents[2] = SearchDocument("Alpha Beta Zulu", "", "", old.date, old.url, old.body, old.terms)
    made, removed = resident.replace(2, corpus.documents[2])
    files.update(made)
    assert not removed and files == _from_scratch(corpus.source())
