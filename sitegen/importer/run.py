"""`import_articles`, one run of `sitegen import`: what it does is in the package's docstring."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..config import Config
from ..entities import load_entities
from ..errors import SitegenError
from ..loader import source_of
from ..markdown import render_body
from ..slugs import slugify
from .archive import ArchiveIndex, ExistingArticle, hash_visible_text, scan_archive
from .draft import Draft
from .jsonl import parse_field_map
from .ner import Recogniser, load_recogniser
from .report import Attention, Duplicate, ImportReport, Imported, report_lines
from .sources import FORMATS, find_import_files, read_sources
from .tagging import KnownNames, collect_known_names, find_tags, merge_names
from .text import MAX_IMAGE_LINES
from .writer import ArticleFile, distinct_slug, render_article_file, replace_file, write_new_file

__all__ = ["FORMATS", "ImportOptions", "ImportReport", "import_articles", "parse_field_map", "report_lines"]


@dataclass(frozen=True)
class ImportOptions:
    """How to read and where to write; the defaults import by file extension into content/."""

    format: str | None = None  # text, html or jsonl; None: from each file's extension
    source_name: str = ""  # the publication, for articles that do not name one
    date: date | None = None  # for articles that give no date
    title: str = ""  # for articles that have no headline
    topics: tuple[str, ...] = ()  # added to every article
    image_lines: int = 0  # text files open with this many image lines (alt, then caption + credit)
    field_map: Mapping[str, str] = field(default_factory=dict)  # JSON Lines: article field -> JSON field
    into: Path | None = None  # the content folder to write into; None: the config's content_dir
    is_dry_run: bool = False
    should_update: bool = False  # replace an untouched earlier import of the same text


@dataclass
class _Run:
    """State of one import while it runs."""

    config: Config
    options: ImportOptions
    into: Path
    archive: ArchiveIndex
    known: KnownNames
    recognise: Recogniser | None
    seen_raw: dict[str, str] = field(default_factory=dict)  # sha256 of bytes -> first source
    seen_text: dict[str, str] = field(default_factory=dict)  # text hash -> first source
    claimed: dict[Path, set[str]] = field(default_factory=dict)  # folder -> slugs this run writes there
    imported: list[Imported] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    attention: list[Attention] = field(default_factory=list)


def import_articles(config: Config, paths: Sequence[Path], options: ImportOptions) -> ImportReport:
    """Import every article in `paths`; write nothing when `options.is_dry_run`."""
    if not 0 <= options.image_lines <= MAX_IMAGE_LINES:
        raise SitegenError(f"--image-lines {options.image_lines} is not supported; use 1 (an alt text line) "
                           "or 2 (alt text, then a caption ending with the photo credit)")
    taxonomies = tuple(t.name for t in config.taxonomies)
    into = (options.into or config.content_dir).resolve()
    files = find_import_files(paths)
    read = read_sources(files, options.format, image_lines=options.image_lines,
                        field_map=options.field_map, taxonomies=taxonomies)
    content_dir = config.content_dir.resolve()
    archive = scan_archive([content_dir, into] if not into.is_relative_to(content_dir) else [content_dir],
                           taxonomies)
    entities, _ = load_entities(config)  # a bad data file is reported by `sitegen check`, not here
    recognise, tagging = load_recogniser(taxonomies)
    run = _Run(config, options, into, archive, collect_known_names(archive.terms, entities), recognise)
    run.attention.extend(Attention(item.source, item.reason) for item in read.unreadable)
    for draft in read.drafts:
        _import_one(run, draft)
    return ImportReport(tuple(run.imported), tuple(run.duplicates), tuple(run.attention), read.encodings,
                        f"{tagging} ({run.known.name_count} known names)",
                        source_of(into, config.root), options.is_dry_run)


def _import_one(run: _Run, draft: Draft) -> None:
    plain = render_body(draft.body)[1]
    digest = hash_visible_text(plain)
    raw_digest = hashlib.sha256(draft.raw_bytes).hexdigest()
    first = run.seen_raw.setdefault(raw_digest, draft.source)
    if first != draft.source:
        run.duplicates.append(Duplicate(draft.source, first, f"byte-identical to {first}"))
        return
    first = run.seen_text.setdefault(digest, draft.source)
    if first != draft.source:
        run.duplicates.append(Duplicate(draft.source, first, f"same text as {first}"))
        return
    completed = _complete(run, draft)
    if completed is None:
        return
    draft = completed
    tags = _tags(run, draft, plain)
    matches = run.archive.matching(digest)
    if matches:
        _import_again(run, draft, digest, tags, matches)
        return
    month = f"{draft.when.year:04d}/{draft.when.month:02d}"
    folder = run.into / month
    taken = run.archive.taken_slugs(month, folder) | run.claimed.get(folder, set())
    path = folder / f"{distinct_slug(slugify(draft.title), taken)}.md"
    _write(run, draft, path, _file_text(run, draft, digest, tags, path.stem), tags, is_update=False)


def _complete(run: _Run, draft: Draft) -> Draft | None:
    """`draft` with the options' headline, date and publication filled in where it has none;
    None (and an Attention) when it still lacks a headline or a date."""
    options = run.options
    draft = replace(draft, title=draft.title or " ".join(options.title.split()),
                    when=draft.when or options.date, source_name=options.source_name or draft.source_name)
    missing = []
    if not draft.title:
        missing.append("no headline found; pass --title TEXT (importing this file alone), or add the "
                       "headline as the first line" if ".jsonl:" not in draft.source
                       else f"no headline in field '{options.field_map.get('title', 'title')}'; "
                       "name the headline field with --map title=FIELD")
    if draft.when is None:
        noted = "".join(f"{note}; " for note in draft.notes if "not a date" in note)
        missing.append(f"no date: {noted}none found in the article; pass --date YYYY-MM-DD, or add a "
                       "dateline such as '16 January 2015' below the headline")
    for reason in missing:
        run.attention.append(Attention(draft.source, reason))
    return None if missing else draft


def _tags(run: _Run, draft: Draft, plain_body: str) -> dict[str, tuple[str, ...]]:
    """Names found in the headline, image text and body, merged with those the input gave."""
    image = draft.image
    text = "\n".join([draft.title, plain_body,
                      *((image.alt, image.caption) if image else ())])
    found = find_tags(text, run.known)
    if run.recognise is not None:
        for taxonomy, names in run.recognise(text).items():
            found[taxonomy] = merge_names(found.get(taxonomy, ()), names)
    given = {**draft.terms}
    if run.options.topics and "topics" in {t.name for t in run.config.taxonomies}:
        given["topics"] = merge_names(run.options.topics, given.get("topics", ()))
    order = [t.name for t in run.config.taxonomies]
    merged = {name: merge_names(given.get(name, ()), found.get(name, ())) for name in order}
    return {name: names for name, names in merged.items() if names}


def _import_again(run: _Run, draft: Draft, digest: str, tags: dict[str, tuple[str, ...]],
                  matches: list[ExistingArticle]) -> None:
    """The text is already in the archive: skip it, or with --update rewrite our own import."""
    own = next((a for a in matches if a.is_untouched_import), None)
    if own is None:
        edited = next((a for a in matches if a.import_hash == digest), None)
        shown = source_of((edited or matches[0]).path, run.config.root)
        reason = (f"already imported as {shown}, which was edited since, so it is not replaced" if edited
                  else f"same text as {shown}, already in the archive")
        run.duplicates.append(Duplicate(draft.source, shown, reason))
        return
    text = _file_text(run, draft, digest, tags, own.path.stem)
    shown = source_of(own.path, run.config.root)
    if own.path.read_text(encoding="utf-8") == text:
        run.duplicates.append(Duplicate(draft.source, shown, f"already imported as {shown}, unchanged"))
    elif not run.options.should_update:
        run.duplicates.append(Duplicate(draft.source, shown, f"already imported as {shown}; pass --update "
                                        "to rewrite it with what this import finds"))
    else:
        _write(run, draft, own.path, text, tags, is_update=True)


def _file_text(run: _Run, draft: Draft, digest: str, tags: dict[str, tuple[str, ...]], slug: str) -> str:
    assert draft.when is not None  # _complete refused drafts without one
    return render_article_file(ArticleFile(
        title=draft.title, when=draft.when, body=draft.body, import_hash=digest, slug=slug,
        source_name=draft.source_name, byline=draft.byline, original_url=draft.original_url,
        image=draft.image, terms=tags))


def _write(run: _Run, draft: Draft, path: Path, text: str, tags: dict[str, tuple[str, ...]], *,
           is_update: bool) -> None:
    run.claimed.setdefault(path.parent, set()).add(path.stem)
    if not run.options.is_dry_run:
        (replace_file if is_update else write_new_file)(path, text)
    run.imported.append(Imported(draft.source, source_of(path, run.config.root), draft.title, is_update,
                                 dict(tags), draft.notes))
