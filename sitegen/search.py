"""Search files for the browser. Placeholder until the search issue lands: ships lunr.js only."""
from __future__ import annotations

from pathlib import Path

from .errors import ContentError, Problem
from .model import Site
from .urls import static_url

LUNR_JS = Path("node_modules/lunr/lunr.min.js")
_SITEGEN_CHECKOUT = Path(__file__).resolve().parent.parent  # where `make` ran `npm ci`


def find_lunr_js(root: Path) -> Path | None:
    """lunr.js installed by npm in the project, or else in the sitegen checkout."""
    for base in (root, _SITEGEN_CHECKOUT):
        if (base / LUNR_JS).is_file():
            return base / LUNR_JS
    return None


def build_search_files(site: Site) -> dict[str, bytes]:
    """url -> bytes of the search assets (lunr.js, index shards)."""
    path = find_lunr_js(site.config.root)
    if path is None:
        raise ContentError("lunr.js missing", [Problem("package.json", 1, "lunr.js is not installed; "
                                               "run 'make build' (or 'npm ci') to install it")])
    return {static_url("lunr.min.js"): path.read_bytes()}
