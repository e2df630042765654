"""Fixture ladder: a scratch project per test, the basic fixture site built once per run."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixture_sites import BuiltSite, build_fixture_site
from support import FIXTURES, make_site, sitegen

GOLDEN_REWRITES = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--update-golden` rewrites tests/golden/ from the current build instead of comparing."""
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden pages in tests/golden/ instead of comparing with them")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[GOLDEN_REWRITES] = []


@pytest.fixture
def golden_rewrites(request: pytest.FixtureRequest) -> list[str]:
    """Golden files a test rewrote under `--update-golden`; listed at the end of the run."""
    return request.config.stash[GOLDEN_REWRITES]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """List the golden files `--update-golden` rewrote, for review like any code change."""
    if not config.getoption("--update-golden"):
        return
    rewritten = config.stash[GOLDEN_REWRITES]
    terminalreporter.section("golden pages")
    for name in rewritten:
        terminalreporter.line(f"rewrote {name}")
    if not rewritten:
        terminalreporter.line("every golden page already matched; nothing rewritten")


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


@pytest.fixture(scope="session")
def unicode_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The `unicode` fixture (NFC/NFD, case variants, Greek, Cyrillic, Arabic, CJK, emoji) built once; read only."""
    return build_fixture_site("unicode", tmp_path_factory.mktemp("unicode") / "site")
