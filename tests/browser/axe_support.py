"""axe-core (pinned in package.json) in real Chromium: the serious violations of one page."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(browser: Any, uri: str, scheme: str = "light",
                       prepare: Callable[[Any], None] | None = None) -> list[str]:
    """Serious or critical axe violations of the page at `uri` in `scheme` ("light" or "dark"),
    after `prepare(page)` (e.g. opening a <details>), one line each."""
    assert AXE.is_file(), "axe-core missing: run `make test` (npm ci installs it)"
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(uri)
        if prepare:
            prepare(page)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
