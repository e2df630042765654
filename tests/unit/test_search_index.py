"""The fast index builder equals plain lunr.py; folding, stemming and shard cutting (issues 3, 7)."""
from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Iterable

import numpy as np
import pytest

from sitegen import search, search_index, search_ranges, search_shards
from sitegen.search_index import (K1, B, IndexField, bm25_thousandths, build_index, count_index, exact_thousandths,
                                  fold_term, lunr_builder, stem)
from sitegen.model import Body
from sitegen.search_analysis import Analyser
from sitegen.search_ranges import cut_shards
from sitegen.search_shards import data_file, shard_entries

FIELDS = (IndexField("title", 10), IndexField("people", 5), IndexField("summary", 2), IndexField("body"),
          IndexField("source", 2))
HANDMADE = [
    {"title": "Police to increase patrols", "people": "Mark Rowley Theresa May", "summary": "",
     "body": "Police are to increase their patrols - Rowley’s officers said. Patrolling, patrolled, PATROLS!",
     "source": "The Independent"},
    {"title": "Société Générale fined", "people": "Zoë Martin", "summary": "The bank's fine.",
     "body": "Regulators fined Société Générale; Zoë Martin led the inquiry. «Quotes» and — dashes —\u00a0here.",
     "source": ""},
    {"title": "", "people": "", "summary": "", "body": "", "source": ""},
    {"title": "The the the and of", "people": "O'Brien", "summary": "a an",
     "body": "Lay try cry by say relational generalization straße ﬁnance İstanbul ΣΟΦΟΣ 😀 x_y_ _z_ ½",
     "source": "Le Monde"},
]


def _plain_lunr(documents: list[dict[str, str]]) -> dict:
    builder = lunr_builder(FIELDS)
    for number, document in enumerate(documents):
        builder.add({"ref": str(number), **document})
    return builder.build().serialize()


def _fast(documents: list[dict[str, str]]) -> dict:
    return build_index(FIELDS, [str(n) for n in range(len(documents))], documents).serialize()


def _random_corpus(seed: int, count: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    words = ("police patrol patrols patrolling rowley budget bank banks voting vote élection société "
             "zoë café the and of a to in it's o'brien's state-owned co-operate «quoted» 2015 £1.2bn").split()
    def text(low: int, high: int) -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(low, high)))
    return [{"title": text(2, 8), "people": text(0, 4), "summary": text(0, 20), "body": text(0, 200),
             "source": rng.choice(["", "The Guardian", "Le Monde"])} for _ in range(count)]


@pytest.mark.parametrize("documents", [HANDMADE, _random_corpus(1, 60), _random_corpus(2, 5)],
                         ids=["handmade", "random-60", "random-5"])
def test_fast_builder_serialises_exactly_like_plain_lunr_py(documents: list[dict[str, str]]) -> None:
    assert json.dumps(_fast(documents)) == json.dumps(_plain_lunr(documents))


@pytest.mark.parametrize("at_once", [1, 7])
def test_working_a_few_postings_at_a_time_gives_the_same_index(monkeypatch: pytest.MonkeyPatch, at_once: int) -> None:
    # At 100,000 articles terms are numbered and postings scored a block at a time; a term
    # first met in a later block (or a later field) must still get lunr's number.
    documents = _random_corpus(1, 60)
    monkeypatch.setattr(search_index, "_AT_ONCE", at_once)
    assert json.dumps(_fast(documents)) == json.dumps(_plain_lunr(documents))


def test_an_empty_corpus_builds() -> None:
    # lunr.py divides by zero here; a new archive with no articles must still build.
    index = _fast([])
    assert index["invertedIndex"] == [] and index["fieldVectors"] == []


@pytest.mark.parametrize(("token", "term"), [
    ("Zoë", "zoe"), ("SOCIÉTÉ", "societe"), ("Rowley’s", "rowley"), ("rowley's,", "rowley"),
    ("«Paris»", "paris"), ("Straße", "strasse"), ("ﬁnance", "finance"), ("Łódź", "lodz"),
    ("—", ""), ("'s", "s"), ("😀a", "a"), ("x.'s", "x"), ("O'Brien", "o'brien"),
])
def test_fold_term(token: str, term: str) -> None:
    assert fold_term(token) == term


@pytest.mark.parametrize(("word", "expected"), [
    ("lay", "lay"), ("try", "tri"), ("police", "polic"), ("patrols", "patrol"), ("generalization", "gener"),
    ("relational", "relat"), ("yelling", "yell"), ("by", "by"),
])
def test_stem_matches_lunr_js(word: str, expected: str) -> None:
    # lunr.py's own stemmer gives "lai" and "try" for the first two; lunr.js gives these.
    assert stem(word) == expected


def test_scores_next_to_a_half_thousandth_round_as_lunr_rounds() -> None:
    # Find the idf where lunr's score flips from 0.123 to 0.124, then check 200 idf values
    # around it, one bit apart: there x 1000 rounded to an integer is closest to differing
    # from Python's decimal rounding to 3 places, and bm25_thousandths must fall back to it.
    length, average, boost = 7, 5.0, 10.0
    norm = K1 * (1 - B + B * (length / average))
    exact = lambda idf: exact_thousandths(idf * ((K1 + 1) * 1) / (norm + 1) * boost)  # noqa: E731
    low, high = (x / ((K1 + 1) / (norm + 1) * boost) for x in (0.1234, 0.1236))
    assert (exact(low), exact(high)) == (123, 124)
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if exact(middle) == 123 else (low, middle)
    idfs = [low]
    for _ in range(100):
        idfs[0] = math.nextafter(idfs[0], 0.0)
    for _ in range(199):
        idfs.append(math.nextafter(idfs[-1], 1.0))
    fast = bm25_thousandths(np.array(idfs), np.ones(200), np.full(200, norm), boost)
    assert fast.tolist() == [exact(idf) for idf in idfs]
    assert set(fast.tolist()) == {123, 124}


def test_shards_cut_sorted_terms_into_contiguous_ranges() -> None:
    index = build_index(FIELDS, [str(n) for n in range(60)], _random_corpus(3, 60))
    shards = list(cut_shards(shard_entries(index), shard_bytes=300))
    assert len(shards) > 3
    firsts = [s.first_term for s in shards]
    assert firsts[0] == "" and firsts == sorted(firsts)
    held = [entry[0] for shard in shards for entry in json.loads(shard.text)]
    assert held == sorted(index.first_uses)
    for shard, following in zip(shards, firsts[1:] + [None]):
        terms = [entry[0] for entry in json.loads(shard.text)]
        assert all(shard.first_term <= t and (following is None or t < following) for t in terms)
    assert len(list(cut_shards(shard_entries(index), shard_bytes=10**9))) == 1


def test_where_shards_end_does_not_move_when_an_earlier_entry_grows() -> None:
    # An edited article changes the entries of its own terms. The shards after them must stay
    # as they were (same first terms, same text), or every later shard would be rewritten.
    entries = [(f"term{n:05d}", "x" * random.Random(n).randint(20, 400)) for n in range(3000)]
    before = list(cut_shards(entries, shard_bytes=6000))
    grown = list(entries)
    grown[400] = (grown[400][0], grown[400][1] * 8)
    after = list(cut_shards(grown, shard_bytes=6000))
    assert len(before) > 40
    changed = set(before) ^ set(after)
    assert 1 <= len({shard.first_term for shard in changed}) <= 4, "more than the grown entry's shards changed"
    assert all(shard.first_term < "term00600" for shard in changed)
    ends = {shard.first_term for shard in before if search_ranges.starts_range(shard.first_term, 6000)}
    assert 3 <= len(ends) < len(before) / 2  # shards are cut in ranges, which a few picked terms start
    sizes = [len(shard.text) for shard in before]
    assert max(sizes) <= 2 * 6000 + 2 * 400 + 2


def test_shards_are_named_by_their_first_term() -> None:
    names = [search_shards.shard_name(term) for term in ("", "a", "polic", "a")]
    assert len(set(names)) == 3 and names[1] == names[3] and all(len(name) == 16 for name in names)


def test_two_shards_given_one_name_fail_rather_than_overwrite_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_shards, "shard_name", lambda first_term: "same")
    index = build_index(FIELDS, [str(n) for n in range(60)], _random_corpus(3, 60))
    with pytest.raises(ValueError, match="same file name"):
        list(search_shards.iter_shard_files(index, cut_shards(shard_entries(index), shard_bytes=300), {}))


@pytest.mark.parametrize("written_at_once", [1 << 20, 7, 1])
def test_shard_entries_decode_to_the_postings(monkeypatch: pytest.MonkeyPatch, written_at_once: int) -> None:
    # Entries are written from whole arrays of digits, a block of terms at a time; decoded they
    # must give every field's documents and scores back, for fields a term is missing from too
    # (most, for `source`).
    monkeypatch.setattr(search_shards, "_WRITTEN_AT_ONCE", written_at_once)
    documents = _random_corpus(5, 80) + [dict(HANDMADE[0], body=" ".join(["patrol"] * 12_345))]
    index = build_index(FIELDS, [str(n) for n in range(81)], documents)
    entries = list(shard_entries(index))
    assert [term for term, _ in entries] == sorted(index.first_uses)
    for term, entry in entries:
        decoded = json.loads(entry)
        assert decoded[:2] == [term, index.first_uses[term]]
        assert len(decoded) == 2 + len(FIELDS)
        for field, lengths, numbers, (docs, counts) in zip(FIELDS, index.lengths, decoded[2:], index.postings_of(term)):
            parts = 2 if field.name in search_shards.LENGTH_FILE_FIELDS else 3  # and each document's length
            size = len(numbers) // parts
            assert list(itertools.accumulate(numbers[:size])) == docs and numbers[size:2 * size] == counts
            assert parts == 2 or numbers[2 * size:] == lengths[docs].tolist()
    assert max(max(counts, default=0) for _, counts in index.postings_of("patrol")) == 12_345


def test_data_file_is_one_call_with_safe_line_separators() -> None:
    data = data_file("docs/3", {"title": "a\u2028b </script>"})
    text = data.decode("utf-8")
    assert text.startswith('sitegenSearchData("docs/3",') and text.endswith(");\n")
    assert "\u2028" not in text and "\\u2028" in text
    assert json.loads(text[len('sitegenSearchData("docs/3",'):-3]) == {"title": "a\u2028b </script>"}


def test_index_parts_join_to_the_whole_index() -> None:
    documents = _random_corpus(5, 80)
    refs = [str(n) for n in range(80)]
    whole = list(shard_entries(build_index(FIELDS, refs, documents)))
    for count in (2, 3):
        parts = [list(shard_entries(build_index(FIELDS, refs, documents, part=(k, count)))) for k in range(count)]
        assert all(parts)
        assert [entry for part in parts for entry in part] == whole


def test_making_postings_in_passes_gives_the_same_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _random_corpus(9, 60)
    refs = [str(n) for n in range(60)]
    whole = list(shard_entries(build_index(FIELDS, refs, documents)))
    monkeypatch.setattr(search, "POSTINGS_PER_PASS", 150)  # a few hundred postings: several passes
    counted = count_index(FIELDS, refs, documents)
    assert counted.postings > 3 * 150
    assert _entries(search.shard_items(counted, release=True)[1]) == whole
    parts = [item for k in range(2) for item in search.part_items(count_index(FIELDS, refs, documents), (k, 2))]
    assert _entries(parts) == whole


def _entries(items: Iterable[search_shards.Item]) -> list[tuple[str, str]]:
    return [item for item in items if type(item) is tuple]


def _shard_files(documents: list[dict[str, str]], known: search_shards.ShardTable | None, part: tuple[int, int],
                 table: search_shards.ShardTable) -> dict[str, bytes | search_shards.Kept]:
    """The term shard files of `documents` cut small, in `part[1]` parts, keeping what `known` has."""
    refs = [str(n) for n in range(len(documents))]
    items = []
    for k in range(part[1]):
        index, made = search.shard_items(count_index(FIELDS, refs, documents), (k, part[1]), known=known,
                                         shard_bytes=400)
        items.extend(made)
    shards = search_ranges.cut_shards(items, shard_bytes=400)
    return {url: data for url, data in search_shards.iter_shard_files(index, shards, {}, table)
            if url.startswith("search/terms/")}


@pytest.mark.parametrize("parts", [1, 2])
@pytest.mark.parametrize("per_pass", [10**9, 300])
def test_a_rebuild_keeps_the_shards_of_ranges_whose_postings_did_not_change(
        monkeypatch: pytest.MonkeyPatch, parts: int, per_pass: int) -> None:
    # Shards are cut in ranges of terms; the last build's table names each range's postings
    # digest and shards, and a rebuild keeps the shards of a range with the same postings. The
    # files must be those a build from scratch makes, whatever the passes and parts.
    monkeypatch.setattr(search, "POSTINGS_PER_PASS", per_pass)
    documents = _random_corpus(4, 80) + [dict(HANDMADE[0])]
    table: search_shards.ShardTable = {}
    first = _shard_files(documents, None, (0, parts), table)
    assert len(table) > 5 and all(type(data) is bytes for data in first.values())
    documents[30] = dict(documents[30], body=documents[30]["body"] + " zoë quoted")
    scratch = _shard_files(documents, None, (0, parts), {})
    again: search_shards.ShardTable = {}
    rebuilt = _shard_files(documents, table, (0, parts), again)
    kept = {url for url, data in rebuilt.items() if type(data) is search_shards.Kept}
    # Ranges that cross a pass (or a part) are made again; in one pass most are kept.
    assert len(kept) > (len(rebuilt) / 2 if per_pass > _counted_postings(documents) else 0)
    assert set(rebuilt) == set(scratch)
    for url, data in rebuilt.items():
        assert (first[url] if url in kept else data) == scratch[url], url
    assert again == _table_of(documents, parts)


def _counted_postings(documents: list[dict[str, str]]) -> int:
    return count_index(FIELDS, [str(n) for n in range(len(documents))], documents).postings


def _table_of(documents: list[dict[str, str]], parts: int) -> search_shards.ShardTable:
    table: search_shards.ShardTable = {}
    _shard_files(documents, None, (0, parts), table)
    return table


def test_documents_may_be_a_generator_but_one_per_ref() -> None:
    documents = _random_corpus(4, 6)
    refs = [str(n) for n in range(6)]
    streamed, listed = (count_index(FIELDS, refs, given).lengths for given in (iter(documents), documents))
    assert [field.tolist() for field in streamed] == [field.tolist() for field in listed]
    with pytest.raises(ValueError):
        count_index(FIELDS, refs + ["6"], iter(documents))


def test_an_analyser_kept_between_builds_gives_the_same_index() -> None:
    analyser = Analyser()
    for round_number in range(6):  # articles come and go, so the kept terms get renumbered too
        documents = _random_corpus(10 + round_number, 30) + _random_corpus(7, 30)[round_number * 5:]
        refs = [str(n) for n in range(len(documents))]
        before = analyser.added
        remembered = build_index(FIELDS, refs, documents, analyser).serialize()
        assert analyser.added - before == (60 if round_number == 0 else 30)  # only new documents analysed
        assert remembered == build_index(FIELDS, refs, documents).serialize()
        analyser = analyser.kept()


def test_packed_bodies_index_as_their_text_and_known_ones_are_never_unpacked(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _random_corpus(12, 40)
    refs = [str(n) for n in range(40)]
    packed = [{**document, "body": Body.of(f"<p>{document['body']}</p>", document["body"])} for document in documents]
    analyser = Analyser()
    assert build_index(FIELDS, refs, packed, analyser).serialize() == build_index(FIELDS, refs, documents).serialize()
    monkeypatch.setattr(Body, "text", property(lambda body: pytest.fail("a known body was unpacked")))
    analyser.used.clear()
    assert build_index(FIELDS, refs, packed, analyser).serialize() == build_index(FIELDS, refs, documents).serialize()
    assert analyser.added == 40  # the second time, every document was known


@pytest.mark.parametrize("seed", range(3))
def test_ascii_tokens_fold_like_any_other(seed: int) -> None:
    # An ASCII token takes a short path; a combining mark (which folding drops) sends the
    # same token down the general one.
    rng = random.Random(seed)
    alphabet = [chr(code) for code in range(128)] + ["'s"] * 20
    for _ in range(3000):
        token = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert fold_term(token) == fold_term(token + "\u0301")


@pytest.mark.parametrize("high", [10, 1 << 16, 1 << 20, (1 << 32) - 1])
def test_stable_order_is_a_stable_argsort(high: int) -> None:
    keys = np.random.default_rng(high % 1000).integers(0, high, 5000, dtype=np.int64)
    keys[:50] = keys[50:100]  # ties
    assert np.array_equal(search_index.stable_order(keys), np.argsort(keys, kind="stable"))
    assert len(search_index.stable_order(keys[:0])) == 0
