"""Search in a real browser, from file:// and under a sub-path (issue 3)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from search_support import build_search_project
from support import broken_links

SEED_TITLE = "Police to increase patrols in Jewish communities after Paris attacks"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `search` fixture site plus the seed article, built once for this module."""
    root = build_search_project(tmp_path_factory.mktemp("search") / "site")
    assert broken_links(root / "build") == []
    return root / "build"


@pytest.fixture(params=["file", "subpath"])
def search_page(request: pytest.FixtureRequest, search_site: Path, serve_under_subpath) -> Callable[[str], str]:
    """`search_page(query_string)` -> the search page's URL, opened from disk or over HTTP."""
    base = search_site.as_uri() + "/" if request.param == "file" else serve_under_subpath(search_site)
    return lambda query="": base + "search.html" + query


def _wait_for_results(page: Any) -> str:
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    return page.locator("#search-status").inner_text()


def test_search_finds_highlights_and_opens_the_seed_article(search_page, watched_page) -> None:
    page = watched_page.page
    page.goto(search_page())
    page.get_by_label("Search the archive", exact=True).last.press_sequentially("Rowley", delay=20)
    status = _wait_for_results(page)
    assert status == "2 results."
    assert parse_qs(urlsplit(page.url).query) == {"q": ["Rowley"]}
    result = page.locator(".search-result", has=page.get_by_role("link", name=SEED_TITLE))
    assert result.locator(".snippet mark").first.inner_text() == "Rowley"
    assert "Mark Rowley" in result.locator(".result-terms").all_inner_texts()[1]
    result.get_by_role("link", name=SEED_TITLE).click()
    page.wait_for_url("**/2015/01/police-to-increase-patrols-in-jewish-communities-after-paris-attacks/index.html")
    assert page.get_by_role("heading", level=1).inner_text() == SEED_TITLE
    assert watched_page.errors == []


def test_facet_filters_results_and_is_kept_in_the_url(search_page, watched_page) -> None:
    page = watched_page.page
    page.goto(search_page("?q=police"))
    assert _wait_for_results(page) == "3 results."
    page.locator(".facet", has_text="Years").get_by_role("button", name="2019").click()
    page.wait_for_function("document.getElementById('search-status').textContent === '1 result.'")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["police"], "year": ["2019"]}
    assert page.locator(".search-result h2").all_inner_texts() == ["Review of police patrols published"]
    assert page.get_by_role("button", name="2019").get_attribute("aria-pressed") == "true"
    page.go_back()
    page.wait_for_function("document.getElementById('search-status').textContent === '3 results.'")
    page.goto(search_page("?q=police&year=2019"))  # a shared link opens filtered
    assert _wait_for_results(page) == "1 result."
    assert watched_page.errors == []


@pytest.mark.parametrize("query", ["title:", "foo~~", "+"])
def test_malformed_query_shows_a_message(search_page, watched_page, query: str) -> None:
    page = watched_page.page
    page.goto(search_page())
    page.locator("#search-query").fill(query)
    page.locator("#search-query").press("Enter")
    error = page.locator("#search-error")
    error.wait_for(state="visible")
    assert "could not be understood" in error.inner_text()
    assert page.locator("#search-status").inner_text() == "That search could not be understood."
    assert page.locator(".search-result").count() == 0
    assert watched_page.errors == []


@pytest.mark.parametrize(("query", "title"), [("Societe", "Société Générale fined over trading losses"),
                                               ("zoe", "Société Générale fined over trading losses"),
                                               ("SOCIÉTÉ generale", "Société Générale fined over trading losses")])
def test_accents_and_case_fold(search_site: Path, watched_page, query: str, title: str) -> None:
    page = watched_page.page
    page.goto((search_site / "search.html").as_uri() + "?q=" + query)
    assert _wait_for_results(page) == "1 result."
    assert page.locator(".search-result h2").inner_text() == title
    assert page.locator(".search-result mark").count() >= 1
    assert watched_page.errors == []


def test_hostile_title_shows_as_text(search_site: Path, watched_page) -> None:
    page = watched_page.page
    page.goto((search_site / "search.html").as_uri() + "?q=xsstest")
    assert _wait_for_results(page) == "1 result."
    assert page.locator(".search-result h2 a").inner_text() == HOSTILE_TITLE
    assert page.locator("#search-results img, #search-results script, #search-results svg").count() == 0
    assert "<svg onload=alert(3)>" in page.locator(".result-terms").all_inner_texts()[-1]
    page.wait_for_timeout(200)
    assert watched_page.dialogs == []
    assert watched_page.errors == []


def test_header_box_on_any_page_leads_to_results(search_site: Path, watched_page) -> None:
    page = watched_page.page
    page.goto((search_site / "2014" / "index.html").as_uri())
    page.locator("#site-search").fill("rowley")
    page.locator("#site-search").press("Enter")
    page.wait_for_url("**/search.html?q=rowley")
    assert _wait_for_results(page) == "2 results."
    assert page.locator("#search-query").input_value() == "rowley"
    assert watched_page.errors == []


def test_keyboard_only_search_and_live_region(search_site: Path, watched_page) -> None:
    page = watched_page.page
    page.goto((search_site / "search.html").as_uri())
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    page.locator("#search-query").focus()
    page.keyboard.type("patrols")
    assert _wait_for_results(page) == "2 results."  # typing alone searches (debounced)
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search-results') !== null"):
            break
    assert page.evaluate("document.activeElement.textContent") in {SEED_TITLE, "Review of police patrols published"}
    page.keyboard.press("Enter")
    page.wait_for_url("**/index.html")
    assert page.get_by_role("heading", level=1).inner_text() in {SEED_TITLE, "Review of police patrols published"}
    assert watched_page.errors == []


def test_results_stay_on_screen_until_the_next_query_can_replace_them(search_site: Path, watched_page) -> None:
    page = watched_page.page
    page.goto((search_site / "search.html").as_uri() + "?q=rowley")
    assert _wait_for_results(page) == "2 results."
    # Count animation frames in which the list is empty, or announces a count it does not show.
    page.evaluate("""() => {
      window.blankFrames = 0;
      const list = document.getElementById("search-results");
      const status = document.getElementById("search-status");
      (function tick() {
        const shown = list.children.length;
        if (shown === 0 || !status.textContent.startsWith(String(Math.min(shown, 2)))) window.blankFrames++;
        requestAnimationFrame(tick);
      })();
    }""")
    page.locator("#search-query").fill("patrols")  # a different query: its documents are not loaded yet
    page.wait_for_function("""document.querySelector('.search-result h2').textContent !== ''
      && new URLSearchParams(location.search).get('q') === 'patrols'
      && [...document.querySelectorAll('.search-result h2')].every(h => /patrol/i.test(h.closest('li').textContent))""")
    assert page.locator("#search-status").inner_text() == "2 results."
    assert page.evaluate("window.blankFrames") == 0
    assert watched_page.errors == []


def test_fuzzy_and_person_filter(search_site: Path, watched_page) -> None:
    page = watched_page.page
    page.goto((search_site / "search.html").as_uri() + "?q=rowlay~1")  # near spelling, via the lexicon
    assert _wait_for_results(page) == "2 results."
    page.locator(".facet", has_text="Organisations").get_by_role("button", name="Metropolitan Police").click()
    page.wait_for_function("document.getElementById('search-status').textContent === '1 result.'")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["rowlay~1"], "organisations": ["Metropolitan Police"]}
    assert page.locator(".search-result h2").inner_text() == "Rowley appointed to lead counter-terrorism policing"
    assert watched_page.errors == []
