"""What an article page tells search engines and link previews: schema.org `NewsArticle`
JSON-LD and Open Graph tags. Absolute URLs appear only when `base_url` is set."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from . import urls
from .model import Article, Site, Term
from .slugs import name_key

# schema.org type of a term, by taxonomy name; any other taxonomy's terms are plain `Thing`s.
SCHEMA_TYPES = {"people": "Person", "organisations": "Organization", "organizations": "Organization",
                "places": "Place"}
# Escapes that keep JSON inert inside <script>: no `</script>`, `<!--` or `&` entity can form.
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


@dataclass(frozen=True)
class ArticleMeta:
    """The discovery data of one article page."""

    open_graph: tuple[tuple[str, str], ...]  # (property, content), plain text for attributes
    json_ld: Markup  # JSON text, safe to put between <script type="application/ld+json"> tags


@jinja2.pass_context
def article_meta(context: jinja2.runtime.Context, article: Article) -> ArticleMeta:
    """`{% set meta = article_meta(article) %}` in a template."""
    return describe_article(context["site"], article)


def article_meta_reads(context: jinja2.runtime.Context, article: Article) -> list[tuple[Any, Any]]:
    """What `article_meta` reads of the model, declared: read recording (recording.py) calls it
    with the real objects and records these, as (object, attribute) in the form of
    fingerprints.py, rather than watching its every read through views, which cost 2.4 s of CPU
    in a first build of 10,000 articles. The whole article (its page shows it anyway), the
    site's config and taxonomies, the lookup of each name the article gives, and what each term
    shows. A test holds this to what recording sees `describe_article` read."""
    site = context["site"]
    reads: list[tuple[Any, Any]] = [(article, "*"), (site, "config"), (site, "taxonomies")]
    for name, taxonomy in site.taxonomies.items():
        reads.extend([(site, ("[]", "taxonomies", name)), (taxonomy, "name")])
        reads.extend((taxonomy, ("[]", "by_key", name_key(given))) for given in article.terms.get(name, ()))
    for term in site.terms_of(article):
        reads.extend((term, attribute) for attribute in ("taxonomy", "name", "slug", "profile"))
    return reads


article_meta.declared_reads = article_meta_reads  # type: ignore[attr-defined]  # see recording.py


def describe_article(site: Site, article: Article) -> ArticleMeta:
    """Open Graph tags and JSON-LD for `article`."""
    terms = site.terms_of(article)
    json_ld = Markup(script_json(news_article_data(site, article, terms)))
    return ArticleMeta(open_graph_tags(site, article, terms), json_ld)


def script_json(data: Any) -> str:
    """`data` as JSON that cannot end or confuse the <script> element it is written into."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for unsafe, escaped in _SCRIPT_SAFE:  # str.translate with a table costs 300x more on such text
        if unsafe in text:
            text = text.replace(unsafe, escaped)
    return text


def news_article_data(site: Site, article: Article, terms: list[Term]) -> dict[str, Any]:
    """The schema.org `NewsArticle` of `article` (naming `terms`), as a JSON-ready mapping."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle",
                            "headline": article.title, "datePublished": article.date.isoformat(),
                            "inLanguage": site.config.language}
    if article.summary:
        data["description"] = article.summary
    url = _absolute(site, urls.article_url(article))
    if url:
        data["url"] = data["mainEntityOfPage"] = url
    image = absolute_image_url(site, article)
    if image:
        data["image"] = [image]
    if article.byline:
        data["author"] = [{"@type": "Person", "name": name} for name in article.byline]
    if article.source:
        data["publisher"] = {"@type": "Organization", "name": article.source}
    mentions = [_thing(site, term) for term in terms]
    if mentions:
        data["mentions"] = mentions
    return data


def open_graph_tags(site: Site, article: Article, terms: list[Term]) -> tuple[tuple[str, str], ...]:
    """Open Graph (and `article:`) properties of `article` (tagged with `terms`); og:url and
    og:image need absolute URLs."""
    tags = [("og:type", "article"), ("og:title", article.title), ("og:site_name", site.config.title)]
    if article.summary:
        tags.append(("og:description", article.summary))
    url = _absolute(site, urls.article_url(article))
    if url:
        tags.append(("og:url", url))
    image = absolute_image_url(site, article)
    if image and article.image:
        tags.append(("og:image", image))
        if article.image.alt:
            tags.append(("og:image:alt", article.image.alt))
    tags.append(("article:published_time", article.date.isoformat()))
    tags.extend(("article:tag", term.name) for term in terms)
    return tuple(tags)


def absolute_image_url(site: Site, article: Article) -> str:
    """The lead image as an absolute URL: as written if it is one, else under `base_url`, else ""."""
    src = article.image.src if article.image else ""
    if src.lower().startswith(("http://", "https://")):
        return src
    return urls.absolute_url(site.config.base_url, src.lstrip("/")) if src and site.config.base_url else ""


def _thing(site: Site, term: Term) -> dict[str, Any]:
    thing: dict[str, Any] = {"@type": SCHEMA_TYPES.get(term.taxonomy, "Thing"), "name": term.name}
    url = _absolute(site, urls.term_url(site.config, term))
    if url:
        thing["url"] = url
    if term.profile and term.profile.links:
        thing["sameAs"] = [link.url for link in term.profile.links]
    return thing


def _absolute(site: Site, url: str) -> str:
    return urls.absolute_url(site.config.base_url, url) if site.config.base_url else ""
