"""Fast paths taken for speed (issue 7) give exactly what the slow, obvious code gives."""
from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from sitegen.urls import relative_href, relative_path

_SEGMENT = st.sampled_from(["a", "b", "people", "index.html", "2015", ".", "..", "", "x.y", "é"])
_PATH = st.lists(_SEGMENT, min_size=1, max_size=5).map("/".join)


@given(_PATH, _PATH)
def test_relative_path_is_posixpath_relpath(target: str, start: str) -> None:
    if not target or not start:
        return  # relpath refuses an empty path; relative_href never passes one
    assert relative_path(target, start) == posixpath.relpath(target, start)


def _obvious_href(from_url: str, to_url: str, clean_urls: bool) -> str:
    """What `relative_href` must give, written plainly."""
    cut = min((i for i in (to_url.find("?"), to_url.find("#")) if i >= 0), default=len(to_url))
    target, suffix = to_url[:cut], to_url[cut:]
    is_folder = clean_urls and (target == "index.html" or target.endswith("/index.html"))
    if is_folder:
        target = target[: -len("index.html")].rstrip("/") or "."
    href = posixpath.relpath(target or ".", posixpath.dirname(from_url) or ".")
    if is_folder:
        href = "./" if href == "." else href + "/"
    elif target == "" and suffix:
        href = ""
    return href + suffix


_SUFFIX = st.sampled_from(["", "?q=x", "#top", "?q=a#b", "#"])


@given(_PATH, _PATH, _SUFFIX, st.booleans())
def test_relative_href_is_the_obvious_code(page: str, target: str, suffix: str, clean_urls: bool) -> None:
    for to_url in (target + suffix, suffix):
        if to_url:
            assert relative_href(page, to_url, clean_urls=clean_urls) == _obvious_href(page, to_url, clean_urls)


def test_relative_path_of_typical_urls() -> None:
    assert relative_path("static/style.css", "2015/01/story") == "../../../static/style.css"
    assert relative_path("index.html", ".") == "index.html"
    assert relative_path("people/ann/index.html", "people/ann") == "index.html"
    assert relative_path(".", "people") == ".."
