"""Fixture sites of the whole-build tests, each built once per run; read only."""
from __future__ import annotations

import pytest

from fixture_sites import BuiltSite, build_fixture_site


@pytest.fixture(scope="session")
def profiles_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The `profiles` fixture (data files, aliases, base_url set), built once."""
    return build_fixture_site("profiles", tmp_path_factory.mktemp("profiles") / "site")


@pytest.fixture(scope="session")
def profiles_site_offline(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The same fixture without `base_url`, as a site opened from disk."""
    return build_fixture_site("profiles", tmp_path_factory.mktemp("offline") / "site", drop_config_lines=("base_url:",))
