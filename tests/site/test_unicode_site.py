"""The `unicode` fixture: accents, NFC and NFD spellings, case and space variants, Greek,
Cyrillic, Arabic (right to left), CJK and emoji. Variants of one name make one term; slugs are
ASCII; every term and article gets its own working URL; names display as written."""
from __future__ import annotations

import re
import unicodedata
from html import unescape
from pathlib import Path

import pytest

from fixture_sites import BuiltSite, build_fixture_site
from support import article, broken_links, html_errors, sitegen, visible_text

TAXONOMIES = ("topics", "people", "organisations")
# Every term of the fixture, as written (NFC), by taxonomy.
NAMES = {
    "topics": {"Café culture", "Οικονομία", "Энергетика", "رياضة", "経済", "经济", "🎉", "Music 🎵"},
    "people": {"Zoë Ball", "Αλέξης Τσίπρας", "Владимир Путин", "محمد صلاح", "Mohamed Salah", "安倍晋三",
               "习近平", "Björk Guðmundsdóttir"},
    "organisations": {"Société Générale", "Ευρωπαϊκή Ένωση", "Газпром", "جامعة الدول العربية", "トヨタ自動車",
                      "삼성전자", "Ørsted"},
}
TITLES = ["Zoë Ball rides for Société Générale", "Zoë Ball returns to the café", "CAFÉ CULTURE spreads",
          "Αθήνα υποδέχεται τη σύνοδο", "Москва принимает форум", "القاهرة تستضيف مؤتمر القمة",
          "東京で首脳会議が開かれた", "北京举行峰会", "Festival fans 🎉 celebrate Björk"]
LINK = re.compile(r'<li><a (?:dir="auto" )?href="([^"]+)/index\.html">([^<]*)</a> <span class="count">\((\d+)\)</span></li>')


def a_to_z(out: Path, taxonomy: str) -> dict[str, tuple[str, int]]:
    """Each term on a taxonomy's A-Z page: name -> (slug, article count)."""
    rows = LINK.findall((out / taxonomy / "index.html").read_text(encoding="utf-8"))
    return {unescape(name): (slug, int(count)) for slug, name, count in rows}


def article_pages(out: Path) -> list[Path]:
    return sorted(out.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"))


def test_every_internal_link_resolves(unicode_site: BuiltSite) -> None:
    assert broken_links(unicode_site.out) == []


def test_every_page_is_well_formed_html(unicode_site: BuiltSite) -> None:
    assert [e for page in unicode_site.out.rglob("*.html") for e in html_errors(page)] == []


@pytest.mark.parametrize("taxonomy", TAXONOMIES)
def test_each_name_is_one_term_whatever_its_form(unicode_site: BuiltSite, taxonomy: str) -> None:
    # NFC and NFD bytes, CAPITALS and extra spaces of one name all land on one term page.
    listed = a_to_z(unicode_site.out, taxonomy)
    assert {name.casefold() for name in listed} == {name.casefold() for name in NAMES[taxonomy]}
    assert len(listed) == len(NAMES[taxonomy])


@pytest.mark.parametrize(("url", "articles"), [
    ("people/zoe-ball", 3), ("organisations/societe-generale", 3), ("topics/cafe-culture", 3),
])
def test_variants_merge_on_one_ascii_slug(unicode_site: BuiltSite, url: str, articles: int) -> None:
    taxonomy, slug = url.split("/")
    assert [p.name for p in (unicode_site.out / taxonomy).glob(slug + "*")] == [slug]
    text = visible_text(unicode_site.out / url / "index.html")
    assert f"{articles} articles" in text
    for title in TITLES[:3]:
        assert title in text


@pytest.mark.parametrize(("taxonomy", "name", "slug"), [
    ("people", "Zoë Ball", "zoe-ball"), ("organisations", "Société Générale", "societe-generale"),
    ("people", "Björk Guðmundsdóttir", "bjork-gudmundsdottir"), ("organisations", "Ørsted", "orsted"),
    ("people", "Mohamed Salah", "mohamed-salah"), ("topics", "Music 🎵", "music"),
])
def test_latin_names_get_transliterated_slugs(unicode_site: BuiltSite, taxonomy: str, name: str, slug: str) -> None:
    assert a_to_z(unicode_site.out, taxonomy)[name][0] == slug


def test_every_url_is_ascii(unicode_site: BuiltSite) -> None:
    paths = [p.relative_to(unicode_site.out).as_posix() for p in unicode_site.out.rglob("*")]
    assert [p for p in paths if not p.isascii()] == []


@pytest.mark.parametrize("taxonomy", TAXONOMIES)
def test_non_latin_names_get_distinct_working_pages(unicode_site: BuiltSite, taxonomy: str) -> None:
    # Greek, Cyrillic, Arabic and CJK names are romanised (anyascii); emoji-only names get
    # `untitled-<hash of the name>`. All distinct, and each page shows the name.
    listed = a_to_z(unicode_site.out, taxonomy)
    slugs = [slug for slug, _ in listed.values()]
    assert len(set(slugs)) == len(slugs)
    for name, (slug, _) in listed.items():
        page = unicode_site.out / taxonomy / slug / "index.html"
        assert re.search(rf"<h1[^>]*>{re.escape(name)}</h1>", page.read_text(encoding="utf-8")), (name, slug)


SECTION = re.compile(r'<h2 id="letter-\d+" class="letter">([^<]*)</h2>(.*?)</section>', re.S)


@pytest.mark.parametrize(("taxonomy", "groups"), [
    ("people", {"A": ["Αλέξης Τσίπρας", "安倍晋三"], "B": ["Björk Guðmundsdóttir"],
                "M": ["Mohamed Salah", "محمد صلاح"], "V": ["Владимир Путин"], "X": ["习近平"],
                "Z": ["Zoë Ball"]}),
    ("topics", {"C": ["Café culture"], "E": ["Энергетика"], "J": ["経済", "经济"], "M": ["Music 🎵"],
                "O": ["Οικονομία"], "R": ["رياضة"], "#": ["🎉"]}),
])
def test_a_to_z_files_other_scripts_under_their_romanised_initial(unicode_site: BuiltSite, taxonomy: str,
                                                                   groups: dict[str, list[str]]) -> None:
    # As their slugs spell them (Владимир Путин: vladimir-putin); only names that start with no
    # letter at all go under '#'. Latin names first within a letter, then other scripts.
    page = (unicode_site.out / taxonomy / "index.html").read_text(encoding="utf-8")
    found = {unescape(letter): [unescape(name) for _, name, _ in LINK.findall(section)]
             for letter, section in SECTION.findall(page)}
    assert {letter: [n.casefold() for n in names] for letter, names in found.items()} == \
           {letter: [n.casefold() for n in names] for letter, names in groups.items()}  # topics ignore case
    assert re.findall(r'<li><a href="#letter-\d+">([^<]*)</a></li>', page) == [unescape(k) for k in found]


def test_urls_are_the_same_in_another_build(unicode_site: BuiltSite, tmp_path: Path) -> None:
    again = build_fixture_site("unicode", tmp_path / "again")
    for taxonomy in TAXONOMIES:
        assert a_to_z(again.out, taxonomy) == a_to_z(unicode_site.out, taxonomy)
    assert [p.relative_to(again.out) for p in article_pages(again.out)] == \
           [p.relative_to(unicode_site.out) for p in article_pages(unicode_site.out)]


def test_titles_display_as_written(unicode_site: BuiltSite) -> None:
    pages = article_pages(unicode_site.out)
    assert len(pages) == len(TITLES) and len({p.parent for p in pages}) == len(TITLES)
    headings = {re.search(r"<h1[^>]*>(.*?)</h1>", p.read_text(encoding="utf-8"), re.S).group(1) for p in pages}
    assert headings == set(TITLES)
    home = visible_text(unicode_site.out / "index.html")
    assert all(title in home for title in TITLES)


def test_nfd_input_is_shown_in_nfc(unicode_site: BuiltSite) -> None:
    # The NFD file's title and names come out composed, so a search or a copy matches the NFC file.
    for page in unicode_site.out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), page.relative_to(unicode_site.out)


def test_right_to_left_and_cjk_titles_reach_their_month_pages(unicode_site: BuiltSite) -> None:
    assert "القاهرة تستضيف مؤتمر القمة" in visible_text(unicode_site.out / "2019/06/index.html")
    july = visible_text(unicode_site.out / "2019/07/index.html")
    assert "東京で首脳会議が開かれた" in july and "北京举行峰会" in july


@pytest.mark.parametrize(("first", "second"), [("Владимир Путин", "Αλέξης Τσίπρας"), ("🎉", "🎵")])
def test_a_new_name_never_moves_another_terms_url(scratch, first: str, second: str) -> None:
    # Romanised names keep their own slugs; names with nothing to slug (emoji) always carry a
    # hash of their own name, so a newcomer that sorts first cannot take over a bare URL.
    root = scratch({"content/a.md": article("Forum", people=[first])})
    assert sitegen(root, "build").code == 0
    before = a_to_z(root / "build", "people")[first][0]
    (root / "content/b.md").write_text(article("Summit", people=[second]), encoding="utf-8")
    assert sitegen(root, "build").code == 0
    after = a_to_z(root / "build", "people")
    assert after[first][0] == before
    assert after[second][0] != before
