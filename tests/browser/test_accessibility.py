"""axe-core (pinned in package.json) run in real Chromium on every page type: no serious violations."""
from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
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
    assert AXE.is_file(), "axe-core missing: run `make test` (npm ci installs it)"
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto((basic_site / url).as_uri())
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
