"""Term pages as profiles: data files, aliases, timelines, connections, discovery tags."""
from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from fixture_sites import BuiltSite
from support import article, broken_links, html_errors, sitegen, visible_text

SVG = "{http://www.w3.org/2000/svg}"
ARTICLE_DATES = {  # the profiles fixture, read independently of sitegen: file -> (year, month)
    "terror-plot": (2012, 5), "patrols": (2015, 1), "arrests": (2015, 1), "cst-report": (2015, 3),
    "summit": (2015, 6), "hostile": (2017, 9),
}
MARK_ROWLEY = ["patrols", "arrests", "cst-report", "summit"]  # "Sir Mark Rowley" in cst-report
TERRORISM = ["terror-plot", "patrols", "arrests", "summit", "hostile"]


def _chart(page: Path) -> ElementTree.Element:
    """The timeline's <svg>, parsed as XML: it must be well-formed on its own."""
    svg = re.search(r"<svg class=\"timeline-chart\".*?</svg>", page.read_text(encoding="utf-8"), re.S)
    assert svg, f"no timeline chart in {page}"
    return ElementTree.fromstring(svg.group(0))


def _bars(page: Path) -> dict[str, tuple[int, str]]:
    """Period label -> (count, href) of each bar, read from its accessible label."""
    bars = {}
    for link in _chart(page).iter(f"{SVG}a"):
        label, count = re.fullmatch(r"(.+): (\d+) articles?", link.get("aria-label")).groups()
        assert link.find(f"{SVG}rect/{SVG}title").text == link.get("aria-label")
        bars[label] = (int(count), link.get("href"))
    return bars


def _table(page: Path) -> dict[str, int]:
    html = page.read_text(encoding="utf-8")
    table = html[html.index('<details class="timeline-table">'):html.index("</details>")]
    return {label: int(count) for label, count in
            re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th><td class="count">(\d+)</td>', table)}


def _expected(names: list[str], by_year: bool) -> dict[str, int]:
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    counts: dict[str, int] = {}
    for name in names:
        year, month = ARTICLE_DATES[name]
        label = str(year) if by_year else f"{months[month - 1]} {year}"
        counts[label] = counts.get(label, 0) + 1
    return counts


def test_every_page_is_well_formed_and_every_link_resolves(profiles_site: BuiltSite) -> None:
    assert broken_links(profiles_site.out) == []
    assert [e for page in profiles_site.out.rglob("*.html") for e in html_errors(page)] == []


def test_profile_shows_the_data_file(profiles_site: BuiltSite) -> None:
    page = profiles_site.out / "people/mark-rowley/index.html"
    text = visible_text(page)
    assert "Also known as Sir Mark Rowley" in text
    assert "Police officer and national lead for counter-terrorism" in text
    assert "Role Assistant Commissioner" in text
    assert "Example Agency" in text  # the image credit
    html = page.read_text(encoding="utf-8")
    assert '<a href="https://en.wikipedia.org/wiki/Mark_Rowley" rel="noopener">Wikipedia</a>' in html
    assert '<img src="../../static/favicon.svg" alt="Portrait placeholder">' in html
    founded = visible_text(profiles_site.out / "organisations/community-security-trust/index.html")
    assert "Founded 1994" in founded and "Also known as CST" in founded


def test_markup_in_a_description_is_shown_as_text(profiles_site: BuiltSite) -> None:
    html = (profiles_site.out / "people/mark-rowley/index.html").read_text(encoding="utf-8")
    assert '<script>alert("profile")' not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_first_and_latest_mention(profiles_site: BuiltSite) -> None:
    page = profiles_site.out / "people/mark-rowley/index.html"
    text = visible_text(page)
    assert "First mention 16 January 2015 Latest mention 30 June 2015" in text
    html = page.read_text(encoding="utf-8")
    assert ('<a href="../../2015/01/police-to-increase-patrols-in-jewish-communities/index.html" title="Police to '
            'increase patrols in Jewish communities"><time datetime="2015-01-16">16 January 2015</time></a>') in html


def test_an_article_tagged_with_an_alias_lands_on_the_entry(profiles_site: BuiltSite) -> None:
    assert not (profiles_site.out / "organisations/cst").exists()
    assert not (profiles_site.out / "organisations/met-police").exists()
    text = visible_text(profiles_site.out / "organisations/community-security-trust/index.html")
    assert "3 articles" in text  # CST twice, and once both names in one article
    cst_report = profiles_site.out / "2015/03/antisemitic-incidents-recorded/index.html"
    assert '<a href="../../../organisations/community-security-trust/index.html">Community Security Trust</a>' \
        in cst_report.read_text(encoding="utf-8")
    assert "Sir Mark Rowley" not in visible_text(cst_report)  # the canonical name is shown


def test_month_timeline_matches_the_articles(profiles_site: BuiltSite) -> None:
    page = profiles_site.out / "people/mark-rowley/index.html"
    expected = _expected(MARK_ROWLEY, by_year=False)
    assert expected == {"January 2015": 2, "March 2015": 1, "June 2015": 1}
    bars = _bars(page)
    assert {label: count for label, (count, _) in bars.items()} == expected
    assert _table(page) == expected
    assert bars["March 2015"][1] == "../../2015/03/index.html"
    assert "Articles naming Mark Rowley per month, January 2015 to June 2015" in page.read_text(encoding="utf-8")


def test_long_spans_are_charted_per_year_and_link_to_year_pages(profiles_site: BuiltSite) -> None:
    page = profiles_site.out / "topics/terrorism/index.html"
    expected = _expected(TERRORISM, by_year=True)
    bars = _bars(page)
    assert {label: count for label, (count, _) in bars.items()} == expected == _table(page)
    assert bars["2015"] == (3, "../../2015/index.html")
    assert "Articles per year" in visible_text(page)


def test_taller_bars_mean_more_articles(profiles_site: BuiltSite) -> None:
    chart = _chart(profiles_site.out / "people/mark-rowley/index.html")
    heights = {link.get("aria-label"): float(link.find(f"{SVG}rect").get("height")) for link in chart.iter(f"{SVG}a")}
    assert heights["January 2015: 2 articles"] == 2 * heights["March 2015: 1 article"]


def test_connections_count_shared_articles_and_link_to_terms(profiles_site: BuiltSite) -> None:
    page = profiles_site.out / "people/mark-rowley/index.html"
    text = visible_text(page)
    section = text[text.index("Often named with Mark Rowley"):text.index("Articles Security summit")]
    assert "Topics Terrorism 3 articles together Antisemitism 2 articles together Policing 2" in section
    assert "Community Security Trust 3 articles together Metropolitan Police 2 articles together" in section
    assert '<a dir="auto" href="../../organisations/metropolitan-police/index.html">Metropolitan Police</a>' \
        in page.read_text(encoding="utf-8")


def test_later_pages_of_a_term_list_articles_only(profiles_site: BuiltSite) -> None:
    second = profiles_site.out / "people/mark-rowley/page/2/index.html"
    text = visible_text(second)
    assert "Page 2 of 2" in text and "Police to increase patrols" in text
    assert "timeline-chart" not in second.read_text(encoding="utf-8") and "Often named with" not in text


def test_unused_data_entry_is_a_warning(profiles_site: BuiltSite) -> None:
    assert ("data/people.yaml:18: warning: 'John Nobody' is named by no article, nor is any of its aliases"
            in profiles_site.run.err)
    assert not (profiles_site.out / "people/john-nobody").exists()


def test_terms_command_lists_counts_files_duplicates_and_unused_entries(profiles_site: BuiltSite) -> None:
    run = sitegen(profiles_site.root, "terms")
    assert run.code == 0, run.err
    out = run.out
    assert "organisations: 2 terms" in out
    block = out[out.index("  Community Security Trust: 3 articles"):out.index("  Metropolitan Police")]
    assert "also written: CST (2)" in block
    assert "content/2015/03/cst-report.md" in block and "content/2015/06/summit.md" in block
    assert ("people: 'T. May' (1 article) and 'Theresa May' (3) differ only in initials; if they are one, "
            "add 'T. May' to the aliases of 'Theresa May' in data/people.yaml") in out
    assert "data entries naming no term: 1\n  data/people.yaml:18: warning: 'John Nobody'" in out
    assert "John Nobody" not in run.err  # listed once, in the report


def test_terms_command_rejects_an_unknown_taxonomy(profiles_site: BuiltSite) -> None:
    run = sitegen(profiles_site.root, "terms", "--taxonomy", "organizations")
    assert run.code == 1
    assert "no taxonomy 'organizations' in config.yaml; did you mean 'organisations'?" in run.err


def _json_ld(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def test_json_ld_survives_a_hostile_title(profiles_site: BuiltSite) -> None:
    page = profiles_site.out / "2017/09/quote-script-script-alert-x-script-and-b-bold-b/index.html"
    data = _json_ld(page)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == 'Quote </script><script>alert("x")</script> & <b>bold</b>'
    assert data["url"] == "https://example.org/archive/2017/09/quote-script-script-alert-x-script-and-b-bold-b/"
    head = page.read_text(encoding="utf-8").split("</head>")[0]
    assert head.count("<script") == 1 and "<b>" not in head
    assert html_errors(page) == []


def test_json_ld_and_open_graph_describe_the_article(profiles_site: BuiltSite) -> None:
    page = profiles_site.out / "2015/01/police-to-increase-patrols-in-jewish-communities/index.html"
    data = _json_ld(page)
    assert data["datePublished"] == "2015-01-16T00:00:00+00:00"
    assert data["author"] == [{"@type": "Person", "name": "Staff reporter"}]
    assert data["publisher"] == {"@type": "Organization", "name": "The Fixture Times"}
    assert data["image"] == ["https://example.org/archive/static/favicon.svg"]
    assert {"@type": "Person", "name": "Mark Rowley", "url": "https://example.org/archive/people/mark-rowley/",
            "sameAs": ["https://en.wikipedia.org/wiki/Mark_Rowley"]} in data["mentions"]
    html = page.read_text(encoding="utf-8")
    for tag in ('<meta property="og:type" content="article">',
                '<meta property="og:url" content="https://example.org/archive/2015/01/police-to-increase-'
                'patrols-in-jewish-communities/">',
                '<meta property="og:image" content="https://example.org/archive/static/favicon.svg">',
                '<meta property="article:published_time" content="2015-01-16T00:00:00+00:00">',
                '<meta property="article:tag" content="Community Security Trust">'):
        assert tag in html


def test_without_base_url_discovery_tags_name_no_address(profiles_site_offline: BuiltSite) -> None:
    page = profiles_site_offline.out / "2015/01/police-to-increase-patrols-in-jewish-communities/index.html"
    data = _json_ld(page)
    assert "url" not in data and "image" not in data
    html = page.read_text(encoding="utf-8")
    assert 'property="og:title"' in html and "og:url" not in html and "og:image" not in html
    assert broken_links(profiles_site_offline.out) == []


def test_site_without_data_files_builds_plain_term_pages(scratch) -> None:
    root = scratch({"content/a.md": article("One", people=["Mark Rowley"], organisations=["CST"])})
    run = sitegen(root, "build")
    assert run.code == 0 and "warning" not in run.err
    text = visible_text(root / "build/organisations/cst/index.html")
    assert "Also known as" not in text and "Articles per month" in text


@pytest.mark.parametrize("data, line, message", [
    ("A Trust:\n  aliases: [CST]\nB Team:\n  aliases: [CST]\n", 4,
     "alias 'CST' is given to both 'A Trust' (line 1) and 'B Team'; keep it under one of them"),
    ("CST:\n  description: x\nA Trust:\n  aliases:\n    - CST\n", 5,
     "alias 'CST' of 'A Trust' is also an entry of its own (line 1); remove the alias"),
])
def test_conflicting_aliases_stop_the_build(scratch, data: str, line: int, message: str) -> None:
    root = scratch({"content/a.md": article("One", organisations=["CST"]), "data/organisations.yaml": data})
    (root / "build").mkdir()
    run = sitegen(root, "build")
    assert run.code == 1
    assert f"data/organisations.yaml:{line}: {message}" in run.err
    assert list((root / "build").iterdir()) == []  # nothing written
