"""Content files written by `sitegen import` read back through sitegen's own loader."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import example, given, settings, strategies as st

from sitegen.config import Config
from sitegen.importer.archive import text_hash
from sitegen.importer.draft import DraftImage
from sitegen.importer.writer import ArticleFile, distinct_slug, render_article_file
from sitegen.loader import parse_article
from sitegen.slugs import name_key, normalise_name, slugify

CONFIG = Config(root=Path("/site"))
# Text a headline or name could hold: any letters, marks, punctuation and spaces, but no control
# characters (decoding drops them) and no surrogates (not text).
_NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40) \
    .map(normalise_name).filter(bool)


def _load(text: str):
    result = parse_article(text.encode("utf-8"), "content/2015/01/x.md", CONFIG)
    assert result.article is not None, [p.format() for p in result.problems]
    assert [p.format() for p in result.problems] == []
    return result.article


@settings(max_examples=150, deadline=None)
@given(title=_NAME, caption=_NAME, credit=_NAME, person=_NAME, byline=st.lists(_NAME, min_size=1, max_size=3))
@example(title="0", caption="0", credit="0", person="0", byline=["P", "p", "P"])  # one name in two spellings
def test_any_headline_and_names_round_trip(title: str, caption: str, credit: str, person: str,
                                           byline: list[str]) -> None:
    body = "Police are to increase their patrols."
    text = render_article_file(ArticleFile(
        title=title, when=date(2015, 1, 16), body=body, import_hash=text_hash(body), slug=slugify(title),
        source_name=credit, byline=tuple(byline), image=DraftImage(alt=title, caption=caption, credit=credit),
        terms={"people": (person,)}))
    article = _load(text)
    assert (article.title, article.source, article.image.caption, article.image.credit) == (title, credit, caption, credit)
    keys = [name_key(name) for name in byline]
    first_spellings = tuple(name for index, name in enumerate(byline) if keys.index(keys[index]) == index)
    assert article.byline == first_spellings and article.terms["people"] == (person,)
    assert article.slug == slugify(title) and article.extra["import_hash"] == text_hash(body)


def test_front_matter_looks_hand_written() -> None:
    text = render_article_file(ArticleFile(
        title="Police: patrols up", when=date(2015, 1, 16), body="Body.\n", import_hash="sha256:ab",
        slug="police-patrols-up-2", source_name="The Independent", image=DraftImage(alt="armed police"),
        terms={"topics": (), "people": ("Mark Rowley", "Theresa May")}))
    assert text == ("---\ntitle: 'Police: patrols up'\ndate: 2015-01-16\nsource: The Independent\n"
                    "image:\n  alt: armed police\npeople:\n  - Mark Rowley\n  - Theresa May\n"
                    "slug: police-patrols-up-2\nimport_hash: sha256:ab\n---\nBody.\n")
    assert _load(text).slug == "police-patrols-up-2"


def test_a_time_keeps_its_zone() -> None:
    when = datetime(2016, 8, 14, 18, 40, tzinfo=timezone.utc)
    text = render_article_file(ArticleFile(title="T", when=when, body="B", import_hash="h", slug="t"))
    assert _load(text).date == when


def test_distinct_slug() -> None:
    assert distinct_slug("budget", set()) == "budget"
    assert distinct_slug("budget", {"budget", "budget-2"}) == "budget-3"


def test_text_hash_is_of_the_visible_words_only() -> None:
    assert text_hash("A  \\*b\\*\r\n\nc\n") == text_hash("A \\*b\\* c")  # spacing and paragraphs
    assert text_hash("A *b*\nc") == text_hash("A b c")  # emphasis is not a word
    assert text_hash("A b c") != text_hash("A b d")
