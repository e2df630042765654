"""Plan every output page from the model: URL, template, context, and the articles it shows."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import urls
from .errors import Problem
from .model import Article, Connections, Site, Taxonomy, Term
from .timeline import term_timeline


@dataclass(frozen=True, eq=False)
class Page:
    """One output file rendered from one template."""

    url: str  # site-relative, names a file: people/mark-rowley/index.html
    template: str  # template name, e.g. "term.html"
    context: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # source_file of each article shown, for incremental rebuilds


class Deferred:
    """A context value worked out when first needed, by `make(*args)`: when its page is
    rendered or its fingerprint described. A rebuild that keeps the site's structure takes the
    last build's fingerprints and renders a few pages, so most pages' values are never needed.
    `make` must be a pure function of `args` (for fingerprints, the value is what counts) and a
    module's own function (pages are pickled for executors that do not fork)."""

    __slots__ = ("make", "args", "_value")

    def __init__(self, make: Callable[..., Any], *args: Any) -> None:
        self.make, self.args = make, args

    def value(self) -> Any:
        """The value, worked out once."""
        try:
            return self._value
        except AttributeError:
            self._value = self.make(*self.args)
            return self._value


def context_values(page: Page) -> dict[str, Any]:
    """The page's context as templates see it: every `Deferred` value worked out."""
    return {name: value.value() if type(value) is Deferred else value for name, value in page.context.items()}


@dataclass(frozen=True)
class Pagination:
    """Where one page sits in a paginated list."""

    number: int  # 1-based
    count: int  # how many pages in all
    urls: tuple[str, ...]  # url of every page, index 0 = page 1

    @property
    def previous_url(self) -> str | None:
        """The url of the page before, if any."""
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        """The url of the page after, if any."""
        return self.urls[self.number] if self.number < self.count else None


def paginate(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """Split `items` into chunks of `size`; an empty list still makes one (empty) page."""
    return [items[i:i + size] for i in range(0, len(items), size)] or [items[:0]]


def plan_pages(site: Site) -> list[Page]:
    """Every page of the site, in a stable order."""
    pages: list[Page] = [_home(site), Page(urls.SEARCH, "search.html"), Page(urls.NOT_FOUND, "404.html")]
    pages.extend(_article_pages(site))
    for taxonomy in site.taxonomies.values():
        pages.extend(_taxonomy_pages(site, taxonomy))
    pages.extend(_archive_pages(site))
    return pages


def find_url_clashes(pages: Sequence[Page]) -> list[Problem]:
    """One error per URL claimed by two pages, naming both sources."""
    claimed: dict[str, Page] = {}
    problems = []
    for page in pages:
        other = claimed.setdefault(page.url, page)
        if other is not page:
            first = other.sources[0] if other.sources else "a generated page"
            second = page.sources[0] if page.sources else "a generated page"
            problems.append(Problem(second, _slug_line(page), f"URL '{page.url}' is also used by "
                                    f"{first}; set a different 'slug' in one of them"))
    return problems


def _slug_line(page: Page) -> int:
    article = page.context.get("article")
    if isinstance(article, Article):
        return article.line_of.get("slug", article.line_of.get("title", 1))
    return 1


def _home(site: Site) -> Page:
    count = site.config.home_term_count
    top_terms = {name: sorted(t.terms, key=lambda term: (-term.article_count, term.name))[:count]
                 for name, t in site.taxonomies.items()}
    latest = site.articles[: site.config.home_article_count]
    return Page(urls.HOME, "home.html", {"latest": latest, "top_terms": top_terms},
                tuple(a.source_file for a in latest))


def _article_pages(site: Site) -> Iterator[Page]:
    for index, article in enumerate(site.articles):
        older, newer = site.previous_and_next(index)
        related = site.related.get(article, ())
        context = {"article": article, "terms": Deferred(_named_terms, site, article),
                   "older": older, "newer": newer, "related": related}
        neighbours = [a.source_file for a in (older, newer, *related) if a is not None]
        yield Page(urls.article_url(article), "article.html", context, (article.source_file, *neighbours))


def _named_terms(site: Site, article: Article) -> list[tuple[Taxonomy, tuple[Term, ...]]]:
    """Each taxonomy in which `article` names terms, with those terms."""
    terms = [(taxonomy, taxonomy.terms_of(article)) for taxonomy in site.taxonomies.values()]
    return [(taxonomy, found) for taxonomy, found in terms if found]


def _connections(site: Site, term: Term) -> Connections:
    return site.connections.get(term, ())


def _taxonomy_pages(site: Site, taxonomy: Taxonomy) -> Iterator[Page]:
    prefix = taxonomy.config.url_prefix
    by_count = sorted(taxonomy.terms, key=lambda t: (-t.article_count, t.name))
    for url, terms, order in ((urls.taxonomy_url(prefix), taxonomy.terms, "name"),
                              (urls.taxonomy_url(prefix, by_count=True), by_count, "count")):
        yield Page(url, "taxonomy.html", {"taxonomy": taxonomy, "terms": terms, "order": order})
    for term in taxonomy.terms:
        chunks = paginate(term.articles, site.config.page_size)
        page_urls = tuple(urls.term_url(site.config, term, n) for n in range(1, len(chunks) + 1))
        for number, chunk in enumerate(chunks, start=1):
            context = {"taxonomy": taxonomy, "term": term, "articles": chunk,
                       "pagination": Pagination(number, len(chunks), page_urls),
                       "timeline": None, "connections": []}
            shown = chunk
            if number == 1:  # the profile: its timeline and connections draw on every article
                context.update(timeline=Deferred(term_timeline, term), connections=Deferred(_connections, site, term))
                shown = term.articles
            yield Page(page_urls[number - 1], "term.html", context, tuple(a.source_file for a in shown))


def _archive_pages(site: Site) -> Iterator[Page]:
    yield Page(urls.ARCHIVE, "archive.html", {"years": site.years})
    for year in site.years:
        yield Page(urls.year_url(year.year), "year.html", {"year": year},
                   tuple(a.source_file for m in year.months for a in m.articles))
        for month in year.months:
            yield Page(urls.month_url(month.year, month.month), "month.html", {"year": year, "month": month},
                       tuple(a.source_file for a in month.articles))
