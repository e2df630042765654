"""The structure key: a rebuild reuses the last model's links and page fingerprints, and skips
re-reading what pages read of terms, months and the like, while the articles' paths, dates,
slugs and terms are the same (see `cache.model_keys`). These tests hold the model and the page
plan to depending on nothing else of an article."""
from __future__ import annotations

import shutil
from dataclasses import fields, replace
from pathlib import Path
from types import MappingProxyType

import pytest

from bench.generate import generate_archive
from sitegen import cache
from sitegen.check import check_site
from sitegen.config import load_config
from sitegen.entities import load_entities
from sitegen.fingerprints import describe, digest_of, model_index
from sitegen.model import Body, Image, Site
from sitegen.pages import plan_pages
from sitegen.taxonomy import Links, build_site
from support import FIXTURES, TEMPLATES


@pytest.fixture(params=["generated", "profiles"])
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A generated archive, or the fixture with data files (aliases merge names into terms)."""
    root = tmp_path / "site"
    if request.param == "generated":
        generate_archive(root, 60, seed=5)
        config = root / "config.yaml"
        config.write_text(config.read_text() + "page_size: 3\n")
    else:
        shutil.copytree(FIXTURES / "sites" / "profiles", root)
        config = root / "config.yaml"
        config.write_text(config.read_text().replace("../../../../templates", TEMPLATES.as_posix()))
    return root


def _everything_but_structure_changed(site: Site) -> list:
    """The site's articles with every field outside the structure key changed."""
    return [replace(a, title=f"Other {a.title}", summary="Another summary.", body=Body.of("<p>New</p>", "New"),
                    source="Another paper", byline=("Someone Else",), original_url="https://example.org/x",
                    image=Image("https://example.org/i.jpg", "alt"), extra=MappingProxyType({"desk": "news"}),
                    content_hash="0" * 64, line_of=MappingProxyType({}))
            for a in site.articles]


def _keys(links: Links) -> list[list]:
    return [array.tolist() for array in (links.related_ends, links.related, links.connection_ends, links.connections)]


def test_the_links_and_the_page_plan_depend_only_on_the_structure(project: Path) -> None:
    config = load_config(project)
    site = check_site(config).site
    entities = load_entities(config)[0]
    changed = _everything_but_structure_changed(site)
    other = build_site(config, changed, entities)
    inputs = cache.scan_inputs(config, {}, 0)

    assert cache.model_keys(config, inputs, site.articles)[1] == cache.model_keys(config, inputs, changed)[1]
    assert cache.model_keys(config, inputs, site.articles)[0] != cache.model_keys(config, inputs, changed)[0]
    assert _keys(Links.of(other)) == _keys(Links.of(site))
    assert [digest_of(describe(p)) for p in plan_pages(other)] == [digest_of(describe(p)) for p in plan_pages(site)]


def test_a_changed_term_date_or_slug_changes_the_structure_key(project: Path) -> None:
    config = load_config(project)
    articles = list(check_site(config).site.articles)
    inputs = cache.scan_inputs(config, {}, 0)
    key = cache.model_keys(config, inputs, articles)[1]
    first = articles[0]
    terms = {**first.terms, "topics": (*first.terms.get("topics", ()), "A new topic")}
    for edited in (replace(first, terms=MappingProxyType(terms)), replace(first, slug="another-slug"),
                   replace(first, date=first.date.replace(year=first.date.year - 1))):
        assert cache.model_keys(config, inputs, [edited, *articles[1:]])[1] != key


def test_a_site_built_from_kept_links_equals_one_ranked_afresh(project: Path) -> None:
    config = load_config(project)
    site = check_site(config).site
    entities = load_entities(config)[0]
    links = Links.of(site)
    again = build_site(config, site.articles, entities, links)

    def named(s: Site) -> tuple[dict, dict]:
        related = {a.source_file: [o.source_file for o in others] for a, others in s.related.items()}
        connections = {(t.taxonomy, t.key): [(tax.name, [(o.key, n) for o, n in found]) for tax, found in groups]
                       for t, groups in s.connections.items()}
        return related, connections

    assert any(site.related.values()) and any(site.connections.values())  # there is something to compare
    assert named(again) == named(site)


def test_links_for_another_number_of_articles_are_not_used(project: Path) -> None:
    config = load_config(project)
    site = check_site(config).site
    entities = load_entities(config)[0]
    links = Links.of(site)
    fewer = build_site(config, site.articles[1:], entities, links)
    assert not links.fits(fewer)
    assert _keys(Links.of(fewer)) == _keys(Links.of(build_site(config, site.articles[1:], entities)))


def test_every_model_object_but_articles_depends_only_on_the_structure(project: Path) -> None:
    """What lets a rebuild of the same structure skip re-reading them (`changed_reads`): each
    attribute of a term, month, year, taxonomy or the site describes the same."""
    config = load_config(project)
    site = check_site(config).site
    other = build_site(config, _everything_but_structure_changed(site), load_entities(config)[0])

    def described(s: Site) -> dict:
        found = {}
        for key, obj in model_index(s).items():
            if key[0] == "article":
                continue
            names = [f.name for f in fields(obj)] + [n for n, v in vars(type(obj)).items() if isinstance(v, property)]
            found[key] = {name: digest_of(describe(getattr(obj, name))) for name in names}
        return found

    assert len(described(site)) > 10
    assert described(other) == described(site)
