"""The one markdown-it-py setup used for article bodies and descriptions."""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


@lru_cache(maxsize=2)
def _parser(allow_raw_html: bool) -> MarkdownIt:
    # CommonMark + tables + footnotes + smart quotes. markdown-it's validateLink already refuses
    # javascript:, vbscript:, file: and non-image data: URLs, so unsafe links are never emitted.
    md = MarkdownIt("commonmark", {"html": allow_raw_html, "typographer": True})
    md.enable(["table", "replacements", "smartquotes", "strikethrough"])
    md.use(footnote_plugin)
    return md


def render_markdown(text: str, *, allow_raw_html: bool = False) -> str:
    """Render Markdown to HTML; raw HTML in the text is escaped unless `allow_raw_html`."""
    return _parser(allow_raw_html).render(text)


def render_body(text: str, *, allow_raw_html: bool = False) -> tuple[str, str]:
    """Render Markdown once into (HTML, plain visible text) for pages and the search index."""
    md = _parser(allow_raw_html)
    env: dict = {}
    tokens = md.parse(text, env)
    return md.renderer.render(tokens, md.options, env), _plain_text(tokens)


_TEXT_TOKENS = ("text", "code_inline", "softbreak", "hardbreak")


def _plain_text(tokens: list) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children is not None:
            parts.append("".join(" " if child.type in ("softbreak", "hardbreak") else child.content
                                 for child in token.children if child.type in _TEXT_TOKENS))
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
    return " ".join(" ".join(parts).split())
