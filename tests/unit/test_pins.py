"""The lunr.js that npm installs is the version whose index format the Python lunr writes."""
from __future__ import annotations

import json
from pathlib import Path

import lunr

REPO = Path(__file__).resolve().parents[2]


def test_lunr_js_pin_matches_python_lunr_target() -> None:
    lock = json.loads((REPO / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/lunr"]["version"]
    assert pinned == lunr.__TARGET_JS_VERSION__
    assert json.loads((REPO / "package.json").read_text())["dependencies"]["lunr"] == pinned


def test_installed_lunr_js_is_the_pinned_one() -> None:
    installed = json.loads((REPO / "node_modules/lunr/package.json").read_text())["version"]
    assert installed == lunr.__TARGET_JS_VERSION__
