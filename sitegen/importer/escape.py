"""Plain text to Markdown that renders as the same text: nothing in it becomes markup."""
from __future__ import annotations

import re

# Characters that start inline markup (emphasis, code, links, autolinks, raw HTML,
# strikethrough) or table cells.
_INLINE = re.compile(r"([\\`*_\[\]<~|])")
# `&amp;` would render as `&`: escape an ampersand only when it starts an entity.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At the start of a line these make headings, quotes, lists, rules or setext underlines.
_BLOCK = re.compile(r"^([#>+=-]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """`text` as Markdown that renders literally (line breaks become soft breaks)."""
    return escape_line_starts(escape_inline(text))


def escape_inline(text: str) -> str:
    """`text` with every character that could start inline markup escaped; spaces kept."""
    return _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", text))


def escape_line_starts(markdown: str) -> str:
    """`markdown` with each line trimmed and any block marker at its start escaped (so a line
    starting `1984.` or `-` stays text, and indented lines do not become code)."""
    return "\n".join(_BLOCK.sub(_escape_block, line.strip()) for line in markdown.split("\n"))


def _escape_block(match: re.Match[str]) -> str:
    marker = match.group(1)
    if marker[0].isdigit():  # "1984. A year" is not a list: escape the dot after the number
        return marker + "\\"
    return "\\" + marker
