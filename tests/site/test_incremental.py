"""Incremental builds: the cache never changes what is built, and a rebuild does only what changed.

Each edit is applied to a built project; the rebuilt output must equal, byte for byte, a build
of the same files in a fresh folder with no cache and no previous output.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.generate import add_article, edit_article, generate_archive
from sitegen import pipeline as build_module
from sitegen import cache, pages, parallel, search, search_ranges, taxonomy, workers
from sitegen.build import build
from sitegen.check import check_site
from sitegen.config import load_config
from support import FIXTURES, TEMPLATES, article, make_site, sitegen, tree_digest


def _copy_fixture(name: str, root: Path) -> Path:
    shutil.copytree(FIXTURES / "sites" / name, root)
    config = root / "config.yaml"
    config.write_text(config.read_text().replace("../../../../templates", TEMPLATES.as_posix()))
    return root


def _cold_build(root: Path, twin: Path) -> dict[str, str]:
    """The output of the project at `root` built from scratch in `twin`."""
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns("build", "build.*", ".build.*", ".sitegen-cache"))
    assert sitegen(twin, "build").code == 0
    return tree_digest(twin / "build")


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_article(root: Path) -> Path:
    return sorted((root / "content").rglob("*.md"))[0]


def _override_template(root: Path, name: str, old: str, new: str) -> None:
    overrides = root / "overrides"
    overrides.mkdir(exist_ok=True)
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert old in text
    (overrides / name).write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "body": lambda root: edit_article(root),
    "title": lambda root: _rewrite(_first_article(root), 'title: "', 'title: "Corrected '),
    "terms": lambda root: _rewrite(_first_article(root), "topics:\n", "topics:\n  - A brand new topic\n"),
    "add": lambda root: add_article(root),
    "delete": lambda root: _first_article(root).unlink(),
    "config": lambda root: _rewrite(root / "config.yaml", "title: ", "title: Renamed "),
    "template": lambda root: _override_template(root, "article.html", "<h1>", "<h1 class=\"headline\">"),
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A built 40-article generated archive whose templates can be overridden."""
    root = tmp_path / "site"
    generate_archive(root, 40, seed=3)
    config = root / "config.yaml"
    config.write_text(config.read_text().replace("template_dirs: [", "template_dirs: [overrides, ")
                      + "page_size: 3\nbase_url: https://example.org/news/\n")
    assert sitegen(root, "build").code == 0
    return root


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_rebuild_after_an_edit_equals_a_cold_build(archive: Path, tmp_path: Path, edit: str) -> None:
    EDITS[edit](archive)
    run = sitegen(archive, "build")
    assert run.code == 0, run.err
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_rebuilds_of_profiles_and_data_files_equal_cold_builds(tmp_path: Path) -> None:
    root = _copy_fixture("profiles", tmp_path / "site")
    assert sitegen(root, "build").code == 0
    steps = [lambda: _rewrite(root / "data/people.yaml", "Politician; Home Secretary.", "Prime Minister."),
             lambda: _rewrite(root / "data/organisations.yaml", "aliases: [CST]", "aliases: [CST, The Trust]"),
             lambda: _rewrite(_first_article(root), "title: ", "title: Updated "),
             lambda: (root / "data/people.yaml").unlink()]
    for number, step in enumerate(steps):
        step()
        assert sitegen(root, "build").code == 0
        assert tree_digest(root / "build") == _cold_build(root, tmp_path / f"twin{number}"), f"step {number}"


def test_editing_one_body_renders_one_page_and_rewrites_only_changed_files(archive: Path) -> None:
    config = load_config(archive)
    before = {p: p.stat() for p in (archive / "build").rglob("*") if p.is_file()}
    edited = edit_article(archive)
    result = build(config)
    assert result.rendered_count == 1
    changed = {p for p, stat in before.items() if p.stat().st_mtime_ns != stat.st_mtime_ns}
    article_page = next(p for p in changed if p.name == "index.html")
    assert "This article was corrected" in article_page.read_text()
    assert edited.stem.rsplit("-", 1)[0][:20] in article_page.parent.name
    assert all(p.name == "index.html" and p == article_page or "search" in p.parts for p in changed)


def test_a_page_calling_a_model_method_is_rendered_again_by_every_build(archive: Path) -> None:
    # A method's result cannot be digested: the page is opaque, so it is never taken as unchanged.
    _override_template(archive, "home.html", "<h1>{{ config.title }}</h1>",
                       "<h1>{{ config.title }}</h1><p>{{ site.terms_of(latest[0])|length }} terms</p>")
    assert sitegen(archive, "build").code == 0
    edit_article(archive)  # not one of the latest: the home page shows nothing of it
    result = build(load_config(archive))
    assert result.rendered_count == 2  # the edited article's page and the home page


def test_a_page_showing_only_the_body_is_rendered_again_when_the_body_changes(archive: Path, tmp_path: Path) -> None:
    # Without `article_meta` (which reads the whole article), the page's one read of the edited
    # article that changes is its body: the end of it, beyond the summary.
    _override_template(archive, "article.html", "{% set meta = article_meta(article) %}",
                       "{% set meta = {'open_graph': [], 'json_ld': ''} %}")
    assert sitegen(archive, "build").code == 0
    edit_article(archive)
    assert sitegen(archive, "build").code == 0
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_an_edit_keeping_dates_slugs_and_terms_reuses_the_links_and_fingerprints(archive: Path, tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("ranked again")

    monkeypatch.setattr(taxonomy, "rank_related", fail)
    monkeypatch.setattr(taxonomy, "connect_terms", fail)
    monkeypatch.setattr(build_module, "describe", fail)  # page fingerprints are not worked out again
    edit_article(archive)
    _rewrite(_first_article(archive), "byline: ", "byline: Another Writer, ")
    build(load_config(archive))
    monkeypatch.undo()
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_a_rebuild_keeping_the_structure_works_out_only_the_context_of_pages_it_renders(
        archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def counted(name: str) -> Callable[..., object]:
        real = getattr(pages, name)

        def make(*args: object) -> object:
            made.append(name)
            return real(*args)
        return make

    for name in ("term_timeline", "_connections", "_named_terms"):
        monkeypatch.setattr(pages, name, counted(name))
    edit_article(archive)
    result = build(load_config(archive), jobs=1)  # rendered here, where the calls are counted
    assert result.rendered_count == 1 and made == ["_named_terms"]  # the edited article's page
    monkeypatch.undo()
    _rewrite(_first_article(archive), "topics:\n", "topics:\n  - A brand new topic\n")  # a new structure
    for name in ("term_timeline", "_connections"):
        monkeypatch.setattr(pages, name, counted(name))
    build(load_config(archive), jobs=1)
    assert made.count("term_timeline") == made.count("_connections") > 40  # every profile's, for its fingerprint
    monkeypatch.undo()
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_a_rebuild_with_nothing_changed_writes_nothing(archive: Path) -> None:
    stats = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (archive / "build").rglob("*") if p.is_file()}
    run = sitegen(archive, "build")
    assert run.code == 0 and ", 0 changed)" in run.out
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (archive / "build").rglob("*") if p.is_file()} == stats


# Run `sitegen build` in a fresh interpreter; print its exit code and which of these it imported.
_IMPORTS_OF_A_BUILD = """
import sys
from sitegen.cli import main
code = main(["build", "--quiet", "--config", sys.argv[1]])
print(code, [m for m in sys.argv[2:] if m in sys.modules])
"""
_HEAVY = ("jinja2", "numpy", "markdown_it", "lunr", "sitegen.pipeline", "sitegen.render", "sitegen.search",
          "sitegen.loader", "sitegen.importer.run")


def _imports_of_a_build(root: Path) -> str:
    run = subprocess.run([sys.executable, "-c", _IMPORTS_OF_A_BUILD, str(root / "config.yaml"), *_HEAVY],
                         capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_a_no_op_build_imports_nothing_it_does_not_need(archive: Path) -> None:
    # The no-op check (state, scan, fingerprint) is all a build with nothing to do runs: half
    # a no-op's time at 10,000 articles went on importing Jinja2, numpy and Markdown for it.
    assert _imports_of_a_build(archive) == "0 []"
    edit_article(archive)  # with something to do, the same build loads the pipeline (the check sees imports)
    assert _imports_of_a_build(archive) == f"0 {list(_HEAVY[:-1])}"


def test_content_written_just_before_a_build_still_allows_a_no_op_next(archive: Path) -> None:
    config = load_config(archive)
    for path in (archive / "content").rglob("*.md"):  # the same bytes, with a new mtime
        path.write_bytes(path.read_bytes())
    first = build(config)  # the new mtimes are untrusted: files are hashed, and found unchanged
    assert first.rendered_count == 0
    again = build(config)  # written within seconds of the last scan: untrusted again
    assert list(again.timings) == ["scan"]  # nothing but the scan: a no-op
    state = cache.read_state(config)  # the no-op kept the new stats
    assert all(state.inputs[str(path)].mtime_ns == path.stat().st_mtime_ns
               for path in (archive / "content").rglob("*.md"))


def test_a_rebuild_with_nothing_changed_reports_the_same_warnings(scratch) -> None:
    root = scratch({"content/a.md": article("A story", slug="Not Clean")})
    first = sitegen(root, "build")
    second = sitegen(root, "build")
    assert "warning: slug 'Not Clean' is not a clean URL segment" in first.err
    assert second.err == first.err and second.code == first.code == 0


def test_damaged_or_deleted_output_files_are_restored(archive: Path, tmp_path: Path) -> None:
    (archive / "build/archive/index.html").unlink()
    (archive / "build/search.html").write_text("vandalised")
    shutil.rmtree(archive / "build/static")
    assert sitegen(archive, "build").code == 0
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_a_change_that_keeps_size_and_mtime_is_still_seen(archive: Path) -> None:
    path = _first_article(archive)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title: "))
    swapped = title_line.replace(title_line[8], "Z" if title_line[8] != "Z" else "Y", 1)
    path.write_text(text.replace(title_line, swapped, 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as if saved within the same clock tick
    assert path.stat().st_size == stat.st_size
    assert sitegen(archive, "build").code == 0
    assert swapped[8:].strip('"') in (archive / "build/index.html").read_text() or \
        any(swapped[8:].strip('"')[:20] in p.read_text() for p in (archive / "build").rglob("index.html"))


def test_a_damaged_cache_only_costs_time(archive: Path, tmp_path: Path) -> None:
    for path in (archive / ".sitegen-cache").rglob("*.pickle"):
        path.write_bytes(b"not a pickle")
    edit_article(archive)
    assert sitegen(archive, "build").code == 0
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_one_job_and_many_jobs_build_the_same_site(archive: Path, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(archive, twin, ignore=shutil.ignore_patterns("build", ".sitegen-cache"))
    assert sitegen(twin, "build", "--jobs", "1").code == 0
    assert tree_digest(twin / "build") == tree_digest(archive / "build")


def test_a_template_error_in_a_worker_is_reported_and_build_is_kept(archive: Path) -> None:
    before = tree_digest(archive / "build")
    _override_template(archive, "article.html", "<h1>", "<h1>{{ article.no_such_field }}")
    run = sitegen(archive, "build", "--jobs", "2")
    assert run.code == 1
    assert "template error while rendering" in run.err and "no_such_field" in run.err
    assert tree_digest(archive / "build") == before
    assert not (archive / "build.staging").exists()


def test_an_older_article_taking_over_a_slug_relinks_pages_of_the_unchanged_one(tmp_path: Path) -> None:
    # Of two same-titled articles in a month, the older keeps the plain slug: adding an older one
    # moves the existing, unchanged article to a suffixed URL, and every page linking it must follow.
    root = make_site(tmp_path / "site", {
        "content/newer.md": article("Flood warning", "2015-01-20", people=["Ann Lee"]),
        "content/other.md": article("Other news", "2015-03-02", people=["Bo Chan"])})
    assert sitegen(root, "build").code == 0
    (root / "content/older.md").write_text(article("Flood warning", "2015-01-05", people=["Bo Chan"]),
                                           encoding="utf-8")
    assert sitegen(root, "build").code == 0
    assert tree_digest(root / "build") == _cold_build(root, tmp_path / "twin")
    assert (root / "build/2015/01/flood-warning/index.html").read_text().count("Bo Chan") > 0
    (root / "content/older.md").unlink()  # and back: the newer article regains the plain slug
    assert sitegen(root, "build").code == 0
    assert tree_digest(root / "build") == _cold_build(root, tmp_path / "twin2")


def _titles_of_documents_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the search documents made from now on, in this process."""
    made: list[str] = []
    real = search.document_entry
    monkeypatch.setattr(search, "document_entry", lambda source, document, terms: made.append(document.title)
                        or real(source, document, terms))
    return made


def test_a_rebuild_makes_only_the_search_documents_whose_article_changed(archive: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    made = _titles_of_documents_made(monkeypatch)
    edited = edit_article(archive)
    build(load_config(archive), jobs=1)  # in this process, where the entries made are seen
    assert made == [next(line[8:-1] for line in edited.read_text().splitlines() if line.startswith("title: "))]
    documents = sorted((archive / "build/search/docs").iterdir())
    assert len(documents) == 40
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_adding_the_newest_article_makes_only_its_search_document(archive: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Documents are numbered oldest first, so the others keep their numbers and files.
    made = _titles_of_documents_made(monkeypatch)
    documents = {p.name: p.stat().st_mtime_ns for p in (archive / "build/search/docs").iterdir()}
    added = add_article(archive)  # dated after every other article
    build(load_config(archive), jobs=1)
    assert made == [next(line[8:-1] for line in added.read_text().splitlines() if line.startswith("title: "))]
    after = {p.name: p.stat().st_mtime_ns for p in (archive / "build/search/docs").iterdir()}
    assert set(after) - set(documents) == {"40.js"} and all(after[name] == documents[name] for name in documents)
    assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / "twin")


def test_a_rebuild_after_an_edit_keeps_the_term_shards_of_unchanged_ranges(archive: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Ranges of about 20 terms, one shard each, so the archive has dozens of ranges: an edit
    # that adds a sentence must encode only the ranges of its changed terms, and keep the rest.
    monkeypatch.setattr(search_ranges, "ENTRY_BYTES", 7200)
    encoded: list[str] = []
    real = search_ranges.shard_entries
    monkeypatch.setattr(search_ranges, "shard_entries",
                        lambda index: (encoded.extend(index.terms), real(index))[1])
    edit_article(archive, 0)
    build(load_config(archive), jobs=1)  # shards cut this test's way; in this process, where encoding is seen
    total = len(encoded)
    encoded.clear()
    edit_article(archive, 1)
    build(load_config(archive), jobs=1)
    assert 0 < len(encoded) < total / 5, f"{len(encoded)} of {total} terms encoded again"
    assert {"articl", "correct"} <= set(encoded)
    twin = tmp_path / "twin"
    shutil.copytree(archive, twin, ignore=shutil.ignore_patterns("build", "build.*", ".build.*", ".sitegen-cache"))
    build(load_config(twin), jobs=1)
    assert tree_digest(archive / "build") == tree_digest(twin / "build")


def test_rebuilds_add_to_the_recorded_reads_and_number_them_afresh_once_stale_ones_pile_up(
        archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(archive)

    def state() -> cache.BuildState:
        found = cache.read_state(config)
        assert found is not None and cache.read_details(config, found)
        return found

    def in_use(found: cache.BuildState) -> int:
        return len({n for _, reads in found.pages.values() if reads is not None for n in reads})

    monkeypatch.setattr(build_module, "STALE_READS", 0.15)
    first = state()
    assert len(first.reads) == in_use(first) == first.numbered_reads  # a first build keeps only reads in use
    added = 0
    while True:
        before = state()
        edit_article(archive, nth=added)
        result = build(config)
        after = state()
        assert tree_digest(archive / "build") == _cold_build(archive, tmp_path / f"twin{added}")
        if len(after.reads) > len(before.reads) and after.reads[:len(before.reads)] == before.reads:
            # Added to: each unchanged page keeps its numbers; the rendered ones' reads come after.
            kept = [url for url in before.pages if after.pages[url][1] == before.pages[url][1]]
            assert len(kept) == len(before.pages) - result.rendered_count > 0
            added += 1
            assert added < 30
        else:  # numbered afresh: only the reads in use are kept
            assert len(after.reads) == in_use(after) == after.numbered_reads < len(before.reads)
            break
    assert added > 1


def test_a_render_worker_renders_each_job_with_its_own_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A worker keeps its renderer from chunk to chunk of one job. Python gives a new object the
    # id of a freed one, so a job may have the last job's id (here every job has the same): the
    # renderer must still be the new job's (a dev server rendering in its own process showed
    # the last build's model, and a fresh-clone run failed writing into a staging folder gone).
    monkeypatch.setattr(workers, "id", lambda value: 0, raising=False)
    rendered = []
    for name in ("Archive One", "Archive Two"):
        root = make_site(tmp_path / name, {"content/a.md": article("A headline")})
        _rewrite(root / "config.yaml", "title: Test Archive", f"title: {name}")
        plan = check_site(load_config(root))
        staging = tmp_path / f"{name} staging"
        staging.mkdir()
        parallel.install(workers.RenderJob(plan.site, plan.pages, workers.Target(root / "build", staging, {})))
        index = next(i for i, page in enumerate(plan.pages) if page.template == "article.html")
        workers.render_chunk([index])
        rendered.append((staging / plan.pages[index].url).read_text(encoding="utf-8"))
    parallel.install(None)
    assert "Archive One" in rendered[0] and "Archive Two" in rendered[1] and "Archive One" not in rendered[1]
    assert workers._renderer is None  # gone with its job, and the model with it


def test_a_rendered_chunk_sends_each_read_once_and_its_pages_name_them_by_place(tmp_path: Path) -> None:
    # The build numbers a chunk's distinct reads once; each page's places must give back the
    # reads its render recorded, which a page rendered alone shows.
    stories = {f"content/{n}.md": article(f"Story {n}", f"2015-01-1{n}", people=["Mark Rowley"]) for n in range(3)}
    root = make_site(tmp_path / "site", stories)
    plan = check_site(load_config(root))
    staging = tmp_path / "staging"
    staging.mkdir()
    chosen = [i for i, page in enumerate(plan.pages) if page.template in ("article.html", "term.html")]
    alone = {}
    for index in chosen:
        parallel.install(workers.RenderJob(plan.site, plan.pages, workers.Target(root / "build", staging, {})))
        [(_, _, places, _)] = (chunk := workers.render_chunk([index])).pages
        alone[index] = {chunk.reads[p] for p in places}
    parallel.install(workers.RenderJob(plan.site, plan.pages, workers.Target(root / "build", staging, {})))
    together = workers.render_chunk(chosen)
    parallel.install(None)
    assert len(set(together.reads)) == len(together.reads) < sum(map(len, alone.values()))  # shared reads sent once
    assert {index: {together.reads[p] for p in places} for index, _, places, _ in together.pages} == alone
    assert all(any(read[0][:2] == ("term", "people") for read in reads) for reads in alone.values())
