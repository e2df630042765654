"""Search files for the browser. Placeholder until the search issue lands: ships lunr.js only."""
from __future__ import annotations

from pathlib import Path

from .errors import ContentError, Problem
from .model import Site
from .urls import static_url

LUNR_JS = Path("node_modules/lunr/lunr.min.js")


def build_search_files(site: Site) -> dict[str, bytes]:
    """url -> bytes of the search assets (lunr.js, index shards)."""
    path = site.config.root / LUNR_JS
    if not path.is_file():
        raise ContentError("lunr.js missing", [Problem("package.json", 1, "lunr.js is not installed; "
                                               "run 'make build' (or 'npm ci') to install it")])
    return {static_url("lunr.min.js"): path.read_bytes()}
