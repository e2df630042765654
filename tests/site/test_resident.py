"""A dev server's patched rebuilds (`resident.py`) make what a build from scratch makes."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bench.generate import edit_article, generate_archive
from sitegen.build import build
from sitegen.config import load_config
from sitegen.resident import ResidentBuild
from support import article


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _from_scratch(root: Path, tmp_path: Path) -> dict[str, bytes]:
    alone = tmp_path / "alone"
    shutil.rmtree(alone, ignore_errors=True)
    shutil.copytree(root, alone, ignore=shutil.ignore_patterns("build", ".sitegen-cache", ".build.lock"))
    build(load_config(alone), jobs=1)
    return _tree(alone / "build")


def _assert_same(built: dict[str, bytes], expected: dict[str, bytes]) -> None:
    assert sorted(built) == sorted(expected)
    different = [url for url in expected if built[url] != expected[url]]
    assert not different, different[:10]


def _set(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    text, count = re.subn(rf"(?m)^{key}: .*$", f"{key}: {value}", text, count=1)
    if not count:  # added after the title
        text = re.sub(r"(?m)^(title: .*)$", lambda found: f"{found[1]}\n{key}: {value}", text, count=1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    generate_archive(root, 120, seed=3)
    with (root / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("base_url: https://news.example/archive/\n")  # feeds and sitemap too
    return root


def test_edits_that_keep_the_structure_are_patched_in_and_equal_a_build_from_scratch(archive: Path,
                                                                                    tmp_path: Path) -> None:
    resident = ResidentBuild(load_config(archive))
    resident.build()
    resident.prepare()
    assert resident.held is not None and resident.held.ready
    paths = sorted((archive / "content").rglob("*.md"))
    edits = [
        lambda: [edit_article(archive, 0)],  # a sentence added to the body
        lambda: [edit_article(archive, 0)],  # the same article again
        lambda: [edit_article(archive, 7), edit_article(archive, 30)],  # two at once
        lambda: (_set(paths[5], "summary", "A summary written again."), [paths[5]])[1],
        lambda: (_set(paths[9], "source", "The Evening Chronicle"), [paths[9]])[1],  # a new facet value
        lambda: (_set(paths[0], "slug", "a-slug-of-its-own"), [paths[0]])[1],  # a new URL: built
        lambda: (_set(paths[0], "title", '"A title that changes what lists show"'), [paths[0]])[1],
    ]
    for number, edit in enumerate(edits):
        changed = edit()
        result = resident.build(changed, content_only=True)
        assert ("patch" in result.timings) == (number != 5), number
        resident.prepare()
        assert 1 <= result.rendered_count < 40 or number == 5
        built = _tree(archive / "build")
        _assert_same(built, _from_scratch(archive, tmp_path))
        assert result.write.byte_count == sum(map(len, built.values())), "the output's size, as reported"
    # What the server saves lets a later build start from the patched output: nothing to do.
    resident.save()
    again = build(load_config(archive), jobs=1)
    assert again.rendered_count == 0 and again.write is not None and again.write.written_count == 0
    edit_article(archive, 11)  # and a build after another edit starts from it (its shard table too)
    assert 0 < build(load_config(archive), jobs=2).rendered_count < 40
    _assert_same(_tree(archive / "build"), _from_scratch(archive, tmp_path))


def test_other_changes_build_and_patching_goes_on_after(archive: Path, tmp_path: Path) -> None:
    resident = ResidentBuild(load_config(archive))
    resident.build()
    resident.prepare()
    path = sorted((archive / "content").rglob("*.md"))[3]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("people:\n", "people:\n  - Ada Newname\n", 1), encoding="utf-8")  # new terms
    result = resident.build([path], content_only=True)
    assert "patch" not in result.timings
    _assert_same(_tree(archive / "build"), _from_scratch(archive, tmp_path))
    resident.prepare()
    result = resident.build([edit_article(archive, 2)], content_only=True)
    assert "patch" in result.timings
    _assert_same(_tree(archive / "build"), _from_scratch(archive, tmp_path))


def test_articles_sharing_a_title_keep_their_urls_and_warnings(scratch, tmp_path: Path) -> None:
    # Two articles of one month with one title: the older keeps the plain slug, the newer gets
    # a suffix and a warning that names the older's title line. Editing a body is patched in;
    # writing the slug out (the same slug, now claimed) changes who keeps it: a build.
    root = scratch({"content/older.md": article("Same title", "2016-03-01", body="Old body.", people=["Ada"]),
                    "content/newer.md": article("Same title", "2016-03-09", body="New body.", people=["Ada"])})
    resident = ResidentBuild(load_config(root))
    first = resident.build()
    resident.prepare()
    newer = root / "content/newer.md"
    newer.write_text(article("Same title", "2016-03-09", body="New body, edited.", people=["Ada"]), encoding="utf-8")
    result = resident.build([newer], content_only=True)
    assert "patch" in result.timings and result.problems == first.problems and len(first.problems) == 1
    _assert_same(_tree(root / "build"), _from_scratch(root, tmp_path))
    newer.write_text(article("Same title", "2016-03-09", body="New body.", people=["Ada"], slug="same-title"),
                     encoding="utf-8")
    result = resident.build([newer], content_only=True)
    assert "patch" not in result.timings
    _assert_same(_tree(root / "build"), _from_scratch(root, tmp_path))
