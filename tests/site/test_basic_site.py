"""The basic fixture site, built once: every page type exists, links resolve, HTML parses."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import broken_links, html_errors, visible_text

EXPECTED_PAGES = [
    "index.html", "404.html", "search.html", "archive/index.html",
    "2015/index.html", "2015/01/index.html", "2014/08/index.html",
    "2015/01/police-to-increase-patrols-in-jewish-communities/index.html",
    "2018/02/security-summit-in-london/index.html",
    "topics/index.html", "topics/by-count/index.html", "topics/terrorism/index.html",
    "topics/terrorism/page/2/index.html",
    "people/index.html", "people/mark-rowley/index.html", "people/theresa-may/index.html",
    "organisations/index.html", "organisations/community-security-trust/index.html",
    "organisations/societe-generale/index.html", "people/zoe-ball/index.html",
    "static/style.css", "static/lunr.min.js",
]


@pytest.mark.parametrize("url", EXPECTED_PAGES)
def test_expected_page_exists(basic_site: Path, url: str) -> None:
    assert (basic_site / url).is_file(), url


def test_no_broken_internal_links(basic_site: Path) -> None:
    assert broken_links(basic_site) == []


def test_every_page_is_well_formed_html(basic_site: Path) -> None:
    errors = [e for page in basic_site.rglob("*.html") for e in html_errors(page)]
    assert errors == []


def test_drafts_are_not_published(basic_site: Path) -> None:
    assert not (basic_site / "topics/secret").exists()
    assert "Unpublished draft" not in (basic_site / "2018/index.html").read_text()


def test_term_page_lists_its_articles_newest_first(basic_site: Path) -> None:
    text = visible_text(basic_site / "people/mark-rowley/index.html")
    assert "Mark Rowley" in text and "3 articles" in text
    assert text.index("Security summit in London") < text.index("Terror-related arrests rise")
    assert "Budget squeezes" not in text


def test_pagination_splits_term_pages(basic_site: Path) -> None:
    first = visible_text(basic_site / "topics/terrorism/index.html")
    last = visible_text(basic_site / "topics/terrorism/page/2/index.html")
    assert "Page 1 of 2" in first and "Page 2 of 2" in last
    assert "Terror threat level raised to severe" in last  # the oldest of four
    assert "Terror threat level raised to severe" not in first
    assert not (basic_site / "topics/terrorism/page/3").exists()


def test_a_to_z_lists_every_term_with_counts(basic_site: Path) -> None:
    text = visible_text(basic_site / "people/index.html")
    for name, count in [("George Osborne", 1), ("Jeremy Corbyn", 2), ("Mark Rowley", 3), ("Theresa May", 4)]:
        assert f"{name} ({count})" in text
    ranked = visible_text(basic_site / "people/by-count/index.html")
    assert ranked.index("Theresa May") < ranked.index("Mark Rowley") < ranked.index("George Osborne")


def test_distinct_names_with_one_slug_get_distinct_urls(basic_site: Path) -> None:
    # "Zoë Ball" and "Zoe Ball" are different names that both slugify to zoe-ball.
    pages = sorted(p.parent.name for p in (basic_site / "people").glob("zoe-ball*/index.html"))
    assert pages[0] == "zoe-ball" and len(pages) == 2
    names = {visible_text(basic_site / "people" / slug / "index.html").split(" · ")[0] for slug in pages}
    assert any("Zoë Ball" in n for n in names) and any("Zoe Ball" in n for n in names)


def test_article_page_shows_metadata_terms_and_neighbours(basic_site: Path) -> None:
    page = basic_site / "2015/01/police-to-increase-patrols-in-jewish-communities/index.html"
    text = visible_text(page)
    for expected in ("16 January 2015", "The Fixture Times", "By Staff reporter", "Police on patrol",
                     "Reuters", "Mark Rowley", "Community Security Trust", "Terrorism",
                     "Older", "Terror threat level raised to severe",
                     "Newer", "Jewish charity reports unprecedented calls", "Related articles"):
        assert expected in text, expected
    html = page.read_text()
    assert 'href="../../../people/mark-rowley/index.html"' in html


def test_archive_pages_count_articles(basic_site: Path) -> None:
    text = visible_text(basic_site / "archive/index.html")
    assert "2017 (3)" in text and "June (1)" in text
    month = visible_text(basic_site / "2015/01/index.html")
    assert "January 2015" in month and "3 articles" in month


def test_home_page_shows_latest_and_most_mentioned(basic_site: Path) -> None:
    text = visible_text(basic_site / "index.html")
    assert "Museum opens new gallery" in text  # newest
    assert "Most mentioned people" in text and "Theresa May" in text
