"""The `hostile` fixture in real Chromium: payloads in titles, names, captions and queries never
open a dialog or run a script on any page, and show as the text that was written."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from support import TEMPLATES

PAYLOAD_TITLE = "<script>alert('title')</script> \"><img src=x onerror=alert('title img')> Payload story"
PERSON = "<script>alert('person')</script>"

# What a page may run: only scripts from static/, and JSON-LD data (which never executes).
_FOREIGN_CODE = """() => {
  const scripts = [...document.scripts].filter(s => !(s.src.includes('/static/') ||
                                                     s.type === 'application/ld+json'));
  const handlers = [...document.querySelectorAll('*')].flatMap(e =>
      [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name));
  const links = [...document.querySelectorAll('[href],[src]')].map(e => e.getAttribute('href') || e.getAttribute('src'))
      .filter(u => /^\\s*(javascript|vbscript|data):/i.test(u));
  return {scripts: scripts.map(s => s.outerHTML.slice(0, 80)), handlers, links};
}"""


def _open(watched: Any, url: str) -> dict:
    page = watched.page
    page.goto(url)
    page.wait_for_load_state("load")
    return page.evaluate(_FOREIGN_CODE)  # no handler attributes at all, so none can fire later


def _article(site: Path) -> Path:
    [page] = (site / "2016/03").glob("script-alert-title*/index.html")
    return page


@pytest.mark.parametrize("which", ["article", "person", "topic", "people A-Z", "home", "month", "archive"])
def test_no_dialog_and_no_foreign_script_on_page(hostile_site: Path, watched_page, which: str) -> None:
    path = {"article": _article(hostile_site),
            "person": hostile_site / "people/script-alert-person-script/index.html",
            "topic": hostile_site / "topics/javascript-alert-topic/index.html",
            "people A-Z": hostile_site / "people/index.html",
            "home": hostile_site / "index.html",
            "month": hostile_site / "2016/03/index.html",
            "archive": hostile_site / "archive/index.html"}[which]
    found = _open(watched_page, path.as_uri())
    assert found == {"scripts": [], "handlers": [], "links": []}
    assert watched_page.dialogs == []
    assert not [e for e in watched_page.errors if "alert" in e]


def test_payloads_read_as_text_in_the_browser(hostile_site: Path, watched_page) -> None:
    page = watched_page.page
    page.goto(_article(hostile_site).as_uri())
    assert page.get_by_role("heading", level=1).inner_text() == PAYLOAD_TITLE
    assert page.get_by_role("link", name=PERSON).count() == 1
    assert page.locator("figcaption").inner_text().startswith("<script>alert('caption')</script>")
    assert page.title().startswith(PAYLOAD_TITLE)
    page.get_by_role("link", name=PERSON).click()
    page.wait_for_url("**/people/script-alert-person-script/index.html")
    assert page.get_by_role("heading", level=1).inner_text() == PERSON
    assert watched_page.dialogs == []


@pytest.mark.skipif(not (TEMPLATES / "static/search.js").is_file(), reason="search.js not built yet")
@pytest.mark.parametrize("query", ["payload", "neighbour", PERSON, "\"><img src=x onerror=alert('query')>",
                                   "javascript:alert('query')"])
def test_search_page_shows_hostile_results_and_queries_as_text(hostile_site: Path, watched_page,
                                                               query: str) -> None:
    page = watched_page.page
    page.goto((hostile_site / "search.html").as_uri() + "?q=" + quote(query))
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    assert page.locator("#search-query").input_value() == query
    expected = {"payload": PAYLOAD_TITLE, "neighbour": "'><svg onload=alert('neighbour')> Neighbour story"}
    if query in expected:  # results whose titles, names and summaries are payloads
        assert expected[query] in page.locator(".search-result h2").all_inner_texts()
        assert page.locator(".search-result").get_by_role("link", name=PERSON).count() >= 1
    assert page.evaluate(_FOREIGN_CODE) == {"scripts": [], "handlers": [], "links": []}
    assert watched_page.dialogs == []
