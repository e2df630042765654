"""Read and validate `data/<taxonomy>.yaml`: profiles of terms, and the aliases that merge names.

A data file maps each canonical name to its profile; every key is optional:

    Community Security Trust:
      description: A charity that advises British Jews on security.   # Markdown
      aliases: [CST]
      image: {src: static/cst.png, alt: The CST logo, credit: CST}
      links: {website: https://cst.org.uk/, wikipedia: https://en.wikipedia.org/...}
      founded: 1994

A file with any error gives no profiles at all, as a bad article gives no page.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .config import Config
from .errors import Problem, quote, type_name
from .frontmatter import FrontMatterError, parse_yaml_mapping
from .loader import is_safe_url, source_of
from .markdown import render_markdown
from .model import Image, Profile, ProfileLink, Site
from .slugs import name_key, normalise_name

ENTRY_KEYS = ("description", "aliases", "image", "links", "born", "founded")
IMAGE_KEYS = ("src", "alt", "caption", "credit")
LINK_LABELS = {"website": "Official website", "wikipedia": "Wikipedia", "wikidata": "Wikidata"}
_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*")
_EXAMPLE = "e.g. 'Mark Rowley: {description: ..., aliases: [Sir Mark Rowley]}'"

Lines = dict[tuple[Any, ...], int]  # (entry name, key[, index or link label]) -> 1-based line


@dataclass(frozen=True, eq=False)
class EntityData:
    """The profiles of one taxonomy, and every name (canonical or alias) that leads to one."""

    taxonomy: str  # the TaxonomyConfig.name
    source: str  # project-relative POSIX path: data/people.yaml
    profiles: tuple[Profile, ...]  # in file order
    by_key: Mapping[str, Profile]  # name_key of a canonical name or an alias -> its profile

    def profile_of(self, name: str) -> Profile | None:
        """The profile `name` (a canonical name or an alias, any case) leads to, if any."""
        return self.by_key.get(name_key(name))


def data_path(config: Config, taxonomy: str) -> Path:
    """Where the data file of `taxonomy` lives: `data/<taxonomy>.yaml`."""
    return config.data_dir / f"{taxonomy}.yaml"


def load_entities(config: Config) -> tuple[dict[str, EntityData], list[Problem]]:
    """Every taxonomy's data file that exists and has no errors, and all problems found."""
    entities: dict[str, EntityData] = {}
    problems: list[Problem] = []
    for taxonomy in config.taxonomies:
        path = data_path(config, taxonomy.name)
        if not path.is_file():
            continue  # data files are optional
        source = source_of(path, config.root)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(source, 1, "data file is not UTF-8 text; save it as UTF-8"))
            continue
        data, found = read_entities(text, source, taxonomy.name, allow_raw_html=config.allow_raw_html)
        problems.extend(found)
        if not any(not p.is_warning for p in found):
            entities[taxonomy.name] = data
    problems.extend(_stray_files(config))
    return entities, problems


def read_entities(text: str, source: str, taxonomy: str, *,
                  allow_raw_html: bool = False) -> tuple[EntityData, list[Problem]]:
    """Parse one data file's text into its profiles and alias index, with every problem."""
    empty = EntityData(taxonomy, source, (), MappingProxyType({}))
    try:
        data, key_lines, _ = parse_yaml_mapping(text, source)
    except FrontMatterError as exc:
        problem = exc.problem
        if "must be a mapping" in problem.message:
            problem = Problem(source, problem.line, f"a data file must map each name to its profile, {_EXAMPLE}")
        return empty, [problem]
    lines, problems = _nested_lines(text, source)
    reader = _EntryReader(source, lines, problems, allow_raw_html)
    profiles = [reader.profile(str(name), value, key_lines.get(name, 1)) for name, value in data.items()]
    profiles = [p for p in profiles if p is not None]
    by_key = _index_names(profiles, lines, source, problems)
    return EntityData(taxonomy, source, tuple(profiles), MappingProxyType(by_key)), problems


def _nested_lines(text: str, source: str) -> tuple[Lines, list[Problem]]:
    """Lines of the keys inside entries, and an error for each name given two entries."""
    lines: Lines = {}
    problems: list[Problem] = []
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(root, yaml.MappingNode):
        return lines, problems
    seen: dict[str, tuple[str, int]] = {}
    for key_node, value_node in root.value:
        name, line = normalise_name(str(key_node.value)), key_node.start_mark.line + 1
        first = seen.setdefault(name_key(name), (name, line))
        if first[1] != line:
            problems.append(Problem(source, line, f"{quote(name)} already has an entry on line {first[1]} "
                                    f"(as {quote(first[0])}); merge the two entries into one"))
        if not isinstance(value_node, yaml.MappingNode):
            continue
        for inner_key, inner_value in value_node.value:
            key = str(inner_key.value)
            lines[(name, key)] = inner_key.start_mark.line + 1
            items = inner_value.value if isinstance(inner_value, yaml.SequenceNode | yaml.MappingNode) else []
            for index, item in enumerate(items):
                node = item[0] if isinstance(item, tuple) else item
                lines[(name, key, index)] = node.start_mark.line + 1
    return lines, problems


class _EntryReader:
    """Validates one entry at a time, appending a problem for each bad value."""

    def __init__(self, source: str, lines: Lines, problems: list[Problem], allow_raw_html: bool) -> None:
        self.source, self.lines, self.problems = source, lines, problems
        self.allow_raw_html = allow_raw_html

    def error(self, line: int, message: str, *, is_warning: bool = False) -> None:
        self.problems.append(Problem(self.source, line, message, is_warning))

    def profile(self, name: str, value: Any, line: int) -> Profile | None:
        """The profile of entry `name`, or None if the entry is unusable."""
        name = normalise_name(name)
        if not name:
            self.error(line, "an entry has an empty name; write the name before the colon")
            return None
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.error(line, f"entry {quote(name)} must be a mapping of {', '.join(ENTRY_KEYS)}, not "
                       f"{type_name(value)}; {_EXAMPLE}")
            return None
        at = {key: self.lines.get((name, key), line) for key in value}
        extra = {k: v for k, v in value.items() if k not in ENTRY_KEYS}
        for key in extra:
            close = difflib.get_close_matches(str(key), ENTRY_KEYS, n=1, cutoff=0.8)
            if close:
                self.error(at[key], f"unknown key {quote(key)} in {quote(name)} is kept as a free key; "
                           f"did you mean '{close[0]}'?", is_warning=True)
        return Profile(
            name=name, key=name_key(name), source=self.source, line=line,
            description_html=self.description(name, value.get("description"), at.get("description", line)),
            aliases=self.aliases(name, value.get("aliases"), at.get("aliases", line)),
            image=self.image(name, value.get("image"), at.get("image", line)),
            links=self.links(name, value.get("links"), at.get("links", line)),
            born=self.when(name, "born", value.get("born"), at.get("born", line)),
            founded=self.when(name, "founded", value.get("founded"), at.get("founded", line)),
            extra=MappingProxyType({str(k): v for k, v in extra.items()}))

    def description(self, name: str, value: Any, line: int) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(line, f"'description' of {quote(name)} must be text (Markdown), not {type_name(value)}")
            return ""
        return render_markdown(value, allow_raw_html=self.allow_raw_html) if value.strip() else ""

    def aliases(self, name: str, value: Any, line: int) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(line, f"'aliases' of {quote(name)} must be a list of names, not {type_name(value)}; "
                       "e.g. aliases: [CST, The CST]")
            return ()
        found: dict[str, str] = {}
        for index, item in enumerate(value):
            if not isinstance(item, str | int) or isinstance(item, bool) or not str(item).strip():
                self.error(self.lines.get((name, "aliases", index), line), f"alias {index + 1} of "
                           f"{quote(name)} must be a name (text), not {type_name(item)}; remove it or quote it")
                continue
            found.setdefault(name_key(str(item)), normalise_name(str(item)))
        return tuple(found.values())

    def image(self, name: str, value: Any, line: int) -> Image | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = {"src": value}
        if not isinstance(value, dict) or not isinstance(value.get("src"), str):
            self.error(line, f"'image' of {quote(name)} must be a path or a mapping with src, alt, "
                       "caption and credit; e.g. image: {src: static/people/x.jpg, credit: Reuters}")
            return None
        for key in value:
            if key not in IMAGE_KEYS:
                self.error(line, f"unknown key {quote(key)} in 'image' of {quote(name)}; "
                           f"valid keys: {', '.join(IMAGE_KEYS)}")
        if not is_safe_url(value["src"]):
            self.error(line, f"image src {quote(value['src'])} of {quote(name)} is not a web address or a "
                       "relative path; use http(s)://... or a path such as static/people/x.jpg")
            return None
        parts = {k: normalise_name(str(value.get(k) or "")) for k in IMAGE_KEYS[1:]}
        return Image(src=value["src"].strip(), **parts)

    def links(self, name: str, value: Any, line: int) -> tuple[ProfileLink, ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(line, f"'links' of {quote(name)} must map a label to a web address, e.g. "
                       "links: {website: https://..., wikipedia: https://..., wikidata: Q42}")
            return ()
        links = []
        for index, (label, url) in enumerate(value.items()):
            label, at = str(label), self.lines.get((name, "links", index), line)
            url = str(url).strip() if isinstance(url, str | int) else ""
            if label == "wikidata" and _WIKIDATA_ID.fullmatch(url):
                links.append(ProfileLink(f"Wikidata ({url})", f"https://www.wikidata.org/wiki/{url}"))
            elif label == "wikidata":
                self.error(at, f"wikidata {quote(url)} of {quote(name)} is not a Wikidata id; write the "
                           "id alone, e.g. wikidata: Q42")
            elif url.lower().startswith(("http://", "https://")) and is_safe_url(url):
                links.append(ProfileLink(LINK_LABELS.get(label, label), url))
            else:
                self.error(at, f"link {quote(label)} of {quote(name)} must be a web address "
                           f"(http:// or https://), not {quote(url)}")
        return tuple(links)

    def when(self, name: str, key: str, value: Any, line: int) -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.error(line, f"'{key}' of {quote(name)} must be a year or a date as text, e.g. {key}: 1965")
            return ""
        return str(value).strip()


def _index_names(profiles: list[Profile], lines: Lines, source: str,
                 problems: list[Problem]) -> dict[str, Profile]:
    """name_key of every canonical name and alias -> profile; a name leading two ways is an error."""
    by_key: dict[str, Profile] = {}
    for profile in profiles:
        by_key.setdefault(profile.key, profile)  # equal names were reported by _nested_lines
    for profile in profiles:
        for index, alias in enumerate(profile.aliases):
            key, line = name_key(alias), lines.get((profile.name, "aliases", index), profile.line)
            other = by_key.setdefault(key, profile)
            if other is profile:
                continue
            if other.key == key:
                problems.append(Problem(source, line, f"alias {quote(alias)} of {quote(profile.name)} is also "
                                        f"an entry of its own (line {other.line}); remove the alias, or move "
                                        f"that entry's details into {quote(profile.name)} and delete it"))
            else:
                problems.append(Problem(source, line, f"alias {quote(alias)} is given to both "
                                        f"{quote(other.name)} (line {other.line}) and {quote(profile.name)}; "
                                        "keep it under one of them"))
    return by_key


def _stray_files(config: Config) -> list[Problem]:
    """A warning for each YAML file in the data folder that no taxonomy reads."""
    if not config.data_dir.is_dir():
        return []
    names = [t.name for t in config.taxonomies]
    problems = []
    for path in sorted(config.data_dir.glob("*.y*ml")):
        if path.suffix == ".yaml" and path.stem in names:
            continue
        close = difflib.get_close_matches(path.stem, names, n=1)
        hint = f"rename it to {close[0]}.yaml" if close else f"name it after a taxonomy: {', '.join(names)}"
        problems.append(Problem(source_of(path, config.root), 1, f"no taxonomy reads this data file; {hint}",
                                is_warning=True))
    return problems


def unused_entry_warnings(entities: Mapping[str, EntityData], site: Site) -> list[Problem]:
    """A warning for each data entry that no article names, by its name or an alias."""
    problems = []
    for name, data in entities.items():
        taxonomy = site.taxonomies.get(name)
        used = {term.key for term in taxonomy.terms} if taxonomy else set()
        for profile in data.profiles:
            if profile.key not in used:
                problems.append(Problem(profile.source, profile.line, f"{quote(profile.name)} is named by no "
                                        "article, nor is any of its aliases; check the spelling against "
                                        "'sitegen terms', or remove the entry", is_warning=True))
    return problems
