"""Right-to-left names in left-to-right lists: the count stays after the name it belongs to."""
from __future__ import annotations

import pytest

from fixture_sites import BuiltSite

COUNTS_BEFORE_THEIR_NAME = """() => [...document.querySelectorAll('li > a + .count')].filter(count => {
  const name = count.previousElementSibling.getBoundingClientRect();
  return [...count.getClientRects()].some(box => box.left < name.right);
}).map(count => count.parentElement.textContent.trim())"""


@pytest.mark.parametrize("page_url", ["people/index.html", "organisations/index.html", "topics/index.html",
                                      "topics/by-count/index.html", "index.html"])
def test_counts_follow_right_to_left_names(unicode_site: BuiltSite, watched_page, page_url: str) -> None:
    page = watched_page.page
    page.goto((unicode_site.out / page_url).as_uri())
    assert page.locator("li > a + .count").count() > 0
    assert page.evaluate(COUNTS_BEFORE_THEIR_NAME) == []
    assert watched_page.errors == []
