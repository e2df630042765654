"""Atom feeds: parsed with feedparser, no errors, the right entries; linked from pages."""
from __future__ import annotations

import re
from pathlib import Path

import feedparser

from fixture_sites import BuiltSite
from support import sitegen

BASE = "https://example.org/archive/"


def _parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    assert feed.version == "atom10"
    return feed


def test_every_feed_parses_cleanly(profiles_site: BuiltSite) -> None:
    feeds = sorted(profiles_site.out.rglob("feed.xml"))
    term_pages = [p for p in profiles_site.out.glob("*/*/index.html")
                  if p.parts[-3] in ("topics", "people", "organisations") and p.parts[-2] != "by-count"]
    assert len(feeds) == len(term_pages) + 1  # one per term, plus the site's
    for path in feeds:
        _parse(path)


def test_site_feed_has_the_newest_articles_newest_first(profiles_site: BuiltSite) -> None:
    feed = _parse(profiles_site.out / "feed.xml")
    assert feed.feed.title == "Profiles Fixture Archive"
    assert feed.feed.id == BASE
    assert {link.rel: link.href for link in feed.feed.links} == {"alternate": BASE, "self": BASE + "feed.xml"}
    titles = [entry.title for entry in feed.entries]
    assert titles == ['Quote </script><script>alert("x")</script> & <b>bold</b>', "Security summit held",
                      "Antisemitic incidents recorded"]  # feed_size: 3
    assert feed.feed.updated == "2017-09-01T00:00:00+00:00"


def test_entries_carry_absolute_links_dates_and_terms(profiles_site: BuiltSite) -> None:
    entry = _parse(profiles_site.out / "feed.xml").entries[1]
    assert entry.id == entry.link == BASE + "2015/06/security-summit-held/"
    assert entry.published == "2015-06-30T00:00:00+00:00"
    assert entry.summary == "An alias and its canonical name in one article count once."
    assert [tag.term for tag in entry.tags] == ["Terrorism", "Mark Rowley", "T. May", "Community Security Trust",
                                                "Metropolitan Police"]


def test_term_feed_follows_one_entry_and_its_aliases(profiles_site: BuiltSite) -> None:
    feed = _parse(profiles_site.out / "organisations/community-security-trust/feed.xml")
    assert feed.feed.title == "Community Security Trust · Organisations · Profiles Fixture Archive"
    assert feed.feed.link == BASE + "organisations/community-security-trust/"
    assert [entry.title for entry in feed.entries] == [
        "Security summit held", "Antisemitic incidents recorded", "Police to increase patrols in Jewish communities"]


def test_pages_link_their_feeds(profiles_site: BuiltSite) -> None:
    home = (profiles_site.out / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml" title="Profiles Fixture Archive" href="feed.xml">' \
        in home
    term = (profiles_site.out / "people/mark-rowley/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="([^"]+)" href="([^"]+)">', term)
    assert links == [("Profiles Fixture Archive", "../../feed.xml"),
                     ("Mark Rowley · Profiles Fixture Archive", "feed.xml")]


def test_without_base_url_there_are_no_feeds(profiles_site_offline: BuiltSite) -> None:
    assert list(profiles_site_offline.out.rglob("*.xml")) == []
    home = (profiles_site_offline.out / "index.html").read_text(encoding="utf-8")
    assert "application/atom+xml" not in home
    term = (profiles_site_offline.out / "people/mark-rowley/index.html").read_text(encoding="utf-8")
    assert "application/atom+xml" not in term and "Atom feed" not in term


def test_base_url_must_be_an_absolute_web_address(scratch) -> None:
    root = scratch({"content/a.md": "---\ntitle: A\ndate: 2015-01-01\n---\nBody.\n"}, "base_url: example.org/archive\n")
    run = sitegen(root, "build")
    assert run.code == 1
    assert ("config.yaml:5: base_url 'example.org/archive/' must be an absolute web address; "
            "e.g. base_url: https://example.org/archive/") in run.err
