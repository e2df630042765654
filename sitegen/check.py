"""The pure stages of a build: load the content, make the model, plan the pages. `sitegen check`
runs only these; `pipeline.py` runs them and then renders and writes.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from .config import Config
from .entities import load_entities, unused_entry_warnings
from .errors import ContentError, Problem
from .loader import load_articles, settle_articles
from .model import Article, Site
from .pages import Page, find_url_clashes, plan_pages
from .results import BuildResult
from .taxonomy import Links, build_site

Loader = Callable[[Config], tuple[list[Article], list[Problem]]]


@dataclass(frozen=True)
class Plan:
    """The output of the pure stages: the model and its pages."""

    site: Site
    pages: list[Page]


def check_site(config: Config, *, keep_going: bool = False, result: BuildResult | None = None,
               load: Loader = load_articles) -> Plan:
    """Load, model and plan pages without writing; raise ContentError if anything is wrong."""
    result = result if result is not None else BuildResult()
    site = check_model(config, keep_going=keep_going, result=result, load=load)
    return Plan(site, check_pages(site, result))


def check_model(config: Config, *, keep_going: bool = False, result: BuildResult | None = None,
                load: Loader = load_articles, links: Callable[[list[Article]], Links | None] | None = None,
                before_links: Callable[[Site], None] | None = None) -> Site:
    """The first half of `check_site`: load and model (with the links `links` knows for the
    articles loaded, if any: see `taxonomy.Links`; `before_links`: see `build_site`, its time
    is not the model's)."""
    result = result if result is not None else BuildResult()
    started = time.perf_counter()
    articles, problems = load(config)
    articles, settled = settle_articles(config, articles)  # one URL per article, whichever loader ran
    problems = [*problems, *settled]
    entities, entity_problems = load_entities(config)  # a data file with errors gives no profiles
    problems = [*problems, *entity_problems]
    result.timings["load"] = time.perf_counter() - started
    result.problems.extend(problems)
    failed = sorted({p.source for p in problems if not p.is_warning})
    if failed and not keep_going:
        raise ContentError("content has errors", problems)
    result.skipped_sources.extend(failed)

    started = time.perf_counter()
    aside = 0.0  # seconds spent in `before_links`

    def timed_before_links(site: Site) -> None:
        nonlocal aside
        begun = time.perf_counter()
        before_links(site)  # type: ignore[misc]  # only called when given
        aside = time.perf_counter() - begun

    site = build_site(config, articles, entities, links(articles) if links else None,
                      before_links=timed_before_links if before_links else None)
    result.problems.extend(unused_entry_warnings(entities, site))
    result.timings["model"] = time.perf_counter() - started - aside
    result.article_count = len(site.articles)
    return site


def check_pages(site: Site, result: BuildResult) -> list[Page]:
    """The second half of `check_site`: every page of `site`; a URL two pages claim is an error."""
    started = time.perf_counter()
    pages = plan_pages(site)
    clashes = find_url_clashes(pages)
    result.timings["pages"] = time.perf_counter() - started
    if clashes:
        result.problems.extend(clashes)
        raise ContentError("URL clash", result.problems)
    result.page_count = len(pages)
    return pages
