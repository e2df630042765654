"""Script payloads in every field of the `hostile` fixture render as text: in HTML pages, feeds,
JSON-LD and search data. No element, attribute or URL that could run script is ever emitted."""
from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import html5lib
import pytest

from support import article, sitegen, visible_text

PAYLOAD_TITLE = "<script>alert('title')</script> \"><img src=x onerror=alert('title img')> Payload story"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "srcset", "data", "xlink:href", "background"}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")
ACTIVE_TAGS = {"iframe", "object", "embed", "frame", "frameset", "applet", "base"}


def _name(qualified: str) -> str:
    """`{namespace}local` -> `local` (xlink attributes keep an `xlink:` prefix)."""
    if qualified.startswith("{http://www.w3.org/1999/xlink}"):
        return "xlink:" + qualified.rsplit("}", 1)[1]
    return qualified.rsplit("}", 1)[-1]


def script_hazards(markup: str | bytes, where: str) -> list[str]:
    """Everything in `markup` that could run script: handlers, unsafe URLs, stray script elements."""
    tree = html5lib.parse(markup, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = _name(element.tag)
        for raw_name, value in element.attrib.items():
            name = _name(raw_name).lower()
            bare = "".join(ch for ch in value if ch > " ").lower()
            if name.startswith("on"):
                found.append(f"{where}: <{tag} {name}=...>")
            if name in URL_ATTRIBUTES and bare.startswith(UNSAFE_SCHEMES):
                found.append(f"{where}: <{tag} {name}={value!r}>")
        if tag == "script" and not _is_our_script(element):
            found.append(f"{where}: inline <script> {(element.text or '')[:60]!r}")
        if tag in ACTIVE_TAGS and not (tag == "base" and where.endswith("404.html")):
            found.append(f"{where}: <{tag}>")
    return found


def _is_our_script(element: ElementTree.Element) -> bool:
    src = element.get("src", "")
    if src:
        return "static/" in src and "alert" not in src
    if element.get("type") == "application/ld+json":
        text = element.text or ""
        json.loads(text)  # well-formed data, and `</script>` cannot appear escaped as \u003c
        return "</" not in text and "<!--" not in text
    return False


def _files(out: Path, *suffixes: str) -> Iterator[Path]:
    return (p for p in sorted(out.rglob("*")) if p.suffix in suffixes)


def test_the_hazard_check_finds_each_kind_of_hazard() -> None:
    planted = ('<img src=x onerror="alert(1)"><a href=" JaVa\tScript:alert(1)">x</a><script>alert(1)</script>'
               '<iframe src="https://example.org/"></iframe><svg><a xlink:href="javascript:alert(1)"></a></svg>'
               '<script type="application/ld+json">{"a": "</b>"}</script><script src="static/a.js"></script>')
    assert [h.split(": ", 1)[1][:14] for h in script_hazards(planted, "t.html")] == [
        "<img onerror=.", "<a href=' JaVa", "inline <script", "<iframe>", "<a xlink:href=", "inline <script"]


def test_no_page_contains_anything_that_could_run(hostile_site: Path) -> None:
    hazards = [h for page in _files(hostile_site, ".html")
               for h in script_hazards(page.read_bytes(), page.relative_to(hostile_site).as_posix())]
    assert hazards == []


def test_payloads_are_shown_as_the_text_that_was_written(hostile_site: Path) -> None:
    [page] = (hostile_site / "2016/03").glob("script-alert-title*/index.html")
    text = visible_text(page)
    for written in (PAYLOAD_TITLE, "<script>alert('source')</script>", "\"><svg onload=alert('byline')>",
                    "<script>alert('caption')</script>", "<img src=x onerror=alert('credit')>",
                    "<script>alert('person')</script>", "javascript:alert('topic')",
                    "</title><script>alert('organisation')</script>",
                    "Raw HTML is shown as text: <script>alert(‘body script’)</script>"):
        assert written in text
    assert "{{ 7*7 }}" in text and "49" not in text  # values are data, never templates


def test_unsafe_markdown_links_are_not_links(hostile_site: Path) -> None:
    [page] = (hostile_site / "2016/03").glob("script-alert-title*/index.html")
    tree = html5lib.parse(page.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    body = next(div for div in tree.iter("div") if div.get("class") == "body")
    assert [a.get("href") for a in body.iter("a")] == ["https://example.org/"]
    assert not list(body.iter("img")) and not list(body.iter("iframe"))


def test_term_pages_of_hostile_names_live_at_plain_slugs(hostile_site: Path) -> None:
    people = {p.name for p in (hostile_site / "people").iterdir() if p.is_dir()}
    assert people == {"by-count", "mark-rowley", "script-alert-person-script",
                      "img-src-x-onerror-alert-person-img"}
    heading = visible_text(hostile_site / "people/script-alert-person-script/index.html")
    assert "<script>alert('person')</script>" in heading


def test_feeds_keep_payloads_as_text(hostile_site: Path) -> None:
    feeds = list(_files(hostile_site, ".xml"))
    assert feeds, "the hostile fixture sets base_url, so feeds are built"
    titles = []
    for feed in feeds:
        for element in ElementTree.parse(feed).iter():  # well-formed XML, or this raises
            if element.get("type") in ("html", "xhtml"):
                assert script_hazards(element.text or "", feed.name) == []
            if element.tag.endswith("}title"):
                titles.append(element.text)
    assert PAYLOAD_TITLE in titles


# Runs each search data file in a bare Node sandbox where `alert` only records its calls. The
# file's callback (`name(...)` at its start) collects the data, so it can be checked as data.
_RUN_DATA = """
const fs = require("fs"), vm = require("vm");
const sandbox = {alerts: [], data: []};
sandbox.alert = (...args) => sandbox.alerts.push(args);
for (const file of process.argv.slice(1)) {
  const text = fs.readFileSync(file, "utf8");
  const name = (text.match(/^\\s*([A-Za-z_$][\\w$.]*)\\(/) || [])[1];
  if (name && !name.includes(".")) sandbox[name] = (...args) => sandbox.data.push(args);
  vm.runInNewContext(text, sandbox, {filename: file});
}
console.log(JSON.stringify({alerts: sandbox.alerts, data: sandbox.data}));
"""


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_search_data_files_hold_payloads_as_data(hostile_site: Path) -> None:
    scripts = [str(p) for p in _files(hostile_site, ".js") if "static" not in p.relative_to(hostile_site).parts]
    assert scripts, "the build writes search data files"
    ran = subprocess.run(["node", "-e", _RUN_DATA, *scripts], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["alerts"] == []
    strings = set(_strings(result["data"]))
    assert PAYLOAD_TITLE in strings and "<script>alert('person')</script>" in strings


def test_raw_html_is_escaped_unless_the_config_trusts_it(scratch) -> None:
    body = "Some <b>bold</b> text.\n\n<script>alert('raw')</script>\n\n[x](javascript:alert(1))\n"
    root = scratch({"content/a.md": article("Raw", body=body)})
    assert sitegen(root, "build").code == 0
    page = (root / "build/2015/01/raw/index.html").read_text()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<script>alert" not in page
    (root / "config.yaml").write_text((root / "config.yaml").read_text() + "allow_raw_html: true\n")
    assert sitegen(root, "build").code == 0
    trusted = (root / "build/2015/01/raw/index.html").read_text()
    assert "<b>bold</b>" in trusted and "<script>alert('raw')</script>" in trusted
    assert 'href="javascript:' not in trusted  # Markdown links are still checked in trusted mode


def test_terminal_output_escapes_control_characters_in_names(scratch) -> None:
    root = scratch({"content/\x1b[2Jclear.md": article("A story", date="2015-02-30")})
    run = sitegen(root, "check")
    assert "content/\\x1b[2Jclear.md:3: date '2015-02-30' is not a real date" in run.err
    assert "\x1b" not in run.err
