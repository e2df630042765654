"""URL building and relative hrefs."""
from __future__ import annotations

import posixpath

import pytest

from sitegen import urls


@pytest.mark.parametrize("start, target, clean, href", [
    ("index.html", "people/mark-rowley/index.html", False, "people/mark-rowley/index.html"),
    ("people/mark-rowley/index.html", "index.html", False, "../../index.html"),
    ("people/mark-rowley/index.html", "index.html", True, "../../"),
    ("people/mark-rowley/index.html", "people/index.html", True, "../"),
    ("people/mark-rowley/index.html", "people/mark-rowley/index.html", True, "./"),
    ("2015/01/a/index.html", "2015/01/b/index.html", False, "../b/index.html"),
    ("index.html", "search.html?q=rowley", False, "search.html?q=rowley"),
    ("2015/01/a/index.html", "static/style.css", True, "../../../static/style.css"),
    ("people/index.html", "people/index.html#letter-2", False, "index.html#letter-2"),
])
def test_relative_href(start: str, target: str, clean: bool, href: str) -> None:
    assert urls.relative_href(start, target, clean_urls=clean) == href


def test_href_resolves_back_to_the_target() -> None:
    start, target = "topics/terrorism/page/2/index.html", "2018/02/security-summit/index.html"
    href = urls.relative_href(start, target)
    assert posixpath.normpath(posixpath.join(posixpath.dirname(start), href)) == target


def test_absolute_url_drops_index_html() -> None:
    assert urls.absolute_url("https://example.org/archive/", "people/x/index.html") == \
        "https://example.org/archive/people/x/"
    assert urls.absolute_url("https://example.org/archive/", "search.html") == \
        "https://example.org/archive/search.html"
