"""Read and validate `config.yaml` into a frozen `Config`. Every default lives here."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ContentError, Problem, SitegenError, quote, type_name
from .frontmatter import FrontMatterError, parse_yaml_mapping
from .slugs import is_valid_slug

CONFIG_FILE = "config.yaml"


@dataclass(frozen=True)
class TaxonomyConfig:
    """One taxonomy: the front matter key that lists its terms, and how it is shown."""

    name: str  # front matter key and identity, e.g. "people"
    singular: str  # shown for one term: "Person"
    plural: str  # shown for the list: "People"
    url_prefix: str  # folder of its pages, e.g. "people" -> people/mark-rowley/index.html


DEFAULT_TAXONOMIES = (
    TaxonomyConfig("topics", "Topic", "Topics", "topics"),
    TaxonomyConfig("people", "Person", "People", "people"),
    TaxonomyConfig("organisations", "Organisation", "Organisations", "organisations"),
)


@dataclass(frozen=True)
class Config:
    """The whole site configuration; paths are absolute, resolved against the project root."""

    root: Path
    title: str = "News Archive"
    description: str = "A searchable archive of news articles."
    language: str = "en"
    base_url: str = ""  # e.g. https://example.org/archive/ ; enables canonical links
    content_dir: Path = Path("content")
    output_dir: Path = Path("build")
    template_dirs: tuple[Path, ...] = ()  # searched in order; the first holding a name wins
    static_dir: Path = Path("templates/static")
    data_dir: Path = Path("data")  # profiles of terms: data/<taxonomy>.yaml (README, "Entity data files")
    page_size: int = 20
    home_article_count: int = 10
    home_term_count: int = 10
    related_count: int = 5
    summary_words: int = 40
    feed_size: int = 20  # newest articles in each Atom feed (feeds need base_url)
    connection_count: int = 8  # most co-named terms per taxonomy on a term page
    clean_urls: bool = False  # link to folders as `slug/` instead of `slug/index.html`
    allow_raw_html: bool = False  # only for trusted archives: raw HTML in Markdown bodies
    timezone: tzinfo = timezone.utc  # for dates written without one
    taxonomies: tuple[TaxonomyConfig, ...] = DEFAULT_TAXONOMIES
    source: str = CONFIG_FILE  # project-relative path, for messages

    def taxonomy(self, name: str) -> TaxonomyConfig:
        """The taxonomy called `name` (KeyError if none)."""
        for taxonomy in self.taxonomies:
            if taxonomy.name == name:
                return taxonomy
        raise KeyError(name)


LUNR_JS = Path("node_modules/lunr/lunr.min.js")  # the pinned lunr.js (package.json)
_SITEGEN_CHECKOUT = Path(__file__).resolve().parent.parent  # where `make` ran `npm ci`


def find_lunr_js(root: Path) -> Path | None:
    """lunr.js installed by npm in the project, or else in the sitegen checkout."""
    for base in (root, _SITEGEN_CHECKOUT):
        if (base / LUNR_JS).is_file():
            return base / LUNR_JS
    return None


_SCALARS: dict[str, type | tuple[type, ...]] = {
    "title": str, "description": str, "language": str, "base_url": str,
    "page_size": int, "home_article_count": int, "home_term_count": int,
    "related_count": int, "summary_words": int, "feed_size": int,
    "connection_count": int, "clean_urls": bool, "allow_raw_html": bool,
}
_PATHS = ("content_dir", "output_dir", "static_dir", "data_dir")
KNOWN_KEYS = sorted([*_SCALARS, *_PATHS, "template_dirs", "timezone", "taxonomies"])
_TAXONOMY_KEYS = ("singular", "plural", "url_prefix")
_RESERVED_PREFIXES = {"static", "search", "archive", "404.html", "index.html", "search.html"}


def unknown_key_message(key: str, valid: list[str], where: str) -> str:
    """`unknown key 'titel' in <where>; did you mean 'title'? Valid keys: ...`."""
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key {quote(key)} in {where}; {hint}valid keys: {', '.join(valid)}"


def load_config(root: Path, path: Path | None = None) -> Config:
    """Read `config.yaml` (or `path`) under `root`; raise ContentError listing every problem."""
    root = root.resolve()
    path = (path or root / CONFIG_FILE).resolve()
    source = _display(path, root)
    if not path.is_file():
        raise ContentError("config missing", [Problem(source, 1, "config file not found; create it "
                           "(see README, 'Configuration') or pass --config FILE")])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContentError("config", [Problem(source, 1, f"config is not UTF-8 text (byte offset "
                                              f"{exc.start}); save it as UTF-8")]) from None
    except OSError as exc:
        raise ContentError("config", [Problem(source, 1, f"cannot read the config file ({exc.strerror}); "
                                              "check its permissions")]) from None
    try:
        data, lines, _ = parse_yaml_mapping(text, source, what=source)
    except FrontMatterError as exc:
        raise ContentError("config", [exc.problem]) from None
    problems: list[Problem] = []
    values = _read_values(data, lines, source, root, problems)
    if problems:
        raise ContentError("config", problems)
    return Config(root=root, source=source, **values)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_values(data: dict, lines: dict, source: str, root: Path,
                 problems: list[Problem]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(key, 1)
        if key in _SCALARS:
            expected = _SCALARS[key]
            if isinstance(value, bool) and expected is int or not isinstance(value, expected):
                want = "true or false" if expected is bool else "a whole number" if expected is int else "text"
                problems.append(Problem(source, line, f"'{key}' must be {want}, not {type_name(value)}; "
                                        f"e.g. {key}: {_example(key)}"))
            elif expected is int and value < 1:
                problems.append(Problem(source, line, f"'{key}' must be 1 or more, not {value}; "
                                        f"e.g. {key}: {_example(key)}"))
            else:
                values[key] = value
        elif key in _PATHS:
            if not isinstance(value, str) or not value.strip():
                problems.append(Problem(source, line, f"'{key}' must be a folder path as text; "
                                        f"e.g. {key}: {key.removesuffix('_dir')}"))
            else:
                values[key] = (root / value).resolve()
        elif key == "template_dirs":
            values[key] = _read_template_dirs(value, root, source, line, problems)
        elif key == "timezone":
            values[key] = _read_timezone(value, source, line, problems)
        elif key == "taxonomies":
            values[key] = _read_taxonomies(value, lines, source, line, problems)
        else:
            problems.append(Problem(source, line, unknown_key_message(key, KNOWN_KEYS, source)))
    values.setdefault("content_dir", (root / "content").resolve())
    values.setdefault("output_dir", (root / "build").resolve())
    values.setdefault("static_dir", (root / "templates" / "static").resolve())
    values.setdefault("data_dir", (root / "data").resolve())
    values.setdefault("template_dirs", ((root / "templates").resolve(),))
    if "base_url" in values and values["base_url"] and not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    if not _is_absolute_web_address(values.get("base_url", "")):
        problems.append(Problem(source, lines.get("base_url", 1), f"base_url {quote(values['base_url'])} "
                                "must be an absolute web address; e.g. base_url: https://example.org/archive/"))
    _check_output_dir(values, source, lines, root, problems)
    return values


def _is_absolute_web_address(url: str) -> bool:
    # Empty means "not hosted"; feeds and sitemaps need scheme and host (issue 6).
    scheme, _, rest = url.partition("://")
    return not url or (scheme.lower() in ("http", "https") and bool(rest.split("/", 1)[0])
                       and not any(ch.isspace() for ch in url))


def _check_output_dir(values: dict, source: str, lines: dict, root: Path, problems: list[Problem]) -> None:
    # Each build replaces the whole output folder, so it must not overlap any input folder.
    out: Path = values["output_dir"]
    inputs = [values["content_dir"], *values["template_dirs"], values.get("static_dir"), values.get("data_dir")]
    if root.is_relative_to(out) or any(out.is_relative_to(folder) or folder.is_relative_to(out)
                                       for folder in inputs if folder is not None):
        problems.append(Problem(source, lines.get("output_dir", 1), "output_dir must not be the project "
                                "folder, nor contain or sit inside the content, templates, static or data "
                                "folders; use a folder of its own such as 'build'"))


def with_folders(config: Config, *, content_dir: Path | None = None, output_dir: Path | None = None) -> Config:
    """`config` with the command line's --content / --out applied and checked like the file's values."""
    values = {"content_dir": (content_dir or config.content_dir).resolve(),
              "output_dir": (output_dir or config.output_dir).resolve(),
              "template_dirs": config.template_dirs, "static_dir": config.static_dir,
              "data_dir": config.data_dir}
    problems: list[Problem] = []
    _check_output_dir(values, config.source, {}, config.root, problems)
    if problems:
        message = problems[0].message.replace("output_dir", "the output folder", 1)
        raise SitegenError(f"--out {values['output_dir']}: {message}")
    return replace(config, content_dir=values["content_dir"], output_dir=values["output_dir"])


def _example(key: str) -> str:
    return {"page_size": "20", "clean_urls": "false", "allow_raw_html": "false",
            "base_url": "https://example.org/archive/"}.get(key, "10" if key.endswith(("count", "words")) else "...")


def _read_template_dirs(value: Any, root: Path, source: str, line: int,
                        problems: list[Problem]) -> tuple[Path, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(Problem(source, line, "'template_dirs' must be a list of folder paths, "
                                "e.g. [overrides, templates]"))
        return ()
    return tuple((root / v).resolve() for v in value)


def _read_timezone(value: Any, source: str, line: int, problems: list[Problem]) -> tzinfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(Problem(source, line, f"unknown timezone {quote(value)}; use an IANA name "
                                "such as 'UTC' or 'Europe/London'"))
        return timezone.utc


def _read_taxonomies(value: Any, lines: dict, source: str, line: int,
                     problems: list[Problem]) -> tuple[TaxonomyConfig, ...]:
    if not isinstance(value, dict) or not value:
        problems.append(Problem(source, line, "'taxonomies' must map each front matter key to its "
                                "settings, e.g. 'places: {singular: Place, plural: Places}'"))
        return DEFAULT_TAXONOMIES
    taxonomies = []
    prefixes: dict[str, str] = {}
    for name, settings in value.items():
        name = str(name)
        settings = settings or {}
        entry = lines.get(f"taxonomies.{name}", line)  # each problem points at its own entry
        if not is_valid_slug(name.replace("_", "-")):
            problems.append(Problem(source, entry, f"taxonomy name {quote(name)} must be a lowercase "
                                    "word (letters, digits, _ or -); rename it, e.g. places"))
            continue
        if not isinstance(settings, dict):
            problems.append(Problem(source, entry, f"taxonomy '{name}' must be a mapping of "
                                    f"{', '.join(_TAXONOMY_KEYS)}"))
            continue
        for key in settings:
            if key not in _TAXONOMY_KEYS:
                problems.append(Problem(source, lines.get(f"taxonomies.{name}.{key}", entry),
                                        unknown_key_message(str(key), list(_TAXONOMY_KEYS), f"taxonomy '{name}'")))
        title = name.replace("_", " ").title()
        prefix = str(settings.get("url_prefix", name.replace("_", "-")))
        if not is_valid_slug(prefix) or prefix in _RESERVED_PREFIXES or prefix.isdigit():
            problems.append(Problem(source, lines.get(f"taxonomies.{name}.url_prefix", entry),
                                    f"url_prefix {quote(prefix)} of taxonomy '{name}' must be a slug "
                                    "(a-z, 0-9, -), not a number nor one of "
                                    f"{', '.join(sorted(_RESERVED_PREFIXES))}; e.g. url_prefix: {name}"))
        elif prefix in prefixes:
            problems.append(Problem(source, entry, f"taxonomies '{prefixes[prefix]}' and '{name}' share "
                                    f"url_prefix '{prefix}'; give one a different url_prefix"))
        prefixes[prefix] = name
        taxonomies.append(TaxonomyConfig(name, str(settings.get("singular", title.rstrip("s"))),
                                         str(settings.get("plural", title)), prefix))
    return tuple(taxonomies)
