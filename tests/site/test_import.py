"""`sitegen import` end to end: the shared sample article, the fixture set, idempotence, --update."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.loader import parse_article
from support import FIXTURES, article, broken_links, sitegen

IMPORT = FIXTURES / "import"
# A copy of ../shared/sample-articles/ kept in the repo, so a clean clone in CI has it too.
SAMPLE_DIR = IMPORT / "sample-articles"
SAMPLE = SAMPLE_DIR / "uk-police-patrols-jewish-communities.txt"
SHARED_SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "sample-articles" / SAMPLE.name
JSONL_MAP = "title=headline,date=pub_date,body=text,byline=author,original_url=link,topics=tags"
# An article already in the archive, so these names are known to it.
KNOWN = article("Known names", "2015-01-02", "An older story.",
                people=["Mark Rowley", "Theresa May", "Alan Pryce", "Jonas Berg"],
                organisations=["Eastport Harbour Board"], topics=["Lifeboats"])
ALIASES = "Eastport Borough Council:\n  aliases: [Eastport Council]\n"


def _articles(root: Path) -> dict[str, object]:
    """Every content file below root/content, loaded by sitegen's own loader: source -> Article."""
    config = load_config(root)
    loaded = {}
    for path in sorted((root / "content").rglob("*.md")):
        source = path.relative_to(root).as_posix()
        result = parse_article(path.read_bytes(), source, config)
        assert result.article is not None, [p.format() for p in result.problems]
        assert [p.format() for p in result.problems] == []
        loaded[source] = result.article
    return loaded


def _content_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "content").rglob("*"))
            if p.is_file()}


@pytest.fixture
def sample() -> Path:
    return SAMPLE


@pytest.mark.skipif(not SHARED_SAMPLE.is_file(), reason="../shared/ is not beside this checkout")
def test_the_kept_sample_is_the_shared_one() -> None:
    assert SAMPLE.read_bytes() == SHARED_SAMPLE.read_bytes()


@pytest.fixture
def archive(scratch) -> Path:
    """A project whose archive already knows some names, one of them by an alias in data/."""
    return scratch({"content/2015/01/known.md": KNOWN, "data/organisations.yaml": ALIASES})


def test_sample_article_imports_with_image_lines_title_and_known_names(archive: Path, sample: Path) -> None:
    run = sitegen(archive, "import", str(sample), "--image-lines", "2", "--date", "2015-01-16",
                  "--title", "Police to increase patrols in Jewish communities", "--source", "The Independent")
    assert run.code == 0, run.out + run.err
    target = "content/2015/01/police-to-increase-patrols-in-jewish-communities.md"
    assert target in run.out
    imported = _articles(archive)[target]
    assert imported.title == "Police to increase patrols in Jewish communities"
    assert imported.date.date().isoformat() == "2015-01-16"
    assert imported.source == "The Independent"
    assert imported.image.alt == "armed police"
    assert imported.image.caption == ("Police said there is 'heightened concern' about the risk to the UK's "
                                      "Jewish communities")
    assert imported.image.credit == "Reuters"
    assert imported.body_text.startswith("Police are to increase their patrols")
    assert "armed police" not in imported.body_text
    assert imported.terms["people"] == ("Mark Rowley", "Theresa May")
    assert "tagged by names already known to the archive" in run.out


def test_sample_names_are_not_tagged_until_known(scratch, sample: Path) -> None:
    root = scratch({})
    run = sitegen(root, "import", str(sample), "--image-lines", "2", "--date", "2015-01-16", "--title", "Patrols")
    assert run.code == 0, run.out + run.err
    (imported,) = _articles(root).values()
    assert imported.terms["people"] == ()


def test_sample_without_title_is_listed_as_needing_a_headline(archive: Path, sample: Path) -> None:
    run = sitegen(archive, "import", str(sample), "--image-lines", "2", "--date", "2015-01-16")
    assert run.code == 1
    assert "imported 0 articles" in run.out
    assert f"{SAMPLE_DIR.name}/{sample.name}: no headline" in run.out
    assert "--title TEXT" in run.out
    assert list((archive / "content").rglob("*.md")) == [archive / "content/2015/01/known.md"]


def _import_fixtures(root: Path, *extra: str):
    return sitegen(root, "import", str(IMPORT / "text"), str(IMPORT / "html"), str(IMPORT / "export.jsonl"),
                   "--map", JSONL_MAP, *extra)


def test_fixtures_import_as_specified_and_build_with_no_broken_links(archive: Path) -> None:
    run = _import_fixtures(archive)
    assert run.code == 1  # the third JSON line has no date
    articles = _articles(archive)
    by_title = {a.title: a for a in articles.values()}
    # Plain text: headline, byline and dateline read; Latin-1 and UTF-16 decoded and reported.
    library = by_title["Eastport library to open on Sundays"]
    assert library.byline == ("Ruth Alder",)
    assert library.date.date().isoformat() == "2016-03-12"
    assert library.terms["people"] == ("Alan Pryce",)
    assert library.terms["organisations"] == ("Eastport Borough Council",)  # found by its alias
    cafe = by_title["Café owner wins Eastport award"]
    assert "Café Crème" in cafe.body_text and "crêpes" in cafe.body_text and "£1,200" in cafe.body_text
    assert "cafe-award-latin1.txt as cp1252" in run.out
    choir = by_title["Choir sings for the harbour appeal"]
    assert "£3,400" in choir.body_text and choir.terms["people"] == ("Jonas Berg", "Alan Pryce")
    assert "choir-concert-utf16.txt as utf-16" in run.out
    # The duplicate pair imports once, reported with both paths.
    assert [a.title for a in articles.values()].count("Swing bridge to close for repairs") == 1
    assert "text/bridge-repairs.txt: byte-identical to" in run.out
    assert run.out.count("bridge-repairs") >= 3  # imported one, the duplicate, and what it duplicates
    # The same headline with different texts: two articles, two distinct slugs in one month.
    budgets = [s for s, a in articles.items() if a.title == "Council approves new budget"]
    assert budgets == ["content/2016/03/council-approves-new-budget-2.md",
                       "content/2016/03/council-approves-new-budget.md"]
    assert len({articles[s].slug for s in budgets}) == 2
    # HTML: headline, byline, date, canonical URL, lead image; links made absolute or dropped.
    ferry = by_title["Harbour ferry fares frozen for winter"]
    assert (ferry.source, ferry.byline, ferry.date.date().isoformat()) == \
        ("The Coastal Gazette", ("Ruth Alder",), "2016-11-03")
    assert ferry.original_url == "https://gazette.example/news/2016/11/harbour-ferry-fares"
    assert (ferry.image.src, ferry.image.alt, ferry.image.caption, ferry.image.credit) == (
        "https://gazette.example/img/ferry.jpg", "A ferry leaving the harbour", "The morning ferry leaves Eastport",
        "Tom Reed")
    assert '<a href="https://gazette.example/ferries/timetable">harbour ferry</a>' in ferry.body_html
    assert "<em>Eastport Harbour Board</em>" in ferry.body_html and "<strong>£40,000</strong>" in ferry.body_html
    assert "Most read" not in ferry.body_text and "Copyright" not in ferry.body_text
    museum = by_title["Museum reopens after flood repairs"]
    assert museum.byline == ("Priya Shah",) and museum.date.date().isoformat() == "2017-05-20"
    assert "the flood appeal and this page" in museum.body_text  # no base URL, no javascript: links
    assert "href" not in museum.body_html.replace('href="https', "")
    assert "<script>" not in museum.body_html and "a *star*" in museum.body_text
    # JSON Lines: mapped fields; an HTML body converted; a line without a date needs attention.
    lifeboat = by_title["Lifeboat crew rescues stranded walkers"]
    assert lifeboat.date.isoformat() == "2016-08-14T18:40:00+01:00"
    assert lifeboat.terms["topics"] == ("Lifeboats",)
    wall = by_title["Harbour wall repairs begin"]
    assert wall.byline == ("Priya Shah", "Ruth Alder")
    assert '<a href="https://gazette.example/harbour">twelve weeks</a>' in wall.body_html
    assert "Summer fair draws record crowd" not in by_title
    assert "export.jsonl:3: no date" in run.out and "--date YYYY-MM-DD" in run.out
    assert len(articles) == 1 + 10
    built = sitegen(archive, "build")
    assert built.code == 0, built.err
    assert broken_links(archive / "build") == []
    assert (archive / "build/2016/03/council-approves-new-budget-2/index.html").is_file()


def test_import_is_idempotent(archive: Path) -> None:
    _import_fixtures(archive, "--date", "2016-07-01")
    first = _content_files(archive)
    again = _import_fixtures(archive, "--date", "2016-07-01")
    assert again.code == 0, again.out
    assert _content_files(archive) == first
    assert "imported 0 articles" in again.out
    assert again.out.count(", unchanged") == 11


def test_dry_run_writes_nothing_and_says_so(archive: Path) -> None:
    before = _content_files(archive)
    run = _import_fixtures(archive, "--dry-run")
    assert "would import 10 articles" in run.out and "dry run: nothing was written" in run.out
    assert _content_files(archive) == before


def test_into_writes_to_another_content_folder(archive: Path) -> None:
    run = sitegen(archive, "import", str(IMPORT / "text" / "library-hours.txt"), "--into", str(archive / "incoming"))
    assert run.code == 0 and "into incoming/" in run.out
    assert (archive / "incoming/2016/03/eastport-library-to-open-on-sundays.md").is_file()
    assert not (archive / "content/2016").exists()


def test_review_prints_the_proposed_tags(archive: Path) -> None:
    run = sitegen(archive, "import", str(IMPORT / "text" / "library-hours.txt"), "--review", "--dry-run")
    assert "    people: Alan Pryce\n    organisations: Eastport Borough Council\n" in run.out


def test_an_existing_file_is_never_overwritten(scratch) -> None:
    hand_written = article("Eastport library to open on Sundays", "2016-03-12", "Written by hand.")
    root = scratch({"content/2016/03/eastport-library-to-open-on-sundays.md": hand_written})
    run = sitegen(root, "import", str(IMPORT / "text" / "library-hours.txt"), "--update")
    assert run.code == 0, run.out
    assert (root / "content/2016/03/eastport-library-to-open-on-sundays.md").read_text() == hand_written
    imported = _articles(root)["content/2016/03/eastport-library-to-open-on-sundays-2.md"]
    assert imported.slug == "eastport-library-to-open-on-sundays-2"  # its URL matches its file
    assert sitegen(root, "build").code == 0


def test_update_rewrites_its_own_import_but_never_a_hand_edited_one(scratch) -> None:
    root = scratch({})
    source = IMPORT / "text" / "library-hours.txt"
    sitegen(root, "import", str(source))
    path = root / "content/2016/03/eastport-library-to-open-on-sundays.md"
    assert "people:" not in path.read_text()
    (root / "content/2016/01").mkdir(parents=True)
    (root / "content/2016/01/known.md").write_text(KNOWN)  # Alan Pryce becomes a known name
    plain = sitegen(root, "import", str(source))
    assert "pass --update" in plain.out and "people:" not in path.read_text()
    updated = sitegen(root, "import", str(source), "--update")
    assert updated.code == 0 and "(updated)" in updated.out
    assert "people:\n  - Alan Pryce\n" in path.read_text()
    assert len(list((root / "content").rglob("*.md"))) == 2
    path.write_text(path.read_text().replace("on Fridays", "").replace("2,000", "3,000"))
    edited = sitegen(root, "import", str(source), "--update", "--topic", "Libraries")
    assert "edited since, so it is not replaced" in edited.out
    assert "3,000" in path.read_text() and "Libraries" not in path.read_text()


def test_text_identical_copies_and_archive_copies_are_imported_once(scratch, tmp_path: Path) -> None:
    text = (IMPORT / "text" / "library-hours.txt").read_text(encoding="utf-8")
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))  # same text, other bytes
    root = scratch({})
    run = sitegen(root, "import", str(folder))
    assert run.code == 0, run.out
    assert len(list((root / "content").rglob("*.md"))) == 1
    assert "raw/b.txt: same text as" in run.out and "raw/a.txt" in run.out
    shutil.copy(folder / "a.txt", folder / "c.txt")
    rerun = sitegen(root, "import", str(folder / "c.txt"))
    assert "already imported as content/2016/03/eastport-library-to-open-on-sundays.md" in rerun.out


def test_a_file_named_twice_is_imported_once(scratch) -> None:
    root = scratch({})
    source = IMPORT / "text" / "library-hours.txt"
    run = sitegen(root, "import", str(source), str(source.parent), str(source))
    assert run.code == 0, run.out
    assert len(list((root / "content").rglob("*.md"))) == 6  # the text folder: 7 files, 6 articles


def test_undecodable_and_unknown_files_are_listed(scratch, tmp_path: Path) -> None:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    root = scratch({})
    run = sitegen(root, "import", str(folder))
    assert run.code == 1
    assert "raw/photo.txt: cannot be decoded" in run.out and "re-save it as UTF-8" in run.out
    assert "raw/notes.docx: cannot tell the format of a '.docx' file; pass --format" in run.out
    assert not list((root / "content").rglob("*.md"))


def test_bad_options_are_user_errors(scratch) -> None:
    root = scratch({})
    mapped = sitegen(root, "import", str(IMPORT / "export.jsonl"), "--map", "titel=headline")
    assert mapped.code == 1 and "unknown field 'titel'; did you mean 'title'?" in mapped.err
    missing = sitegen(root, "import", str(IMPORT / "no-such-folder"))
    assert missing.code == 1 and "no such file or folder" in missing.err
    lines = sitegen(root, "import", str(IMPORT / "text"), "--image-lines", "3")
    assert lines.code == 1 and "--image-lines 3 is not supported" in lines.err
