"""Saved web pages and JSON Lines exports read into drafts."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest

from sitegen.errors import SitegenError
from sitegen.importer.draft import Draft, Unreadable
from sitegen.importer.html import read_html_article
from sitegen.importer.jsonl import parse_field_map
from sitegen.importer.jsonl import read_jsonl_articles as read_jsonl
from sitegen.markdown import render_body
from support import FIXTURES

HTML = FIXTURES / "import" / "html"
TAXONOMIES = ("topics", "people", "organisations")


def _page(body: str, head: str = "") -> str:
    return f"<html><head><title>Bakery closes</title>{head}</head><body><article><h1>Bakery closes</h1>" \
           f"{body}</article><footer>© 2024 Town News</footer></body></html>"


def _html(text: str) -> Draft:
    draft = read_html_article(text, "page.html", text.encode())
    assert isinstance(draft, Draft), draft
    return draft


LONG = "<p>The bakery on Mill Street closed its doors for the last time after forty years of trading.</p>"


def test_fixture_page_gives_headline_byline_date_url_and_image() -> None:
    draft = _html((HTML / "ferry-fares.html").read_text(encoding="utf-8"))
    assert draft.title == "Harbour ferry fares frozen for winter"
    assert (draft.byline, draft.when, draft.source_name) == (("Ruth Alder",), date(2016, 11, 3), "The Coastal Gazette")
    assert draft.original_url == "https://gazette.example/news/2016/11/harbour-ferry-fares"
    assert draft.image.src == "https://gazette.example/img/ferry.jpg"
    assert draft.body.startswith("Fares on the [harbour ferry](https://gazette.example/ferries/timetable) will not")
    assert "*Eastport Harbour Board*" in draft.body and "**£40,000**" in draft.body
    assert "Home" not in draft.body and "Another story" not in draft.body
    assert not draft.body.startswith("#")  # the headline is not repeated in the body


def test_relative_and_unsafe_links_keep_only_their_text_without_a_base() -> None:
    draft = _html(_page(LONG + '<p>See <a href="/appeal">the appeal</a> and <a href="javascript:alert(1)">this'
                        '</a> or <a href="https://x.example/a b(c)">that</a> for more on the shop closing.</p>'))
    assert "See the appeal and this or [that](https://x.example/a%20b%28c%29) for more" in draft.body


def test_a_copyright_year_is_not_taken_for_the_date() -> None:
    assert _html(_page(LONG)).when is None
    dated = _html(_page(LONG, '<meta property="article:published_time" content="2016-02-01T10:00:00Z">'))
    assert dated.when == date(2016, 2, 1)


def test_caption_credit_is_split_from_the_figure() -> None:
    figure = ('<figure><img src="https://x.example/p.jpg" alt="The shop"><figcaption>The shop in 1980 '
              '(Photo: Ann Lee)</figcaption></figure>')
    draft = _html(_page(figure + LONG, '<meta property="og:image" content="https://x.example/p.jpg">'))
    assert (draft.image.alt, draft.image.caption, draft.image.credit) == ("The shop", "The shop in 1980", "Ann Lee")


RESULTS = ("<table><thead><tr><th>Party</th><th>Seats</th></tr></thead><tbody>"
           "<tr><td>Labour | Co-op</td><td>12</td></tr>"
           "<tr><td><b>Green</b> &lt;script&gt;alert(1)&lt;/script&gt;</td><td>3</td></tr>"
           '<tr><td colspan="2">Total <a href="https://x.example/t">15</a></td></tr></tbody></table>')


def test_a_table_becomes_a_markdown_table_that_renders_as_the_same_table() -> None:
    draft = _html(_page(LONG + RESULTS + LONG.replace("bakery", "shop")))
    assert "| Party | Seats |\n| --- | --- |\n| Labour \\| Co-op | 12 |\n" in draft.body
    html = render_body(draft.body)[0]
    rows = re.findall(r"<tr>\n(.*?)</tr>", html, re.S)
    assert [re.findall(r"<t[hd]>(.*?)</t[hd]>", row) for row in rows] == [
        ["Party", "Seats"], ["Labour | Co-op", "12"],
        ["<strong>Green</strong> &lt;script&gt;alert(1)&lt;/script&gt;", "3"],
        ['Total <a href="https://x.example/t">15</a>', ""]]  # the spanned cell left empty
    assert html.index("bakery") < html.index("<table>") < html.index("shop")


def test_a_table_without_header_cells_is_headed_by_its_first_row() -> None:
    draft = _html(_page(LONG + RESULTS.replace("<thead><tr><th>Party</th><th>Seats</th></tr></thead>", "")))
    html = render_body(draft.body)[0]
    assert "<thead>\n<tr>\n<th>Labour | Co-op</th>\n<th>12</th>" in html and html.count("<tr>") == 3


def test_a_page_without_an_article_is_unreadable() -> None:
    result = read_html_article("<html><body></body></html>", "empty.html", b"")
    assert isinstance(result, Unreadable) and "no article text" in result.reason


def test_field_map_is_parsed_and_checked() -> None:
    assert parse_field_map("title=headline, date=meta.pub_date,people=names", TAXONOMIES) == \
        {"title": "headline", "date": "meta.pub_date", "people": "names"}
    with pytest.raises(SitegenError, match="did you mean 'date'"):
        parse_field_map("dates=x", TAXONOMIES)
    with pytest.raises(SitegenError, match="is not FIELD=NAME"):
        parse_field_map("title", TAXONOMIES)


def test_jsonl_lines_map_fields_nested_and_plain() -> None:
    text = ('{"headline": "Fair returns", "meta": {"when": "2016-06-03T10:00:00+01:00"}, "body": "Line one.\\n\\n'
            '1984. A year", "by": "A One; B Two", "people": ["Zoë Ball"], "image": {"src": "https://x.example/f.jpg"}}\n'
            "\n"
            '{"headline": "No text"}\n'
            "not json\n"
            "[1, 2]\n")
    found = read_jsonl(text, "export.jsonl", {"title": "headline", "date": "meta.when", "byline": "by",
                                               "image.src": "image.src"}, TAXONOMIES)
    first, *rest = found
    assert first.title == "Fair returns" and first.body == "Line one.\n\n1984\\. A year"
    assert first.when == datetime(2016, 6, 3, 10, tzinfo=timezone(timedelta(hours=1)))
    assert first.byline == ("A One", "B Two") and first.terms == {"people": ("Zoë Ball",)}
    assert first.image.src == "https://x.example/f.jpg" and first.source == "export.jsonl:1"
    assert [(r.source, r.reason.split(";")[0]) for r in rest] == [
        ("export.jsonl:3", "no article text in field 'body'"),
        ("export.jsonl:4", "not valid JSON (Expecting value at column 1)"),
        ("export.jsonl:5", "the line is not a JSON object ({...})"),
    ]


def test_jsonl_html_body_becomes_markdown_and_odd_dates_are_noted() -> None:
    text = '{"title": "T", "date": "sometime", "body": "<p>A <em>big</em> day.</p><p>Then <b>more</b>.</p>"}'
    (draft,) = read_jsonl(text, "x.jsonl", {}, TAXONOMIES)
    assert draft.body == "A *big* day.\n\nThen **more**."
    assert draft.when is None and "'sometime' is not a date" in draft.notes[0]
