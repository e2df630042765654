"""Run the pipeline: load, model, pages, render, write. Returns a `BuildResult`; prints nothing."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .entities import load_entities, unused_entry_warnings
from .errors import ContentError, Problem
from .feeds import build_feed_files
from .loader import load_articles
from .model import Site
from .output import WriteStats, write_site
from .pages import Page, find_url_clashes, plan_pages
from .render import make_renderer
from .search import build_search_files
from .sitemap import build_sitemap_files
from .taxonomy import build_site

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class BuildResult:
    """What a build or check did: counts, timings per stage (seconds), and every problem."""

    article_count: int = 0
    page_count: int = 0
    file_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)  # bad files left out (--keep-going)
    timings: dict[str, float] = field(default_factory=dict)
    write: WriteStats | None = None

    @property
    def seconds(self) -> float:
        """Total time of all stages."""
        return sum(self.timings.values())


@dataclass(frozen=True)
class Plan:
    """The output of the pure stages: the model and its pages."""

    site: Site
    pages: list[Page]


def check_site(config: Config, *, keep_going: bool = False, result: BuildResult | None = None) -> Plan:
    """Load, model and plan pages without writing; raise ContentError if anything is wrong."""
    result = result if result is not None else BuildResult()
    started = time.perf_counter()
    articles, problems = load_articles(config)
    entities, entity_problems = load_entities(config)  # a data file with errors gives no profiles
    problems = [*problems, *entity_problems]
    result.timings["load"] = time.perf_counter() - started
    result.problems.extend(problems)
    failed = sorted({p.source for p in problems if not p.is_warning})
    if failed and not keep_going:
        raise ContentError("content has errors", problems)
    result.skipped_sources.extend(failed)

    started = time.perf_counter()
    site = build_site(config, articles, entities)
    result.problems.extend(unused_entry_warnings(entities, site))
    result.timings["model"] = time.perf_counter() - started

    started = time.perf_counter()
    pages = plan_pages(site)
    clashes = find_url_clashes(pages)
    result.timings["pages"] = time.perf_counter() - started
    if clashes:
        result.problems.extend(clashes)
        raise ContentError("URL clash", result.problems)
    result.article_count = len(site.articles)
    result.page_count = len(pages)
    return Plan(site, pages)


def build(config: Config, *, keep_going: bool = False, progress: Progress | None = None) -> BuildResult:
    """Build the whole site into `config.output_dir`; on any error the old output stays."""
    result = BuildResult()
    plan = check_site(config, keep_going=keep_going, result=result)

    started = time.perf_counter()
    render_page = make_renderer(plan.site)
    files: dict[str, bytes] = {}
    total = len(plan.pages)
    for done, page in enumerate(plan.pages, start=1):
        files[page.url] = render_page(page).encode("utf-8")
        if progress and (done % 200 == 0 or done == total):
            progress(done, total)
    result.timings["render"] = time.perf_counter() - started

    started = time.perf_counter()
    files.update(build_search_files(plan.site))
    result.timings["search"] = time.perf_counter() - started

    started = time.perf_counter()
    files.update(build_feed_files(plan.site))
    files.update(build_sitemap_files(plan.site, plan.pages))
    result.timings["feeds"] = time.perf_counter() - started

    started = time.perf_counter()
    result.write = write_site(config.output_dir, files, static_dirs=(config.static_dir,))
    result.timings["write"] = time.perf_counter() - started
    result.file_count = result.write.written_count + result.write.unchanged_count
    return result


def project_root(config_path: Path | None) -> Path:
    """The folder holding config.yaml: the given file's folder, or the current directory."""
    return (config_path.parent if config_path else Path.cwd()).resolve()
