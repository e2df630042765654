"""Real archives at their edges: huge and empty, odd encodings, clashing slugs, path-like names."""
from __future__ import annotations

from pathlib import Path

from support import article, broken_links, sitegen, visible_text


def test_a_10_mb_article_builds(scratch) -> None:
    paragraph = "Police said patrols would continue through the weekend and beyond. " * 7
    body = "\n\n".join(f"{n}. {paragraph}" for n in range(22_000)) + "\n\nThe very last line."
    root = scratch({"content/big.md": article("A very long report", body=body)})
    assert (root / "content/big.md").stat().st_size >= 10 * 1024 * 1024
    run = sitegen(root, "build")
    assert run.code == 0, run.err
    page = (root / "build/2015/01/a-very-long-report/index.html").read_text()
    assert "The very last line." in page


def test_no_articles_still_builds_an_empty_site(scratch) -> None:
    root = scratch({})
    run = sitegen(root, "build")
    assert run.code == 0 and "built 0 articles" in run.out
    assert "No articles yet" in visible_text(root / "build/index.html")
    assert (root / "build/people/index.html").is_file() and (root / "build/archive/index.html").is_file()
    assert broken_links(root / "build") == []


def test_utf8_with_a_byte_order_mark_and_windows_line_ends_is_read(scratch) -> None:
    text = article("Café owners fined", people=["Zoë Ball"]).replace("\n", "\r\n")
    root = scratch({"content/bom.md": b"\xef\xbb\xbf" + text.encode("utf-8")})
    assert sitegen(root, "build").code == 0
    assert "Café owners fined" in visible_text(root / "build/2015/01/cafe-owners-fined/index.html")
    assert (root / "build/people/zoe-ball/index.html").is_file()


def test_names_differing_only_in_case_and_spacing_are_one_term(scratch) -> None:
    root = scratch({
        "content/a.md": article("First", "2015-01-01", people=["Mark Rowley"]),
        "content/b.md": article("Second", "2015-01-02", people=["mark  rowley"]),
        "content/c.md": article("Third", "2015-01-03", people=["  MARK ROWLEY "]),
        "content/d.md": article("Fourth", "2015-01-04", people=["Mark\tRowley"]),
    })
    assert sitegen(root, "build").code == 0
    people = sorted(p.name for p in (root / "build/people").iterdir() if p.is_dir())
    assert people == ["by-count", "mark-rowley"]
    text = visible_text(root / "build/people/mark-rowley/index.html")
    assert all(title in text for title in ("First", "Second", "Third", "Fourth"))
    assert "Mark Rowley (4)" in visible_text(root / "build/people/index.html")


def test_titles_giving_the_same_slug_get_distinct_urls_and_a_warning(scratch) -> None:
    root = scratch({
        "content/a.md": article("Morning briefing", "2015-01-05", body="Monday."),
        "content/b.md": article("Morning briefing", "2015-01-12", body="The next Monday."),
        "content/c.md": article("Morning Briefing!", "2015-01-19", body="A third."),
    })
    run = sitegen(root, "build")
    assert run.code == 0
    month = root / "build/2015/01"
    folders = sorted(p.name for p in month.iterdir() if p.is_dir())
    assert folders[0] == "morning-briefing" and len(folders) == 3
    assert all(f.startswith("morning-briefing-") for f in folders[1:])
    assert "Monday." in visible_text(month / "morning-briefing/index.html")  # the oldest keeps it
    assert "content/b.md:2: warning: the title gives slug 'morning-briefing', already used in that " \
           "month by content/a.md:2; this article gets 'morning-briefing-" in run.err
    assert broken_links(root / "build") == []


def test_suffixed_urls_do_not_move_when_more_same_titled_articles_arrive(scratch) -> None:
    root = scratch({"content/a.md": article("Briefing", "2015-01-05"),
                    "content/b.md": article("Briefing", "2015-01-12")})
    sitegen(root, "build")
    before = {p.name for p in (root / "build/2015/01").iterdir()}
    (root / "content/c.md").write_text(article("Briefing", "2015-01-19"))
    sitegen(root, "build")
    assert before < {p.name for p in (root / "build/2015/01").iterdir()}


def test_two_articles_claiming_one_slug_is_an_error_naming_both(scratch) -> None:
    root = scratch({"content/a.md": article("Budget day", "2016-03-16", slug="budget"),
                    "content/b.md": article("Budget reaction", "2016-03-17", slug="budget")})
    run = sitegen(root, "build")
    assert run.code == 1 and not (root / "build").exists()
    assert "content/b.md:4: slug 'budget' is also used by content/a.md:4 (both would be " \
           "2016/03/budget/index.html); set a different slug in one" in run.err
    kept = sitegen(root, "build", "--keep-going")
    assert kept.code == 1 and "skipped 1 file(s) with errors (--keep-going): content/b.md" in kept.err
    assert "Budget day" in visible_text(root / "build/2016/03/budget/index.html")


def test_path_like_slugs_and_names_stay_inside_build(scratch) -> None:
    root = scratch({"content/a.md": article("A story", slug="../../etc/x",
                                            people=["..", "/etc/passwd", "C:\\\\Windows"])})
    inputs = {p for p in root.parent.rglob("*") if p.is_file()}
    run = sitegen(root, "build")
    assert run.code == 0
    assert "content/a.md:4: warning: slug '../../etc/x' is not a clean URL segment; using 'etc-x'" in run.err
    made = {p.relative_to(root).as_posix() for p in root.parent.rglob("*") if p.is_file() and p not in inputs}
    assert all(path.startswith(("build/", ".sitegen-cache/")) or path == ".build.lock" for path in made)
    assert (root / "build/2015/01/etc-x/index.html").is_file()
    people = {p.name for p in (root / "build/people").iterdir()}
    assert people >= {"etc-passwd", "c-windows"}
    assert [name for name in people if name.startswith("untitled-")]  # "..": nothing to slug
    assert broken_links(root / "build") == []
    assert not Path("/etc/x").exists()
