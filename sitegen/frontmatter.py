"""Split a Markdown file into its YAML front matter and body, mapping keys to file lines."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem, quote, type_name

try:  # libyaml is much faster; fall back to the pure-Python parser.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML loader that keeps dates as text, so we can report bad ones ourselves."""


# Without this, PyYAML turns 2015-02-30 into a bare ValueError with no line.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

FENCE = "---"


@dataclass(frozen=True)
class FrontMatter:
    """Front matter as data, the body after it, and where each key sits in the file."""

    data: dict[str, Any]
    body: str
    body_line: int  # 1-based file line where the body starts
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> 1-based line
    item_lines: dict[tuple[str, int], int] = field(default_factory=dict)  # (key, index) -> line

    def line_of(self, key: str, index: int | None = None) -> int:
        """The file line of `key` (or of its item `index`; `a.b` for a nested key, else `a`),
        else the first line."""
        if index is not None and (key, index) in self.item_lines:
            return self.item_lines[(key, index)]
        while key not in self.key_lines and "." in key:
            key = key.rsplit(".", 1)[0]
        return self.key_lines.get(key, 1)


class FrontMatterError(Exception):
    """Front matter that cannot be read at all; carries one Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def parse_yaml_mapping(text: str, source: str, first_line: int = 1,
                       what: str = "front matter") -> tuple[dict, dict, dict]:
    """Safe-load `text` as a mapping; return (data, key_lines, item_lines) with file lines.

    `key_lines` also holds nested mapping keys as dotted paths (`image.src`,
    `taxonomies.people.singular`) so messages can point at the exact line.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise FrontMatterError(_syntax_problem(exc, text, source, first_line)) from None
    except yaml.reader.ReaderError as exc:
        line = first_line + text[: exc.position].count("\n")
        raise FrontMatterError(Problem(source, line, f"invalid YAML: the character U+{exc.character:04X} "
                                       "is not allowed (a control character); delete it")) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(Problem(source, first_line, f"invalid YAML: {exc}; fix the syntax")) from None
    finally:
        loader.dispose()
    if node is None or data is None:  # an empty block: no keys at all
        return {}, {}, {}
    if not isinstance(data, dict):
        raise FrontMatterError(Problem(source, first_line, f"{what} must be a mapping of keys to values "
                                       f"(e.g. 'title: ...'), not {type_name(data)}; write one "
                                       "'key: value' per line"))
    key_lines: dict[str, int] = {}
    item_lines: dict[tuple[str, int], int] = {}
    _map_lines(node, "", first_line, source, key_lines, item_lines)
    return {str(k): v for k, v in data.items()}, key_lines, item_lines


_CONTEXTS = {"flow sequence": "the [...] list", "flow mapping": "the {...} mapping",
             "quoted scalar": "the quoted value", "simple key": "the key", "block mapping": "the keys"}


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, source: str, first_line: int) -> Problem:
    """A YAML syntax error at its file line; an unclosed bracket or quote points where it opened."""
    mark = exc.problem_mark or exc.context_mark
    line = first_line + (mark.line if mark else 0)
    what = exc.problem or "not valid YAML"
    hint = "check quoting and indentation (quote values that contain ': ' or start with '[')"
    if exc.context_mark is not None and exc.context:
        opened = first_line + exc.context_mark.line
        thing = next((words for key, words in _CONTEXTS.items() if key in exc.context), "")
        if line > first_line + text.rstrip().count("\n") and thing:  # ran off the end of the text
            line, what = opened, f"{what}: {thing} that starts on this line is never closed"
        elif thing and opened != line:
            what = f"{what} in {thing} that starts on line {opened}"
    if "constructor for the tag" in what:
        hint = "tags such as '!!python/...' are not allowed; remove the tag or quote the value"
    return Problem(source, line, f"invalid YAML: {what}; {hint}")


def _map_lines(node: yaml.MappingNode, prefix: str, first_line: int, source: str,
               key_lines: dict[str, int], item_lines: dict[tuple[str, int], int], depth: int = 0) -> None:
    """Record the file line of each key (dotted for nested ones); a repeated key is an error."""
    for key_node, value_node in node.value:
        key = prefix + str(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in key_lines and key_node.value != "<<":
            raise FrontMatterError(Problem(source, line, f"key {quote(key)} is given twice (also on line "
                                           f"{key_lines[key]}); keep one of them"))
        key_lines[key] = line
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                item_lines[(key, index)] = first_line + item.start_mark.line
        elif isinstance(value_node, yaml.MappingNode) and depth < 2:
            _map_lines(value_node, key + ".", first_line, source, key_lines, item_lines, depth + 1)


def split_front_matter(text: str, source: str) -> FrontMatter:
    """Split `text` (BOM already removed) into front matter and body; raise on malformed input."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        raise FrontMatterError(Problem(source, 1, "no front matter; start the file with a line "
                                       "'---', then 'title:' and 'date:', then another '---'"))
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            break
    else:
        raise FrontMatterError(Problem(source, 1, "front matter opened on line 1 is never closed; "
                                       "add a line '---' after the last key"))
    yaml_text = "\n".join(lines[1:index])
    data, key_lines, item_lines = parse_yaml_mapping(yaml_text, source, first_line=2)
    body = "\n".join(lines[index + 1:])
    return FrontMatter(data, body, index + 2, key_lines, item_lines)
