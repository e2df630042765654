"""The search fixture project shared by the site and browser search tests."""
from __future__ import annotations

import shutil
from pathlib import Path

from support import FIXTURES, REPO, sitegen

SEED = REPO / "content" / "2015" / "01" / "police-patrols-jewish-communities.md"


def build_search_project(root: Path) -> Path:
    """Copy the `search` fixture site and the seed article to `root`, build it, return `root`."""
    shutil.copytree(FIXTURES / "sites" / "search", root)
    config = (root / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(config.replace("../../../../templates", (REPO / "templates").as_posix()),
                                      encoding="utf-8")
    (root / "content" / "2015" / "01").mkdir(parents=True)
    shutil.copy(SEED, root / "content" / "2015" / "01" / SEED.name)
    result = sitegen(root, "build")
    assert result.code == 0, result.err
    return root
