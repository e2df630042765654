"""Plain-text articles, encodings, dates in text, and plain text escaped as Markdown."""
from __future__ import annotations

import codecs
from datetime import date

import pytest
from hypothesis import given, strategies as st

from sitegen.importer.dates import dateline_date, find_dates
from sitegen.importer.decode import DecodeError, decode_text
from sitegen.importer.draft import Draft, Unreadable
from sitegen.importer.escape import escape_markdown
from sitegen.importer.text import read_text_article
from sitegen.markdown import render_body
from support import FIXTURES

TEXT = FIXTURES / "import" / "text"


def _read(text: str, image_lines: int = 0) -> Draft:
    draft = read_text_article(text, "a.txt", text.encode(), image_lines)
    assert isinstance(draft, Draft), draft
    return draft


def test_a_short_first_line_without_a_full_stop_is_the_headline() -> None:
    draft = _read("Ferry fares frozen\n\nFares will not rise.\n\nThe board said so.\n")
    assert draft.title == "Ferry fares frozen"
    assert draft.body == "Fares will not rise.\n\nThe board said so."


@pytest.mark.parametrize("first", [
    "Police are to increase their patrols, police have said.",  # a sentence
    "armed police",  # no capital: an image line or a fragment
    " ".join(["Word"] * 21),  # too long
])
def test_a_first_line_that_does_not_look_like_a_headline_stays_in_the_body(first: str) -> None:
    draft = _read(f"{first}\n\nSecond paragraph.\n")
    assert draft.title == ""
    assert draft.body.startswith(first[:10])


def test_two_image_lines_give_alt_caption_and_credit() -> None:
    draft = _read("armed police\nPolice said there is concern Reuters\n\nPolice are to increase patrols.\n", 2)
    assert (draft.image.alt, draft.image.caption, draft.image.credit) == \
        ("armed police", "Police said there is concern", "Reuters")
    assert draft.title == "" and draft.body == "Police are to increase patrols."


def test_one_image_line_is_alt_text_only() -> None:
    draft = _read("A harbour at dawn\nHarbour news\n\nBody text here.\n", 1)
    assert (draft.image.alt, draft.image.caption, draft.title) == ("A harbour at dawn", "", "Harbour news")


def test_missing_image_lines_are_unreadable() -> None:
    result = read_text_article("only line\n", "a.txt", b"", 2)
    assert isinstance(result, Unreadable) and "--image-lines 2" in result.reason


def test_byline_and_dateline_below_the_headline_are_read_and_removed() -> None:
    draft = _read("Choir sings\nBy Priya Shah and Jonas Berg, Arts Staff\n\nFriday 5 April 2016, 09:30\n\nText.\n")
    assert draft.byline == ("Priya Shah", "Jonas Berg")
    assert draft.when == date(2016, 4, 5)
    assert draft.body == "Text."
    assert "dateline" in draft.notes[0]


def test_a_date_in_the_body_is_used_and_noted() -> None:
    draft = _read("Fair returns\n\nThe fair, first held on 3 June 1990, returns.\n")
    assert draft.when == date(1990, 6, 3)
    assert "taken from '3 June 1990' in the text; check it" in draft.notes[0]


def test_text_without_paragraphs_is_unreadable() -> None:
    assert isinstance(read_text_article("Just a headline\n", "a.txt", b""), Unreadable)


def test_dates_in_text() -> None:
    found = find_dates("On 16 January 2015, then Jan. 3rd, 2016, then 2014-12-01, not 2015-02-30 or May 2015.")
    assert [f.day for f in found] == [date(2015, 1, 16), date(2016, 1, 3), date(2014, 12, 1)]
    assert dateline_date("Published: Friday 16 January 2015 09:30 GMT").day == date(2015, 1, 16)
    assert dateline_date("It rained on 16 January 2015") is None


def test_utf8_is_read_as_utf8() -> None:
    decoded = decode_text("Zoë\r\nline".encode())
    assert (decoded.text, decoded.encoding, decoded.is_detected) == ("Zoë\nline", "utf-8", False)


def test_latin1_fixture_is_detected_and_decoded() -> None:
    decoded = decode_text((TEXT / "cafe-award-latin1.txt").read_bytes())
    assert decoded.is_detected and decoded.encoding == "cp1252"
    assert "Café Crème" in decoded.text and "déjà vu" in decoded.text and "£1,200" in decoded.text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark(codec: str) -> None:
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    decoded = decode_text(bom + "“Every seat”, £3,400".encode(codec))
    assert decoded.text == "“Every seat”, £3,400" and decoded.is_detected


def test_utf16_fixture() -> None:
    decoded = decode_text((TEXT / "choir-concert-utf16.txt").read_bytes())
    assert decoded.encoding == "utf-16" and decoded.text.startswith("Choir sings for the harbour appeal\n")


def test_binary_is_refused_and_stray_control_characters_dropped() -> None:
    with pytest.raises(DecodeError):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert decode_text(("Headline\x07 here " + "x" * 200).encode()).text.startswith("Headline here")


@pytest.mark.parametrize("text, html", [
    ("1984. A year", "<p>1984. A year</p>"),
    ("# not a heading", "<p># not a heading</p>"),
    ("- not a list\n+ nor this", "<p>- not a list\n+ nor this</p>"),
    ("*not emphasis* and a_b_c", "<p>*not emphasis* and a_b_c</p>"),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("[a link](https://x.example) &amp; `code`", "<p>[a link](https://x.example) &amp;amp; `code`</p>"),
    ("a | b\n-|-", "<p>a | b\n-|-</p>"),  # not a table
])
def test_escaped_text_renders_as_itself(text: str, html: str) -> None:
    assert render_body(escape_markdown(text))[0].strip() == html


# Typographer replacements (quotes, dashes, ellipses, (c)) are the site's style, not markup: left out.
_ALPHABET = st.sampled_from(list("ab1 \n\t#*_`[]<>!&;|~=+-\\:/x"))


@given(st.text(_ALPHABET, max_size=40).filter(lambda t: "--" not in t and "+-" not in t))
def test_any_escaped_text_renders_as_the_same_text(text: str) -> None:
    rendered, plain = render_body(escape_markdown(text))
    assert plain == " ".join(text.split())
    assert rendered.replace("<p>", "").replace("</p>", "").count("<") == 0
