"""Fixture sites of the whole-build tests, each copied to a scratch folder and built once."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import FIXTURES, TEMPLATES, Run, sitegen


@dataclass(frozen=True)
class BuiltSite:
    """A fixture site built once per run: its project root, its output and the build's output."""

    root: Path
    out: Path
    run: Run


def copy_fixture_site(name: str, dest: Path, *, drop_config_lines: tuple[str, ...] = ()) -> Path:
    """Copy `tests/fixtures/sites/<name>` to `dest`, pointing its config at the templates."""
    shutil.copytree(FIXTURES / "sites" / name, dest)
    config = (dest / "config.yaml").read_text(encoding="utf-8")
    config = config.replace("../../../../templates", TEMPLATES.as_posix())
    lines = [line for line in config.splitlines() if not line.startswith(drop_config_lines or ("\0",))]
    (dest / "config.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def profiles_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The `profiles` fixture (data files, aliases, base_url set), built once; read only."""
    root = copy_fixture_site("profiles", tmp_path_factory.mktemp("profiles") / "site")
    run = sitegen(root, "build")
    assert run.code == 0, run.err
    return BuiltSite(root, root / "build", run)


@pytest.fixture(scope="session")
def profiles_site_offline(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The same fixture without `base_url`, as a site opened from disk; read only."""
    root = copy_fixture_site("profiles", tmp_path_factory.mktemp("offline") / "site",
                             drop_config_lines=("base_url:",))
    run = sitegen(root, "build")
    assert run.code == 0, run.err
    return BuiltSite(root, root / "build", run)
