"""Fixture ladder: a scratch project per test, the basic fixture site built once per run."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import FIXTURES, make_site, sitegen


@pytest.fixture
def scratch(tmp_path: Path):
    """`scratch(files, config="")` makes a project in a fresh folder and returns its root."""
    def _make(files: dict, config: str = "") -> Path:
        return make_site(tmp_path / "site", files, config)
    return _make


def _build_fixture_site(name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copy `fixtures/sites/<name>` to a scratch folder, point it at the templates, build it."""
    root = tmp_path_factory.mktemp(name) / "site"
    shutil.copytree(FIXTURES / "sites" / name, root)
    config = (root / "config.yaml").read_text()
    templates = Path(__file__).resolve().parent.parent / "templates"
    config = config.replace("../../../../templates", templates.as_posix())
    (root / "config.yaml").write_text(config)
    result = sitegen(root, "build")
    assert result.code == 0, result.err
    return root / "build"


@pytest.fixture(scope="session")
def basic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `basic` fixture site copied to a scratch folder and built once; read only."""
    return _build_fixture_site("basic", tmp_path_factory)


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `hostile` fixture site (script payloads in every field) built once; read only."""
    return _build_fixture_site("hostile", tmp_path_factory)
