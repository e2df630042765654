"""Saved article pages: trafilatura finds the article and its metadata; we write the Markdown."""
from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin

from .draft import Draft, DraftImage, Unreadable
from .escape import escape_inline, escape_line_starts, escape_markdown

# Only dates the page states (meta tags, <time>, JSON-LD): a wide search takes copyright years.
_DATE_SEARCH = {"extensive_search": False, "original_date": True}
_EMPHASIS = {"#b": "**", "#i": "*", "#u": "*", "#t": "`"}
_CREDIT = re.compile(r"(?i)^(?P<caption>.*?)[\s(]*(?:photo(?:graph)?|picture|image|credit)\s*:\s*"
                     r"(?P<credit>[^()]+?)\)?$")
_LINK_SAFE = ";/?:@&=+$,-_.!~*'#%[]"  # everything else in a link target is percent-encoded

# trafilatura and lxml.html are imported where they are used: they take ~70 ms to import,
# which every other command (a build) would pay, since the command line imports this package.
if TYPE_CHECKING:
    from lxml.etree import _Element


def read_html_article(text: str, source: str, raw: bytes) -> Draft | Unreadable:
    """The article in a saved page: headline, body, byline, date, canonical URL and lead image."""
    import trafilatura

    document = trafilatura.bare_extraction(
        text, with_metadata=True, include_links=True, include_formatting=True, include_images=False,
        include_tables=True, include_comments=False, date_extraction_params=_DATE_SEARCH)
    if document is None or document.body is None:
        return Unreadable(source, "no article text found in the page; check it is a saved article "
                          "(not an index or an empty page), or import it as --format text")
    title = " ".join((document.title or "").split())
    base = document.url if document.url and document.url.startswith(("http://", "https://")) else ""
    body = "\n\n".join(block for block in _blocks(document.body, base)
                       if block and _plain(block) != _plain(escape_markdown(title)))
    if not body:
        return Unreadable(source, "the page has a headline but no article text; check the file")
    # Without og:site_name trafilatura gives the host name, which is no publication's name.
    publication = document.sitename if document.sitename != document.hostname else ""
    return Draft(source=source, title=title, body=body, raw_bytes=raw, when=_date(document.date),
                 source_name=publication or "", byline=_byline(document.author), original_url=base,
                 image=_lead_image(text, document.image or "", base))


def _blocks(body: _Element, base: str) -> list[str]:
    """One Markdown block per paragraph, heading, list, table or quote of trafilatura's XML."""
    blocks = []
    for element in body:
        if element.tag == "head":
            blocks.append("## " + _inline(element, base))
        elif element.tag == "list":
            blocks.append("\n".join("- " + escape_line_starts(_inline(item, base)).replace("\n", " ")
                                     for item in element if item.tag == "item"))
        elif element.tag == "table":
            blocks.append(_table(element, base))
        elif element.tag == "quote":
            inner = _blocks(element, base) if len(element) and element[0].tag == "p" else [_inline(element, base)]
            blocks.append("\n>\n".join("> " + block.replace("\n", "\n> ") for block in inner if block))
        else:
            blocks.append(escape_line_starts(_inline(element, base)))
    return [block.strip() for block in blocks if block.strip() not in ("", "##", "-", ">")]


def _table(table: _Element, base: str) -> str:
    """A table as a Markdown (GFM) table. Its first row heads it, as Markdown tables need a
    head: trafilatura marks header cells but keeps no <thead>. Rows are padded to the widest
    (a spanning cell comes as the cell and empty ones); line breaks in a cell become spaces."""
    rows = [[" ".join(_inline(cell, base).split()) for cell in row if cell.tag == "cell"]
            for row in table if row.tag == "row"]
    rows = [row for row in rows if any(row)]
    if not rows:
        return ""
    width = max(map(len, rows))
    lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * width)
    return "\n".join(lines)


def _inline(element: _Element, base: str) -> str:
    """The element's text as Markdown: emphasis and safe links kept, all else escaped."""
    parts = [escape_inline(element.text.replace("\n", " "))] if element.text else []
    for child in element:
        inner = _inline(child, base)
        if child.tag == "hi" and inner.strip():
            mark = _EMPHASIS.get(child.get("rend", ""), "")
            lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
            inner = f"{lead}{mark}{inner.strip()}{mark}{trail}"
        elif child.tag == "ref" and inner.strip():
            target = _link_target(child.get("target", ""), base)
            inner = f"[{inner.strip()}]({target})" if target else inner
        elif child.tag == "lb":
            inner = "\n"
        parts.append(inner)
        if child.tail:
            parts.append(escape_inline(child.tail.replace("\n", " ")))
    return re.sub(r"[ \t]+", " ", "".join(parts))


def _link_target(target: str, base: str) -> str:
    """An absolute http(s) address for a link, or "" to keep only its text (relative links would
    point into this archive, where the page they name does not exist)."""
    absolute = urljoin(base, target.strip()) if base else target.strip()
    if not absolute.lower().startswith(("http://", "https://")):
        return ""
    return quote(absolute, safe=_LINK_SAFE)


def _plain(markdown: str) -> str:
    return " ".join(markdown.lstrip("#").split()).casefold()


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _byline(author: str | None) -> tuple[str, ...]:
    return tuple(name.strip() for name in (author or "").split(";") if name.strip())


def _lead_image(page: str, src: str, base: str) -> DraftImage | None:
    """The lead image's address, alt text, caption and credit, from the page's own markup."""
    if not src:
        return None
    import lxml.html

    tree = lxml.html.fromstring(page)
    alt = " ".join(tree.xpath("string(//meta[@property='og:image:alt']/@content)").split())
    caption = ""
    for img in tree.iter("img"):
        if urljoin(base, img.get("src", "")) == urljoin(base, src):
            alt = alt or " ".join(img.get("alt", "").split())
            figure = next((a for a in img.iterancestors("figure")), None)
            if figure is not None:
                caption = " ".join(figure.xpath("string(.//figcaption)").split())
            break
    credit = ""
    match = _CREDIT.match(caption)
    if match:
        caption, credit = match.group("caption").rstrip(" .,-—–"), match.group("credit").strip()
    src = urljoin(base, src)
    return DraftImage(src=src if src.startswith(("http://", "https://")) else "", alt=alt,
                      caption=caption, credit=credit)
