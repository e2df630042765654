"""Golden pages: a few representative pages compared byte for byte with `tests/golden/`.

A change to a template, filter or URL shows up here as a diff to review like code. After a
deliberate change, `pytest tests/site/test_golden.py --update-golden` rewrites the golden files
and lists them; commit them with the change. Never the whole site: one page per page type.
"""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from support import REPO, TEMPLATES, sitegen

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
SEED_ARTICLE = "content/2015/01/police-patrols-jewish-communities.md"

# golden file (under tests/golden/) -> (fixture site, page in its output)
PAGES = {
    "basic/home.html": ("basic", "index.html"),
    "basic/article.html": ("basic", "2015/01/police-to-increase-patrols-in-jewish-communities/index.html"),
    "basic/term-page-1.html": ("basic", "topics/terrorism/index.html"),
    "basic/people-a-z.html": ("basic", "people/index.html"),
    "basic/month.html": ("basic", "2015/01/index.html"),
    "basic/404.html": ("basic", "404.html"),
    "seed/article.html": ("seed", "2015/01/police-to-increase-patrols-in-jewish-communities-after-paris-attacks/index.html"),
}


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own config.yaml, data/ and seed article, built alone (other articles
    added to content/ later do not move this page's neighbours)."""
    root = tmp_path_factory.mktemp("seed") / "site"
    (root / SEED_ARTICLE).parent.mkdir(parents=True)
    shutil.copyfile(REPO / SEED_ARTICLE, root / SEED_ARTICLE)
    shutil.copytree(REPO / "data", root / "data")
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    config += f"\ntemplate_dirs: [{TEMPLATES.as_posix()}]\nstatic_dir: {(TEMPLATES / 'static').as_posix()}\n"
    (root / "config.yaml").write_text(config, encoding="utf-8")
    run = sitegen(root, "build")
    assert run.code == 0, run.err
    return root / "build"


def normalise(text: str, out: Path) -> str:
    """Remove what depends on where and how the site was built rather than on the code.

    Building `basic` twice, in different folders, minutes apart and under another TZ gives
    identical bytes (sitegen writes no build time or build id), so only two things are
    normalised: line endings, and the absolute output and project folders should one ever appear.
    """
    text = text.replace("\r\n", "\n")
    for folder, placeholder in ((out, "<build>"), (out.parent, "<project>")):
        text = text.replace(folder.resolve().as_posix(), placeholder)
    return text


def first_difference(expected: str, actual: str, name: str) -> str:
    """A unified diff of one golden page against the page just built."""
    return "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                        fromfile=f"tests/golden/{name}", tofile=f"built/{name}", n=2))


def test_golden_pages_match(request: pytest.FixtureRequest, golden_rewrites: list[str],
                             basic_site: Path, seed_site: Path) -> None:
    sites = {"basic": basic_site, "seed": seed_site}
    update = request.config.getoption("--update-golden")
    mismatched: list[tuple[str, str, str]] = []
    for name, (site, url) in PAGES.items():
        built = sites[site] / url
        assert built.is_file(), f"{site} site has no {url} (golden {name}); was the page moved?"
        actual = normalise(built.read_text(encoding="utf-8"), sites[site])
        golden = GOLDEN / name
        expected = golden.read_text(encoding="utf-8") if golden.is_file() else None
        if expected == actual:
            continue
        if update:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(actual, encoding="utf-8", newline="\n")
            golden_rewrites.append(f"tests/golden/{name}")
        elif expected is None:
            pytest.fail(f"tests/golden/{name} is missing; run pytest {__file__} --update-golden and review it")
        else:
            mismatched.append((name, expected, actual))
    if mismatched:
        name, expected, actual = mismatched[0]
        others = ", ".join(n for n, _, _ in mismatched[1:]) or "none"
        pytest.fail(f"{len(mismatched)} golden page(s) differ (also: {others}). If the change is intended, run "
                    f"pytest tests/site/test_golden.py --update-golden and review the diff.\n"
                    + first_difference(expected, actual, name), pytrace=False)


def test_every_golden_file_is_compared() -> None:
    on_disk = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert on_disk <= set(PAGES), f"golden files no test compares (delete them): {sorted(on_disk - set(PAGES))}"
