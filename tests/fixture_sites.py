"""Fixture sites under tests/fixtures/sites/, copied to a scratch folder and built."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from support import FIXTURES, TEMPLATES, Run, sitegen


@dataclass(frozen=True)
class BuiltSite:
    """A fixture site after one build: its project root, its output and what the build printed."""

    root: Path
    out: Path
    run: Run


def copy_fixture_site(name: str, dest: Path, *, drop_config_lines: tuple[str, ...] = ()) -> Path:
    """Copy `tests/fixtures/sites/<name>` to `dest`, pointing its config at the templates and
    leaving out config lines that start with any of `drop_config_lines`."""
    shutil.copytree(FIXTURES / "sites" / name, dest)
    config = (dest / "config.yaml").read_text(encoding="utf-8")
    config = config.replace("../../../../templates", TEMPLATES.as_posix())
    lines = [line for line in config.splitlines() if not (drop_config_lines and line.startswith(drop_config_lines))]
    (dest / "config.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def build_fixture_site(name: str, dest: Path, *, drop_config_lines: tuple[str, ...] = ()) -> BuiltSite:
    """Copy and build a fixture site; the build must succeed."""
    root = copy_fixture_site(name, dest, drop_config_lines=drop_config_lines)
    run = sitegen(root, "build")
    assert run.code == 0, run.err
    return BuiltSite(root, root / "build", run)
