"""The archive as data: articles, terms, taxonomies, the chronological archive. No I/O."""
from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from .config import Config, TaxonomyConfig
from .slugs import name_key

_EMPTY: Mapping[str, Any] = MappingProxyType({})
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


@dataclass(frozen=True)
class Image:
    """An article's lead image. `src` is a URL or a site-relative path, as written."""

    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


class PickledByFields:
    """For a slotted dataclass: pickled as its fields in order and unpickled by `__init__`,
    2.5x faster (and smaller) than the slot-by-slot state dataclasses give it. The cache holds
    one per article body, input file and output file."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__slots__)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Body(PickledByFields):
    """An article's rendered body, kept compressed: the bodies are most of the model's memory
    (two strings of two bytes a character once a curly quote is in them). The HTML and the text
    go in one zlib stream, HTML first, so the text (the HTML's words again) costs little more:
    ~8.5 KB of UTF-8 a body becomes ~2.4 KB. `html` decompresses only its own part, `text` all;
    each is decompressed on every read: twice in a full build (the article page and its read
    record; the search index and the search documents)."""

    packed: bytes = b""  # zlib of the HTML's UTF-8, a NUL, the text's UTF-8
    html_size: int = 0  # bytes of UTF-8 HTML at the start of the stream

    @classmethod
    def of(cls, html: str, text: str) -> Body:
        """The body of rendered `html` and its plain `text`, packed (zlib level 1: the fastest)."""
        if not html and not text:
            return EMPTY_BODY
        data = html.encode("utf-8")
        return cls(zlib.compress(data + b"\0" + text.encode("utf-8"), 1), len(data))

    @property
    def html(self) -> str:
        """Rendered HTML, safe to insert as markup."""
        if not self.html_size:  # (a max_length of 0 would mean "all")
            return ""
        return zlib.decompressobj().decompress(self.packed, self.html_size).decode("utf-8")

    @property
    def text(self) -> str:
        """Plain text, for search."""
        if not self.packed:
            return ""
        return zlib.decompress(self.packed)[self.html_size + 1:].decode("utf-8")


EMPTY_BODY = Body()


@dataclass(frozen=True, eq=False)
class Article:
    """One article, validated. Compared by identity; the model never copies articles."""

    source_file: str  # POSIX, relative to the project root: content/2015/patrols.md
    title: str
    date: datetime  # timezone-aware
    slug: str  # one URL segment, ASCII
    summary: str  # plain text
    body: Body = EMPTY_BODY  # see body_html and body_text
    source: str = ""  # the publication, e.g. "The Independent"
    byline: tuple[str, ...] = ()
    original_url: str = ""
    image: Image | None = None
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)  # taxonomy name -> names, in written order
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)  # front matter keys sitegen does not know
    is_draft: bool = False
    content_hash: str = ""  # sha256 of the file's bytes
    line_of: Mapping[str, int] = field(default_factory=lambda: _EMPTY)  # front matter key -> 1-based file line

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """Chronological order, ties broken by file so the order is stable."""
        return (self.date, self.source_file)

    @property
    def stamp(self) -> str:
        """What, beside the config and code, this article is a function of: its file's bytes, and
        its slug, which a same-titled older article can change (see `loader.assign_distinct_urls`).
        Empty for an article made without a file."""
        return f"{self.content_hash}/{self.slug}" if self.content_hash else ""

    @property
    def body_html(self) -> str:
        """The body rendered, safe to insert as markup."""
        return self.body.html

    @property
    def body_text(self) -> str:
        """The body as plain text, for search."""
        return self.body.text


@dataclass(frozen=True)
class ProfileLink:
    """One link on a profile: `label` as shown, `url` absolute http(s)."""

    label: str
    url: str


@dataclass(frozen=True, eq=False)
class Profile:
    """What a data file (`data/<taxonomy>.yaml`) says about one term."""

    name: str  # the canonical name: the entry's key, as written
    key: str  # name_key(name)
    source: str  # the data file, project-relative POSIX: data/people.yaml
    line: int  # 1-based line of the entry's key
    description_html: str = ""  # rendered Markdown, safe to insert as markup
    aliases: tuple[str, ...] = ()  # other names articles use for it, as written
    image: Image | None = None  # `src` a URL or a site-relative path
    links: tuple[ProfileLink, ...] = ()
    born: str = ""  # as written, e.g. "1965" or "1965-03-20"
    founded: str = ""
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)  # keys sitegen does not know


@dataclass(frozen=True, eq=False)
class Term:
    """One topic, person or organisation and the articles that name it (newest first)."""

    taxonomy: str  # the TaxonomyConfig.name it belongs to
    name: str  # the profile's canonical name, else the most used spelling
    key: str  # normalised identity, see slugs.name_key
    slug: str  # unique within the taxonomy
    articles: tuple[Article, ...]
    profile: Profile | None = None  # from the taxonomy's data file, if it has an entry

    @property
    def article_count(self) -> int:
        """How many articles name this term."""
        return len(self.articles)


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """All terms of one taxonomy, A-Z by name."""

    config: TaxonomyConfig
    terms: tuple[Term, ...]
    by_key: Mapping[str, Term] = field(default_factory=lambda: _EMPTY)  # name_key of a name or alias -> Term

    @property
    def name(self) -> str:
        """The front matter key, e.g. "people"."""
        return self.config.name

    def terms_of(self, article: Article) -> tuple[Term, ...]:
        """The terms `article` names in this taxonomy, in the order it names them."""
        found = (self.by_key[name_key(n)] for n in article.terms.get(self.name, ()))
        return tuple(dict.fromkeys(found))  # an alias and its name in one article are one term


@dataclass(frozen=True, eq=False)
class Month:
    """Articles of one calendar month, newest first."""

    year: int
    month: int
    articles: tuple[Article, ...]

    @property
    def article_count(self) -> int:
        """How many articles the month holds."""
        return len(self.articles)


@dataclass(frozen=True, eq=False)
class Year:
    """Articles of one year, grouped by month (oldest month first)."""

    year: int
    months: tuple[Month, ...]

    @property
    def article_count(self) -> int:
        """How many articles the year holds."""
        return sum(m.article_count for m in self.months)


Connections = tuple[tuple[Taxonomy, tuple[tuple[Term, int], ...]], ...]


@dataclass(frozen=True, eq=False)
class Site:
    """Everything the pages are planned from. Read-only once built."""

    config: Config
    articles: tuple[Article, ...]  # newest first
    taxonomies: Mapping[str, Taxonomy]  # by taxonomy name, in config order
    years: tuple[Year, ...]  # newest first
    related: Mapping[Article, tuple[Article, ...]] = field(default_factory=lambda: _EMPTY)
    # term -> per taxonomy, the terms most often named in the same articles, with how many
    connections: Mapping[Term, Connections] = field(default_factory=lambda: _EMPTY)

    def terms_of(self, article: Article) -> list[Term]:
        """Every term `article` names, taxonomy by taxonomy in config order."""
        return [term for taxonomy in self.taxonomies.values() for term in taxonomy.terms_of(article)]

    def previous_and_next(self, index: int) -> tuple[Article | None, Article | None]:
        """The articles just older and just newer than `articles[index]`."""
        older = self.articles[index + 1] if index + 1 < len(self.articles) else None
        newer = self.articles[index - 1] if index > 0 else None
        return older, newer
