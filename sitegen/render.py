"""The Jinja2 environment (autoescape, StrictUndefined, the project's templates) and its filters."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import pass_context

from . import urls
from .config import Config
from .discovery import article_meta
from .errors import ContentError, Problem
from .model import MONTH_NAMES, Site, Term
from .pages import Page, context_values
from .slugs import slugify
from .taxonomy import sort_key
from .urls import url_of

def make_environment(config: Config) -> jinja2.Environment:
    """A Jinja2 environment over `config.template_dirs`, first folder winning."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in config.template_dirs]),
        autoescape=True,  # every template produces HTML; feeds and JSON are not templated
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Each build makes its own environment, so a template is read once a build: checking
        # every template a page extends or imports for changes cost a stat each (64,252 at 10,000 articles).
        auto_reload=False,
    )
    env.globals.update(href=_href, url_of=lambda target, page=1: url_of(config, target, page),
                       urls=urls, month_name=month_name, article_meta=article_meta)
    env.filters.update(long_date=long_date, iso_date=iso_date, month_name=month_name,
                       groupby_initial=group_by_initial)
    return env


@pass_context
def _href(context: jinja2.runtime.Context, target: Any, page: int = 1) -> str:
    """`{{ href(article) }}`: the relative link from the page being rendered to `target`."""
    config: Config = context["config"]
    if isinstance(target, str) and target.lower().startswith(("http://", "https://")):
        return target
    return urls.relative_href(context["page"].url, url_of(config, target, page),
                              clean_urls=config.clean_urls)


def group_by_initial(terms: Sequence[Term]) -> list[tuple[str, list[Term]]]:
    """Terms grouped under their A-Z initial: accents folded (Émile under E); a name in another
    script, or opening with a mark, under the initial of its slug (Владимир Путин under V, 北京
    under B, ‘Ndrangheta under N); under `#` if its slug starts with a digit or is empty (3M, 🎉)."""
    groups: dict[str, list[Term]] = {}
    for term in terms:
        initial = sort_key(term.name)[:1].upper()
        if not "A" <= initial <= "Z":
            initial = slugify(term.name, fallback="")[:1].upper()
        groups.setdefault(initial if "A" <= initial <= "Z" else "#", []).append(term)
    return sorted(groups.items(), key=lambda item: (item[0] == "#", item[0]))


def long_date(value: datetime) -> str:
    """`16 January 2015`."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def iso_date(value: datetime) -> str:
    """`2015-01-16`, for `<time datetime>`."""
    return value.date().isoformat()


def month_name(month: int) -> str:
    """`1` -> `January`."""
    return MONTH_NAMES[month - 1]


def make_renderer(site: Site, env: jinja2.Environment | None = None) -> Callable[[Page], str]:
    """A function that renders one page of `site` to text (with `env`, e.g. one that records reads)."""
    env = env or make_environment(site.config)
    base = {"site": site, "config": site.config}

    def render_page(page: Page) -> str:
        try:
            template = env.get_template(page.template)
            return template.render(base, page=page, **context_values(page))
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError("template", [Problem(_template_source(site.config, exc.filename),
                                                    exc.lineno, f"template syntax error: {exc.message}; "
                                                    "fix the tag on this line")])
        except jinja2.TemplateNotFound as exc:
            folders = ", ".join(_template_source(site.config, str(f)) for f in site.config.template_dirs)
            raise ContentError("template", [Problem(site.config.source, 1, f"template {exc.name!r} is in "
                                                    f"none of the template folders ({folders}); restore "
                                                    "it, or fix template_dirs")])
        except Exception as exc:  # raised while a template ran: the template's mistake, at its line
            where = _template_line(exc, site.config)
            if where is None:
                raise  # not from a template: a bug in sitegen
            hint = "check the variable name" if isinstance(exc, jinja2.UndefinedError) else "fix the template"
            what = exc.message if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: {exc}"
            raise ContentError("template", [Problem(*where, f"template error while rendering {page.url}: "
                                                    f"{what}; {hint}")]) from exc

    return render_page


def _template_line(exc: BaseException, config: Config) -> tuple[str, int] | None:
    """(source, line) of the innermost template frame in `exc`'s traceback, if any.

    Jinja2 rewrites tracebacks so a template's frames carry its file name and line.
    """
    folders = [folder.resolve() for folder in config.template_dirs]
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")) and any(Path(filename).resolve().is_relative_to(f)
                                                                for f in folders):
            found = (_template_source(config, filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _template_source(config: Config, filename: str | None) -> str:
    if not filename:
        return "templates"
    path = Path(filename)
    return path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else filename
