"""What the archive already holds: each article's text hash, import hash, month and slug,
and the names its articles use. Read once before an import."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..frontmatter import FrontMatterError, split_front_matter
from ..loader import find_content_files
from ..markdown import render_body
from ..slugs import slugify

HASH_KEY = "import_hash"  # front matter key of an imported article's text hash
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def text_hash(markdown: str) -> str:
    """`sha256:<hex>` of the visible text of a Markdown body, so spacing, line endings and
    escaping do not make two copies of one text look different."""
    return hash_visible_text(render_body(markdown)[1])


def hash_visible_text(plain: str) -> str:
    """`text_hash` of a body whose visible text (`render_body(...)[1]`) is `plain`."""
    return "sha256:" + hashlib.sha256(unicodedata.normalize("NFC", plain).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ExistingArticle:
    """One article already in the content folder."""

    path: Path
    text_hash: str  # of its body as it is now
    import_hash: str  # as stored by an earlier import; "" for a file written by hand
    month: str  # "2015/01", from its date; "" when it has no readable date
    slug: str  # the URL slug the loader gives it

    @property
    def is_untouched_import(self) -> bool:
        """True for a file an import wrote whose text nobody has edited since."""
        return bool(self.import_hash) and self.import_hash == self.text_hash


class ArchiveIndex:
    """Every readable article in the content folder, indexed by text hash and by month."""

    def __init__(self, articles: Iterable[ExistingArticle], terms: Mapping[str, frozenset[str]]) -> None:
        self.articles = tuple(articles)
        self.terms = terms  # taxonomy -> names used in front matter
        self._by_hash: dict[str, list[ExistingArticle]] = defaultdict(list)
        self._slugs_by_month: dict[str, set[str]] = defaultdict(set)
        self._file_stems: dict[Path, set[str]] = {}
        for article in self.articles:
            for digest in {article.text_hash, article.import_hash} - {""}:
                self._by_hash[digest].append(article)
            self._slugs_by_month[article.month].add(article.slug)

    def matching(self, digest: str) -> list[ExistingArticle]:
        """Articles whose text (now, or when imported) has hash `digest`."""
        return list(self._by_hash.get(digest, ()))

    def taken_slugs(self, month: str, folder: Path) -> set[str]:
        """Slugs no new article of `month` may use: URL slugs of that month, and file names in
        `folder` (where its file would go)."""
        if folder not in self._file_stems:  # listed once: this run's own files are tracked apart
            self._file_stems[folder] = {p.stem for p in folder.iterdir()} if folder.is_dir() else set()
        return self._slugs_by_month.get(month, set()) | self._file_stems[folder]


def scan_archive(folders: Iterable[Path], taxonomies: tuple[str, ...]) -> ArchiveIndex:
    """Read the front matter and body of every content file in `folders`; unreadable files are
    passed over (`sitegen check` reports them)."""
    articles = []
    terms: dict[str, set[str]] = defaultdict(set)
    paths = sorted({path for folder in folders for path in find_content_files(folder)})
    for path in paths:
        try:
            fm = split_front_matter(path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n"), path.name)
        except (OSError, UnicodeDecodeError, FrontMatterError):
            continue
        data = fm.data
        month = _MONTH.match(str(data.get("date", "")))
        slug = data.get("slug") or data.get("title") or ""
        articles.append(ExistingArticle(path, text_hash(fm.body), str(data.get(HASH_KEY) or ""),
                                        f"{month.group(1)}/{month.group(2)}" if month else "",
                                        slugify(str(slug))))
        for taxonomy in taxonomies:
            value = data.get(taxonomy)
            if isinstance(value, list):
                terms[taxonomy].update(name for name in value if isinstance(name, str))
    return ArchiveIndex(tuple(articles), {name: frozenset(found) for name, found in terms.items()})
