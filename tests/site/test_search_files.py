"""The search files a build writes: built from the model, scripts not fetches, one per document."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import edit_article, generate_archive
from sitegen.check import check_site
from sitegen.config import load_config
from sitegen.search import build_search_files, search_file_sizes
from search_support import build_search_project
from support import REPO, article, broken_links, html_errors, sitegen

CALL = re.compile(r'^sitegenSearchData\("([^"]+)",(.*)\);\n\Z', re.S)


@pytest.fixture(scope="module")
def search_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `search` fixture site plus the seed article, built once."""
    return build_search_project(tmp_path_factory.mktemp("search") / "site")


def _data(path: Path) -> tuple[str, object]:
    match = CALL.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} is not one sitegenSearchData call"
    return match[1], json.loads(match[2])


def test_every_search_file_is_a_script_that_assigns_data(search_project: Path) -> None:
    out = search_project / "build"
    files = sorted((out / "search").rglob("*.js"))
    _, manifest = _data(out / "search" / "manifest.js")
    shard = f"terms/{manifest['shardFiles'][0]}.js"
    assert {f.relative_to(out / "search").as_posix() for f in files} >= {"manifest.js", "facets.js", shard, "lengths/0.js"}
    for path in files:
        key, _ = _data(path)
        assert key == path.relative_to(out / "search").with_suffix("").as_posix()
    assert (out / "static" / "lunr.min.js").read_bytes() == (REPO / "node_modules/lunr/lunr.min.js").read_bytes()
    for script in ("search.js", "search-core.js"):
        code = (out / "static" / script).read_text(encoding="utf-8")
        assert "fetch(" not in code and "XMLHttpRequest" not in code and "innerHTML" not in code


def test_one_document_per_article_with_what_a_result_shows(search_project: Path) -> None:
    out = search_project / "build"
    _, manifest = _data(out / "search" / "manifest.js")
    docs = [_data(out / "search" / "docs" / f"{n}.js")[1] for n in range(manifest["docCount"])]
    assert manifest["docCount"] == 6 == len(list((out / "search" / "docs").iterdir()))
    seed = next(d for d in docs if d["title"].startswith("Police to increase patrols"))
    assert seed["source"] == "The Independent" and seed["date"] == "2015-01-16"
    assert seed["dateText"] == "16 January 2015"
    assert (out / seed["url"]).is_file()
    assert ["people", "Mark Rowley", "people/mark-rowley/index.html"] in seed["terms"]
    assert all((out / term[2]).is_file() for term in seed["terms"])
    assert "Mark Rowley, the national police lead" in seed["text"]
    hostile = next(d for d in docs if "xsstest" in d["text"])
    assert hostile["title"] == "<img src=x onerror=alert(1)>"  # as written: the page inserts it as text


def test_index_comes_from_the_model_not_the_html(search_project: Path) -> None:
    out = search_project / "build"
    _, manifest = _data(out / "search" / "manifest.js")
    terms = {entry[0] for name in manifest["shardFiles"] for entry in _data(out / "search" / "terms" / f"{name}.js")[1]}
    assert {"rowley", "societ", "zoe", "patrol"} <= terms  # folded and stemmed
    assert "skip" not in terms and "archiv" not in terms  # page chrome ("Skip to content", "Archive")
    assert manifest["fields"][:4] == ["title", "topics", "people", "organisations"]
    assert manifest["pipeline"] == ["sitegenFold", "stemmer"]


def test_search_page_and_header_box(search_project: Path) -> None:
    out = search_project / "build"
    page = (out / "search.html").read_text(encoding="utf-8")
    assert html_errors(out / "search.html") == []
    assert '<label for="search-query">' in page and 'name="q"' in page
    assert 'role="status" aria-live="polite"' in page
    assert 'data-manifest="search/manifest.js"' in page
    nested = out / "2015" / "01" / "police-to-increase-patrols-in-jewish-communities-after-paris-attacks" / "index.html"
    assert 'action="../../../search.html"' in nested.read_text(encoding="utf-8")
    assert broken_links(out) == []


def test_search_files_are_deterministic_and_measured(search_project: Path) -> None:
    site = check_site(load_config(search_project)).site
    first, second = build_search_files(site), build_search_files(site)
    assert first == second
    sizes = search_file_sizes(first.items())
    assert sizes["doc_file_count"] == 6 and sizes["shard_count"] >= 1
    for kind in ("index", "store", "facets", "lunr"):
        assert 0 < sizes[f"{kind}_gzip"] < sizes[f"{kind}_raw"]


def test_a_site_without_articles_still_gets_search(scratch) -> None:
    root = scratch({})
    assert sitegen(root, "build").code == 0
    _, manifest = _data(root / "build" / "search" / "manifest.js")
    assert manifest["docCount"] == 0 and manifest["shards"] == [""]


def test_make_bench_measures_the_search_files_a_build_wrote(search_project: Path) -> None:
    from bench.__main__ import search_sizes  # reads the output one file at a time

    site = check_site(load_config(search_project)).site
    assert search_sizes(search_project / "build") == search_file_sizes(build_search_files(site).items())


def test_a_search_file_that_would_take_a_pages_url_fails_the_build(scratch, monkeypatch) -> None:
    """Search files are `.js` and pages `.html`, so they never meet; were a search file to take a
    page's url, the build stops rather than let one overwrite the other."""
    from sitegen import search_shards
    from sitegen.build import build

    root = scratch({"content/a.md": article("A story", "2016-03-16")})
    real = search_shards.data_url
    monkeypatch.setattr(search_shards, "data_url", lambda key: "index.html" if key == "manifest" else real(key))
    with pytest.raises(RuntimeError, match="index.html"):
        build(load_config(root), jobs=1)  # in this process, where the patch holds
    assert not (root / "build").exists()


def test_search_input_saved_and_read_back_makes_the_same_files(search_project: Path, tmp_path: Path,
                                                              monkeypatch) -> None:
    """The forked search processes never hold the model: they read its search input from a file."""
    from sitegen import search_input
    from sitegen.search import iter_search_index_files, iter_search_store_files
    from sitegen.search_input import SearchInput

    monkeypatch.setattr(search_input, "_BATCH", 4)  # two batches of documents in the file
    site = check_site(load_config(search_project)).site
    SearchInput.of_site(site).write(tmp_path / "input.pickle")
    source = SearchInput.read(tmp_path / "input.pickle")
    assert source.count == len(site.articles) == 6
    assert [d.title for d in source.documents()] == [d.title for d in source.documents()] \
        == [a.title for a in reversed(site.articles)]  # oldest first
    files = {**dict(iter_search_index_files(source)), **dict(iter_search_store_files(source))}
    assert files == build_search_files(site)


# A build in a fresh process (no threads: the search processes fork), logging which search task
# each of them was sent.
_FORKED_BUILD = """
import sys
from pathlib import Path
from sitegen import workers
from sitegen.build import build
from sitegen.config import load_config

real = workers.search_task

def logged(path, code_key, name, *rest):
    with open(sys.argv[2], "a", encoding="utf-8") as log:
        log.write(name + "\\n")
    return real(path, code_key, name, *rest)

workers.search_task = logged
build(load_config(Path(sys.argv[1])), jobs=2)
"""


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_search_processes_forked_before_the_model_make_what_one_process_makes(scratch, tmp_path: Path) -> None:
    """Cold, one forked process makes every search file; after an edit, one the index and one the
    documents. Both read the model's search input from a file, removed once they are done; the
    output equals a build that makes its search files in the build's own process."""
    import shutil

    from sitegen.build import build

    root = scratch({f"content/story-{n}.md": article(f"Story {n}", f"2016-0{n % 9 + 1}-1{n % 9}",
                                                     body=f"Words about the patrols, number {n}.",
                                                     people=["Mark Rowley"] if n % 2 else ["Theresa May"])
                    for n in range(12)})
    log = tmp_path / "tasks.log"
    script = [sys.executable, "-c", _FORKED_BUILD, str(root), str(log)]
    subprocess.run(script, cwd=REPO, check=True, capture_output=True, text=True)
    (root / "content/story-3.md").write_text(article("Story three, edited", "2016-04-13", body="Other words."),
                                             encoding="utf-8")
    subprocess.run(script, cwd=REPO, check=True, capture_output=True, text=True)
    tasks = log.read_text(encoding="utf-8").split()
    assert tasks[0] == "all" and sorted(tasks[1:]) == ["index", "store"]
    assert not list((root / ".sitegen-cache").rglob("*search-input*"))
    alone = tmp_path / "alone"
    shutil.copytree(root, alone, ignore=shutil.ignore_patterns("build", ".sitegen-cache", ".build.lock"))
    build(load_config(alone), jobs=1)
    assert _tree(root / "build") == _tree(alone / "build")


def test_editing_one_article_rewrites_only_the_search_files_its_edit_touches(tmp_path: Path) -> None:
    # The shards hold counts, not BM25 weights (which depend on every article's length), end at
    # terms picked by their digest and are named by their first term: so a sentence added to
    # one article changes the shards of that sentence's terms, not all of them.
    root = tmp_path / "site"
    generate_archive(root, 200, seed=5)

    def files() -> dict[str, bytes]:
        return build_search_files(check_site(load_config(root)).site, shard_bytes=3000)

    before = files()
    edit_article(root)  # "This article was corrected (1)." at the end of one article's body
    after = files()
    changed = {url for url in before.keys() | after.keys() if before.get(url) != after.get(url)}
    shards = [url for url in before if url.startswith("search/terms/")]
    assert len(shards) > 40
    edited = {"search/manifest.js", "search/lengths/0.js", "search/docs/100.js"}  # it is the 101st oldest
    others = {url for url in changed if not url.startswith("search/terms/")}
    assert edited <= others <= edited | {"search/lexicon.js"}  # the lexicon if a term is new
    # The shards of "articl", "correct" and "1" (new: the lexicon changes), and the shard ends
    # a grown entry moves until they meet a picked term again (2 or 3 shards).
    assert 1 <= len([url for url in changed if url.startswith("search/terms/")]) <= 10
