"""Fast paths taken for speed (issue 7) give exactly what the slow, obvious code gives."""
from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from sitegen.urls import relative_path

_SEGMENT = st.sampled_from(["a", "b", "people", "index.html", "2015", ".", "..", "", "x.y", "é"])
_PATH = st.lists(_SEGMENT, min_size=1, max_size=5).map("/".join)


@given(_PATH, _PATH)
def test_relative_path_is_posixpath_relpath(target: str, start: str) -> None:
    if not target or not start:
        return  # relpath refuses an empty path; relative_href never passes one
    assert relative_path(target, start) == posixpath.relpath(target, start)


def test_relative_path_of_typical_urls() -> None:
    assert relative_path("static/style.css", "2015/01/story") == "../../../static/style.css"
    assert relative_path("index.html", ".") == "index.html"
    assert relative_path("people/ann/index.html", "people/ann") == "index.html"
    assert relative_path(".", "people") == ".."
