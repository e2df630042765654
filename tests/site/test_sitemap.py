"""sitemap.xml (and the index past the URL limit) valid per the sitemaps.org schema; robots.txt."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from lxml import etree

from fixture_sites import BuiltSite
from sitegen.check import check_site
from sitegen.config import load_config
from sitegen.sitemap import build_sitemap_files

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://example.org/archive/"


def _valid(xml: bytes, schema: str) -> etree._ElementTree:
    document = etree.ElementTree(etree.fromstring(xml))
    checker = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    assert checker.validate(document), checker.error_log
    return document


def _locs(document: etree._ElementTree) -> list[str]:
    return document.xpath("//s:loc/text()", namespaces=NS)


def test_sitemap_validates_and_lists_every_page(profiles_site: BuiltSite) -> None:
    document = _valid((profiles_site.out / "sitemap.xml").read_bytes(), "sitemap.xsd")
    pages = {path.relative_to(profiles_site.out).as_posix() for path in profiles_site.out.rglob("*.html")}
    expected = {BASE + url.removesuffix("index.html") for url in pages - {"404.html", "search.html"}}
    locs = _locs(document)
    assert len(locs) == len(set(locs)) and set(locs) == expected


def test_lastmod_is_the_article_date_or_the_newest_shown(profiles_site: BuiltSite) -> None:
    document = _valid((profiles_site.out / "sitemap.xml").read_bytes(), "sitemap.xsd")
    lastmod = {url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
               for url in document.getroot()}
    assert lastmod[BASE + "2015/03/antisemitic-incidents-recorded/"] == "2015-03-05T00:00:00+00:00"
    assert lastmod[BASE + "people/mark-rowley/"] == "2015-06-30T00:00:00+00:00"
    assert lastmod[BASE] == "2017-09-01T00:00:00+00:00"


def test_robots_txt_names_the_sitemap(profiles_site: BuiltSite) -> None:
    text = (profiles_site.out / "robots.txt").read_text(encoding="utf-8")
    assert text.startswith("User-agent: *\n")
    assert f"Sitemap: {BASE}sitemap.xml\n" in text


def test_past_the_limit_a_sitemap_index_points_at_valid_parts(profiles_site: BuiltSite) -> None:
    plan = check_site(load_config(profiles_site.root))
    files = build_sitemap_files(plan.site, plan.pages, limit=10)
    whole = _locs(_valid((profiles_site.out / "sitemap.xml").read_bytes(), "sitemap.xsd"))
    index = _valid(files["sitemap.xml"], "siteindex.xsd")
    parts = _locs(index)
    assert parts == [f"{BASE}sitemap-{n}.xml" for n in range(1, math.ceil(len(whole) / 10) + 1)]
    listed = []
    for number in range(1, len(parts) + 1):
        part = _locs(_valid(files[f"sitemap-{number}.xml"], "sitemap.xsd"))
        assert 0 < len(part) <= 10
        listed.extend(part)
    assert listed == whole


@pytest.mark.parametrize("limit", [1_000, 50_000])
def test_below_the_limit_there_is_one_sitemap(profiles_site: BuiltSite, limit: int) -> None:
    plan = check_site(load_config(profiles_site.root))
    files = build_sitemap_files(plan.site, plan.pages, limit=limit)
    assert sorted(files) == ["robots.txt", "sitemap.xml"]


def test_without_base_url_there_is_no_sitemap(profiles_site_offline: BuiltSite) -> None:
    assert not (profiles_site_offline.out / "sitemap.xml").exists()
    assert not (profiles_site_offline.out / "robots.txt").exists()


def test_schema_rejects_a_relative_loc() -> None:
    # The check itself can fail: a sitemap with a relative address is refused.
    bad = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>a</loc></url></urlset>'
    checker = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))
    assert not checker.validate(etree.ElementTree(etree.fromstring(bad)))
