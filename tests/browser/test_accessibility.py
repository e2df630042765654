"""axe-core (pinned in package.json) run in real Chromium on every page type: no serious violations."""
from __future__ import annotations

from pathlib import Path

import pytest

from axe_support import serious_violations

PAGES = [
    "index.html",
    "2015/01/police-to-increase-patrols-in-jewish-communities/index.html",
    "people/index.html",
    "people/by-count/index.html",
    "topics/terrorism/index.html",
    "archive/index.html",
    "2015/index.html",
    "2015/01/index.html",
    "search.html",
    "404.html",
]


# Every page in light mode; in dark mode the pages with the most kinds of element (contrast).
CASES = [(url, "light") for url in PAGES] + [(url, "dark") for url in PAGES[:3]]


@pytest.mark.parametrize("url, scheme", CASES)
def test_no_serious_accessibility_violations(basic_site: Path, browser, url: str, scheme: str) -> None:
    assert serious_violations(browser, (basic_site / url).as_uri(), scheme) == []
