"""Search as a reader meets it: `python -m bench.search_browser BUILD [QUERY ...]`.

Opens BUILD/search.html?q=QUERY from `file://` in headless Debian Chromium, once per query in
a fresh page (nothing cached), and prints the seconds from navigation to the first result on
screen (or its "no results" line) and what the page downloaded: every file it requested (HTML, CSS, lunr.js, manifest,
term shards, facets, result documents), raw and gzip-compressed as a web server would send it.
"""
from __future__ import annotations

import argparse
import gzip
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
QUERIES = ("police", "Schröder", "ashford chamber", "pol*", "title:government -party")
SETTLE_MS = 1500  # after the first results: facets and the rest of the page's documents arrive


@dataclass(frozen=True)
class Visit:
    """One query's page load."""

    query: str
    first_results_s: float
    file_count: int
    raw_bytes: int
    gzip_bytes: int
    status: str  # the page's own result count line


def visit(browser, build: Path, query: str) -> Visit:
    """Open the search page for `query` in a fresh page and measure it."""
    page = browser.new_page()
    requested: set[str] = set()
    page.on("request", lambda request: requested.add(request.url))
    started = time.perf_counter()
    page.goto((build / "search.html").as_uri() + "?q=" + quote(query))
    page.wait_for_function("document.getElementById('search-status').textContent !== ''", timeout=60_000)
    first = time.perf_counter() - started
    page.wait_for_timeout(SETTLE_MS)
    status = page.inner_text("#search-status")
    page.close()
    raw = packed = 0
    for url in requested:
        path = Path(unquote(urlsplit(url).path))
        if path.is_file():
            data = path.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, 6))
    return Visit(query, first, len(requested), raw, packed, status)


def main(argv: list[str] | None = None) -> int:
    """Measure each query; print one line per query."""
    parser = argparse.ArgumentParser(prog="python -m bench.search_browser", description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="a built site (e.g. /dev/shm/sitegen-bench/site-10000/build)")
    parser.add_argument("queries", nargs="*", default=list(QUERIES))
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    build = args.build.resolve()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            print(f"{'query':<26} {'first results':>13} {'files':>5} {'raw KB':>7} {'gzip KB':>7}  shown")
            for query in args.queries:
                v = visit(browser, build, query)
                print(f"{v.query:<26} {v.first_results_s:>11.2f} s {v.file_count:>5} {v.raw_bytes / 1024:>7.0f} "
                      f"{v.gzip_bytes / 1024:>7.0f}  {v.status}", flush=True)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
