"""Property-based tests: arbitrary text never crashes loading, never escapes build/, and every
URL built from it leads back to its page. Example counts are kept small so the suite stays fast."""
from __future__ import annotations

import posixpath
import re
import tempfile
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import urls
from sitegen.config import Config
from sitegen.errors import OutputPathError
from sitegen.frontmatter import FrontMatterError, split_front_matter
from sitegen.loader import parse_article
from sitegen.model import Article, Term
from sitegen.output import safe_output_path
from sitegen.slugs import MAX_SLUG_LENGTH, normalise_name, slugify
from support import broken_links, make_site, sitegen, visible_text

CONFIG = Config(root=Path("/project"))
FAST = settings(max_examples=60, deadline=None)
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# Text that looks like paths and markup as well as any Unicode at all.
TRICKY = st.lists(st.sampled_from(["..", ".", "/", "\\", "\x00", "a", "é", "<script>", "%2e", " ", "\n",
                                   "\u202e", "C:", "~"]), max_size=8).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=60), TRICKY)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n" for ch in text)


def _lines(text: bytes) -> int:
    return text.count(b"\n") + 1


@FAST
@given(st.text(max_size=300))
def test_front_matter_either_parses_or_names_a_line_inside_the_file(text: str) -> None:
    try:
        fm = split_front_matter(text, "content/a.md")
    except FrontMatterError as exc:
        assert 1 <= exc.problem.line <= text.count("\n") + 1
        assert exc.problem.source == "content/a.md"
    else:
        assert all(1 <= line <= text.count("\n") + 1 for line in fm.key_lines.values())


@FAST
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: ("---\n" + t).encode()))
def test_any_bytes_load_to_an_article_or_located_problems(raw: bytes) -> None:
    result = parse_article(raw, "content/a.md", CONFIG)
    errors = [p for p in result.problems if not p.is_warning]
    assert (result.article is None) == bool(errors)
    assert all(1 <= p.line <= _lines(raw) and p.message for p in result.problems)


@FAST
@given(title=ANY_TEXT, names=st.lists(ANY_TEXT, max_size=4))
def test_any_title_and_names_survive_a_yaml_round_trip(title: str, names: list[str]) -> None:
    front = yaml.safe_dump({"title": title, "date": "2015-01-16", "people": names}, allow_unicode=True)
    result = parse_article(f"---\n{front}---\nBody.\n".encode(), "content/a.md", CONFIG)
    read = yaml.safe_load(front)  # what YAML itself gives back (it drops a trailing U+0085, say)
    title, names = read["title"], read["people"]
    clean = not _has_control(title) and title.strip() and not any(
        _has_control(n) or not n.strip() for n in names)
    if clean:
        assert result.article is not None, result.problems
        assert result.article.title == normalise_name(title)
        assert {n.casefold() for n in result.article.terms["people"]} == \
            {normalise_name(n).casefold() for n in names}
    else:
        assert result.article is None
        assert all(p.source == "content/a.md" and p.line >= 2 for p in result.problems)


@FAST
@given(ANY_TEXT)
def test_slugs_are_clean_bounded_and_stable(text: str) -> None:
    slug = slugify(text)
    assert SLUG.fullmatch(slug) and len(slug) <= MAX_SLUG_LENGTH
    assert slugify(slug) == slug


def _article(title: str, day: datetime) -> Article:
    return Article(source_file="content/a.md", title=title, date=day, slug=slugify(title),
                   summary="")


PAGE_URLS = st.one_of(
    st.builds(lambda t, d: urls.article_url(_article(t, d)), ANY_TEXT,
              st.datetimes(min_value=datetime(1, 1, 1), timezones=st.just(timezone.utc))),
    st.builds(lambda name, page: urls.term_url(CONFIG, Term("people", name, name, slugify(name), ()), page),
              ANY_TEXT, st.integers(1, 500)),
    st.builds(urls.year_url, st.integers(1, 9999)),
    st.builds(urls.month_url, st.integers(1, 9999), st.integers(1, 12)),
    st.sampled_from([urls.HOME, urls.SEARCH, urls.ARCHIVE, urls.NOT_FOUND, urls.static_url("style.css")]),
)


@FAST
@given(PAGE_URLS, PAGE_URLS, st.booleans())
def test_every_href_leads_back_to_its_target(start: str, target: str, clean: bool) -> None:
    href = urls.relative_href(start, target, clean_urls=clean)
    assert not href.startswith("/") and ":" not in href.split("/")[0]
    landed = posixpath.normpath(posixpath.join(posixpath.dirname(start), href))
    expected = target[: -len("index.html")].rstrip("/") or "." if clean and target.endswith("index.html") \
        else target
    assert landed == posixpath.normpath(expected)


@FAST
@given(PAGE_URLS)
def test_every_page_url_is_written_inside_the_output_folder(url: str) -> None:
    root = Path("/srv/site/build")
    assert safe_output_path(root, url).is_relative_to(root)


@FAST
@given(st.one_of(ANY_TEXT, st.text(alphabet="./\\\x00ab", max_size=12)))
def test_the_writer_refuses_any_path_that_escapes(url: str) -> None:
    root = Path("/srv/site/build")
    try:
        path = safe_output_path(root, url)
    except OutputPathError:
        return
    assert path.is_relative_to(root) and path != root


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=ANY_TEXT, names=st.lists(ANY_TEXT, min_size=1, max_size=3))
def test_a_whole_build_with_arbitrary_names_works_or_explains(title: str, names: list[str]) -> None:
    front = yaml.safe_dump({"title": title, "date": "2015-01-16", "people": names}, allow_unicode=True)
    with tempfile.TemporaryDirectory() as folder:
        root = make_site(Path(folder) / "site", {"content/a.md": f"---\n{front}---\nBody.\n"})
        run = sitegen(root, "build")
        assert "internal error" not in run.err and "Traceback" not in run.err
        if run.code != 0:
            assert run.code == 1 and run.err.startswith("content/a.md:")
            return
        out = root / "build"
        assert {p.name for p in root.iterdir()} <= {".build.lock", ".sitegen-cache", "build", "config.yaml",
                                                    "content"}
        assert sorted(p.name for p in (root / "content").iterdir()) == ["a.md"]
        assert broken_links(out) == []
        [page] = (out / "2015/01").glob("*/index.html")
        assert " ".join(normalise_name(title).split()) in visible_text(page)


@pytest.mark.parametrize("title", ["..", "../../etc/passwd", "/etc/passwd", "C:\\Windows", "\u202e", "<script>"])
def test_path_like_titles_become_plain_slugs(title: str) -> None:
    assert SLUG.fullmatch(slugify(title))
