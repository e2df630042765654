"""The cache's parts: descriptions and digests, read recording, article store, input scan,
the in-place commit and its rollback, and the parallel stage helpers."""
from __future__ import annotations

import os
import pickle
from array import array
from dataclasses import fields
from enum import IntEnum
from pathlib import Path

import pytest
from jinja2 import pass_context
from markupsafe import Markup

from sitegen import cache as store
from sitegen.check import Plan, check_site
from sitegen.config import load_config
from sitegen.discovery import article_meta
from sitegen.fingerprints import DIGEST_SIZE, Opaque, ReadLog, changed_reads, describe, digest_of
from sitegen.model import EMPTY_BODY, Body
from sitegen.output import commit_patch, recover, stage_file
from sitegen.parallel import InlineExecutor, chunked, shared, stage_executor
from sitegen.pages import Page
from sitegen.recording import Recorder
from sitegen.search_analysis import Analyser
from sitegen.render import make_environment
from support import FIXTURES, article, make_site


def _plan(root: Path) -> Plan:
    return check_site(load_config(root))


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    root = make_site(tmp_path / "site", {
        "content/a.md": article("Alpha story", "2015-01-02", people=["Ann Smith", "Bob Jones"], topics=["Floods"]),
        "content/b.md": article("Beta story", "2015-02-03", people=["Ann Smith"], topics=["Floods"]),
    })
    return _plan(root)


def test_model_objects_are_described_by_identity_and_values_by_content(plan: Plan) -> None:
    site = plan.site
    first = site.articles[0]
    assert describe(first) == ("@", "article", first.source_file)
    assert describe([first, 3, "x"]) == (("@", "article", first.source_file), 3, "x")
    assert describe(Markup("<b>")) != describe("<b>")  # one is shown as markup, the other escaped
    assert digest_of(describe(first.date)) == digest_of(describe(first.date))
    with pytest.raises(Opaque):
        describe(lambda: None)


def test_digests_depend_on_the_value_only() -> None:
    # Interned or not, shared or copied: equal descriptions have one digest.
    shared_part = ("x", 1.5)
    assert digest_of(("abc", shared_part, shared_part)) == digest_of(("".join(["ab", "c"]), ("x", 1.5), ("x", 1.5)))
    assert len({digest_of(value) for value in ("1", 1, 1.0, True, b"1", (1,), None)}) == 7
    assert digest_of(("x", 2)) != digest_of(("x", 3))

    class Level(IntEnum):  # marshal refuses int subclasses: digested by repr instead
        LOW = 1

    assert digest_of((Level.LOW,)) == digest_of((Level.LOW,)) != digest_of((1,))


def _render(plan: Plan, source: str, **context: object) -> tuple[str, set[tuple]]:
    env = make_environment(plan.site.config)
    recorder = Recorder(env, ReadLog(plan.site.config))
    recorder.start()
    text = env.from_string(source).render(site=plan.site, config=plan.site.config, **context)
    reads = recorder.finish()
    return text, {read for read, _ in reads} if reads is not None else None


def test_template_reads_are_recorded_per_attribute(plan: Plan) -> None:
    first = plan.site.articles[0]
    text, reads = _render(plan, "{{ article.title }} {{ article.date.year }}", article=first)
    assert text == f"{first.title} {first.date.year}"
    assert reads == {("article", first.source_file, "title"), ("article", first.source_file, "date")}


def test_functions_called_from_templates_record_what_they_read(plan: Plan) -> None:
    people = plan.site.taxonomies["people"]
    first = plan.site.articles[0]
    source = "{% for t in terms|groupby_initial %}{{ t[0] }}{% endfor %}|{{ names(taxonomy, article) }}"
    env_names = lambda taxonomy, article: ",".join(t.name for t in taxonomy.terms_of(article))  # noqa: E731
    env = make_environment(plan.site.config)
    env.globals["names"] = env_names
    recorder = Recorder(env, ReadLog(plan.site.config))
    recorder.start()
    text = env.from_string(source).render(terms=people.terms, taxonomy=people, article=first)
    reads = {read for read, _ in recorder.finish()}
    assert text.endswith("|Ann Smith")
    assert ("term", "people", people.terms[0].key, "name") in reads  # read inside groupby_initial
    # terms_of looked up this article's names only, not the whole index of people
    assert ("taxonomy", "people", ("[]", "by_key", "ann smith")) in reads
    assert ("taxonomy", "people", "by_key") not in reads


def test_links_record_only_their_targets_urls_and_each_page_starts_afresh(plan: Plan) -> None:
    term, article = plan.site.taxonomies["people"].terms[0], plan.site.articles[0]
    env = make_environment(plan.site.config)
    recorder = Recorder(env, ReadLog(plan.site.config))
    pages = [("{{ href(term) }} {{ href(term, 2) }} {{ href(term, page=70) }}", {"term": term}),
             ("{{ url_of(article) }} {{ href('https://example.org/') }}", {"article": article})]
    found = []
    for source, context in pages:
        recorder.start()
        env.from_string(source).render(page=Page("a/b/index.html", "x.html"), config=plan.site.config, **context)
        found.append({read for read, _ in recorder.finish()})
    key = ("term", "people", term.key)
    assert found == [{(*key, "url:1"), (*key, "url:2"), (*key, "url:70")},
                     {("article", article.source_file, "url:1")}]


@pytest.mark.parametrize("name", ["basic", "profiles", "unicode", "hostile"])
def test_article_meta_declares_exactly_what_watching_it_records(name: str) -> None:
    # article_meta's reads are declared (recording them one by one cost more than the function):
    # the declaration must name what watching each read records, the article's own reads being
    # one read of the whole article. Profiles bring aliases, links and base_url.
    site = _plan(FIXTURES / "sites" / name).site
    env = make_environment(site.config)
    env.globals["watched_meta"] = pass_context(lambda context, a: article_meta(context, a))  # watched like any global
    recorder = Recorder(env, ReadLog(site.config))
    compared = 0
    for a in site.articles:
        found = []
        for call in ("article_meta", "watched_meta"):
            recorder.start()
            text = env.from_string(f"{{{{ {call}(article).json_ld }}}}").render(site=site, article=a)
            found.append((text, {read[:-1] + ("*",) if read[:2] == ("article", a.source_file) else read
                                 for read, _ in recorder.finish()}))
        assert found[0] == found[1]
        compared += len(found[0][1])
    assert compared > 10 * len(site.articles)


def test_an_iterator_handed_to_a_function_makes_the_page_opaque(plan: Plan) -> None:
    env = make_environment(plan.site.config)
    env.filters["count_them"] = lambda items: sum(1 for _ in items)
    recorder = Recorder(env, ReadLog(plan.site.config))
    recorder.start()
    env.from_string("{{ articles|map(attribute='title')|count_them }}").render(articles=plan.site.articles)
    assert recorder.finish() is None


def test_changed_reads_finds_exactly_what_differs(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"content/a.md": article("Alpha", "2015-01-02", topics=["Floods"]),
                                         "content/b.md": article("Beta", "2015-02-03", topics=["Floods"])})
    before = _plan(root)
    log = ReadLog(before.site.config)
    a, b = before.site.articles[1], before.site.articles[0]
    term = before.site.taxonomies["topics"].terms[0]
    recorded = [log.entry(a, "title"), log.entry(b, "title"), log.entry(term, "article_count")]
    (root / "content/b.md").write_text(article("Beta, corrected", "2015-02-03", topics=["Floods"]))
    after = _plan(root)
    changed = changed_reads(recorded, after.site, ReadLog(after.site.config), {a.source_file})
    assert changed == {1}  # b's title


def test_article_cache_round_trip_and_a_new_fingerprint_starts_empty(plan: Plan, tmp_path: Path) -> None:
    config = plan.site.config
    cache = store.ArticleCache(config, "print-1")
    cache.load()
    from sitegen.loader import LoadResult
    result = LoadResult(plan.site.articles[0], ())
    cache.put("content/a.md", "abc", result)
    cache.save()
    store.ArticleCache._memory.clear()  # as a new process would see it
    again = store.ArticleCache(config, "print-1")
    again.load()
    assert again.get("content/a.md", "abc")[1].article.title == plan.site.articles[0].title
    assert again.get("content/a.md", "other") is None
    changed = store.ArticleCache(config, "print-2")
    changed.load()
    assert changed.get("content/a.md", None) is None


def test_build_state_round_trips_with_long_lists_in_slices(plan: Plan) -> None:
    config = plan.site.config
    shared_key = ("term", "people", "mark rowley")  # one object, referenced across slices
    state = store.BuildState("print", outputs={"index.html": store.OutputFile(1, 2, 3, b"d")},
                             pages={"index.html": (b"f", array("I", [0, 1]))}, article_count=3,
                             problems=[], skipped_sources=["content/bad.md"])
    reads = [((shared_key, n), bytes([n % 256]) * DIGEST_SIZE) for n in range(2 * store.STATE_SLICE + 7)]
    assert [state.add_read(read, digest) for read, digest in reads] == list(range(len(reads)))
    with pytest.raises(ValueError):
        state.add_read(("site",), b"short")
    store.write_state(config, state)
    again = store.read_state(config)
    assert again is not None and again.outputs == state.outputs and again.reads == []  # details come later
    assert store.read_details(config, again) and again == state
    assert list(again.recorded_reads()) == reads and again.read_at(7) == reads[7]
    store.state_path(config).write_bytes(store.state_path(config).read_bytes()[:-40])  # cut short
    assert store.read_state(config) is None


def test_state_details_are_trusted_only_beside_the_state_they_were_written_with(plan: Plan) -> None:
    config = plan.site.config
    first = store.BuildState("print", pages={"a.html": (b"f", array("I", [0]))})
    first.add_read(("site",), bytes(DIGEST_SIZE))
    store.write_state(config, first)
    first_details = store.details_path(config).read_bytes()
    second = store.BuildState("print", pages={"b.html": (b"g", None)})
    store.write_state(config, second)
    store.details_path(config).write_bytes(first_details)  # a crash between the two files, say
    again = store.read_state(config)
    assert again is not None and not store.read_details(config, again)
    assert again.pages == {} and again.reads == []  # a rebuild then renders every page
    store.write_state(config, second)
    store.details_path(config).write_bytes(store.details_path(config).read_bytes()[:-10])
    again = store.read_state(config)
    assert again is not None and not store.read_details(config, again) and again.pages == {}
    store.write_state(config, second)
    again = store.read_state(config)
    again.scanned_ns = 5
    store.write_state(config, again, details=False)  # a no-op keeping new stats: details still match
    again = store.read_state(config)
    assert again.scanned_ns == 5 and store.read_details(config, again) and again.pages == second.pages


def test_an_article_pickles_with_its_bodies_intact(tmp_path: Path) -> None:
    import pickle
    root = make_site(tmp_path / "site", {
        "content/a.md": article("Zoë’s story", "2015-01-02", people=["Zoë Ball"],
                                body='"Quoted," she said -- in Łódź.\n\nSecond paragraph.')})
    original = _plan(root).site.articles[0]
    assert not original.body_html.isascii()  # curly quotes, dashes, accents
    again = pickle.loads(pickle.dumps(original))
    assert again.__dict__ == original.__dict__
    assert (again.body_html, again.body_text) == (original.body_html, original.body_text)
    assert "Łódź" in again.body_text and "<p>Second paragraph.</p>" in again.body_html


def test_article_bodies_are_held_compressed_and_read_back_whole() -> None:
    html = "<p>“Quoted,” she said – in Łódź.</p>\n" * 300
    text = "“Quoted,” she said – in Łódź.\n" * 300
    body = Body.of(html, text)
    assert body.html == html and body.text == text
    assert len(body.packed) < len(html) // 10  # the model holds the packed bytes only
    assert Body.of("", "") == EMPTY_BODY and EMPTY_BODY.html == EMPTY_BODY.text == ""
    for html, text in [("", "only text"), ("<p>only html</p>", ""), ("<p>a\0b</p>", "a\0b")]:
        assert (Body.of(html, text).html, Body.of(html, text).text) == (html, text)


def test_scan_trusts_a_stat_only_when_the_file_is_older_than_the_last_scan(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"content/a.md": article("Alpha")})
    config = load_config(root)
    first = store.scan_inputs(config, {}, 0)
    path = str(root / "content/a.md")
    assert first[path] is None  # a content file is hashed by the loader, not the scan
    known = {p: s or store.hash_file(Path(p)) for p, s in first.items()}
    just_now = store.now_ns()
    assert store.scan_inputs(config, known, just_now)[path] is None  # too fresh to trust
    assert store.scan_inputs(config, known, just_now + 10 * store.RACY_NS)[path] == known[path]


def _site_folder(root: Path, files: dict[str, str]) -> dict[str, str]:
    for url, text in files.items():
        (root / url).parent.mkdir(parents=True, exist_ok=True)
        (root / url).write_text(text)
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_patch_commit_replaces_adds_and_removes_in_place(tmp_path: Path) -> None:
    out = tmp_path / "build"
    _site_folder(out, {"index.html": "old home", "a/index.html": "old a", "gone/index.html": "bye"})
    staging = tmp_path / "build.staging"
    staging.mkdir()
    made: set[str] = set()
    for url, text in {"index.html": "new home", "b/index.html": "new b"}.items():
        stage_file(staging, url, text.encode(), made)
    commit_patch(out, staging, ["index.html", "b/index.html"], ["gone/index.html"])
    assert {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()} == \
        {"index.html": "new home", "a/index.html": "old a", "b/index.html": "new b"}
    assert not (out / "gone").exists() and not staging.exists()


def test_a_patch_commit_cut_short_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "build"
    before = _site_folder(out, {"index.html": "old home", "a/index.html": "old a", "gone/index.html": "bye"})
    staging = tmp_path / "build.staging"
    staging.mkdir()
    made: set[str] = set()
    for url in ("index.html", "a/index.html", "b/index.html"):
        stage_file(staging, url, b"new", made)
    real_replace, calls = os.replace, []

    def crash_on_third(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if killed here
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        commit_patch(out, staging, ["index.html", "a/index.html", "b/index.html"], ["gone/index.html"])
    monkeypatch.setattr(os, "replace", real_replace)
    assert (out / "index.html").read_text() == "new"  # half done...
    recover(out)  # ...until the next build starts
    assert {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "build.backup").exists() and not (tmp_path / ".build.journal").exists()


def test_stage_file_refuses_paths_that_leave_the_folder(tmp_path: Path) -> None:
    for url in ("../x.html", "a/../../x.html", "/etc/x", "a//b.html", "a\\b.html", ""):
        with pytest.raises(Exception, match="refusing to write"):
            stage_file(tmp_path, url, b"x", set())


def _sum_with_shared(numbers: list[int]) -> int:
    return sum(numbers) + shared()


def test_chunks_taper_so_that_the_jobs_finish_together() -> None:
    items = list(range(16963))
    sizes = [len(chunk) for chunk in chunked(items, jobs=2, smallest=25)]
    assert [n for chunk in chunked(items, jobs=2, smallest=25) for n in chunk] == items
    full = -(-len(items) // 8)  # four chunks a job
    assert max(sizes) == full and sizes[0] == full
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-2] == full // 4  # the last but one: a quarter of a chunk, not a whole one
    assert len(sizes) < 16
    assert [len(chunk) for chunk in chunked(list(range(30)), jobs=2, smallest=25)] == [25, 5]


def test_stages_share_one_value_with_every_worker() -> None:
    chunks = chunked(list(range(100)), jobs=2, smallest=10)
    assert [n for chunk in chunks for n in chunk] == list(range(100))
    assert all(len(chunk) >= 10 for chunk in chunks[:-1])
    for jobs in (1, 2):
        with stage_executor(jobs, 1000, len(chunks)) as executor:
            assert isinstance(executor, InlineExecutor) == (jobs == 1)
            totals = [f.result() for f in [executor.submit(_sum_with_shared, c) for c in chunks]]
        assert sum(totals) == sum(range(100)) + 1000 * len(chunks)


def test_builds_into_two_output_folders_keep_their_search_input_apart(tmp_path: Path) -> None:
    """Builds into two folders may run at once (each holds its folder's lock): neither may read
    the search input the other saved."""
    import dataclasses

    config = load_config(make_site(tmp_path / "site", {}))
    other = dataclasses.replace(config, output_dir=tmp_path / "site" / "preview")
    assert store.search_input_path(config) != store.search_input_path(other)
    assert store.search_input_path(config).parent == store.state_path(config).parent


def test_the_analysis_file_is_rewritten_only_once_enough_documents_are_new(tmp_path: Path) -> None:
    """Rewriting the whole file for one edited article costs more than analysing it again next
    time; past one new document in `UNSAVED_SHARE` the file is rewritten with them."""
    config = load_config(make_site(tmp_path / "site", {}))
    texts = [[f"story {n} about the patrols", f"body {n}"] for n in range(200)]
    analyser = store.read_analyser(config, "code")
    for document in texts:
        analyser.analysed(document)
    store.write_analyser(config, "code", analyser, remember=False)
    path = store.cache_folder(config) / "search.pickle"
    saved = path.read_bytes()

    analyser = store.read_analyser(config, "code")
    analyser.analysed(["an edited story", "new words"])
    assert analyser.added == 1
    store.write_analyser(config, "code", analyser, remember=False)
    assert path.read_bytes() == saved  # one new document in 201: left for the next build

    edited = [["an edited story", "new words"], ["a second edit", "words"], ["a third edit", "words"]]
    analyser = store.read_analyser(config, "code")
    for document in edited:
        analyser.analysed(document)
    assert analyser.added == 3  # the one from before is analysed again, and two more
    store.write_analyser(config, "code", analyser, remember=False)
    assert path.read_bytes() != saved
    again = store.read_analyser(config, "code")
    for document in edited:
        again.analysed(document)
    assert again.added == 0


def test_an_analyser_read_ahead_is_taken_once_and_only_while_the_file_is_unchanged(tmp_path: Path) -> None:
    """A search process reads the analysis file while it waits for the model; the read that
    follows takes that copy (once: the process frees it as it scores), unless the file changed."""
    config = load_config(make_site(tmp_path / "site", {}))
    analyser = store.read_analyser(config, "code")
    analyser.analysed(["a story", "its body"])
    store.write_analyser(config, "code", analyser, remember=False)

    store.read_analyser_ahead(config, "code")
    ahead = store._read_ahead[store.cache_folder(config) / "search.pickle"][2]
    assert len(ahead.documents) == 1
    assert store.read_analyser(config, "code") is ahead
    assert store.read_analyser(config, "code") is not ahead  # taken: read from the file again

    store.read_analyser_ahead(config, "code")
    other = Analyser()
    other.analysed(["another story", "more"])
    store.write_analyser(config, "other code", other, remember=False)  # the file changes meanwhile
    assert store.read_analyser(config, "code").documents == {}  # not the copy read ahead


def test_records_pickle_as_their_fields_and_come_back_equal() -> None:
    for record in (store.FileState(10, 20, 30, "ab" * 32), store.OutputFile(1, 2, 3, b"d" * 16),
                   Body.of("<p>Zoë</p>", "Zoë"), Body()):
        again = pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
        assert again == record and type(again) is type(record)
        assert record.__reduce__() == (type(record), tuple(getattr(record, f.name) for f in fields(record)))
