"""Rebuilding a site: terms follow edits, URLs stay stable, clean URLs, content untouched."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO, article, broken_links, sitegen, visible_text


def _tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_changing_an_articles_topics_moves_it_between_term_pages(scratch) -> None:
    root = scratch({
        "content/a.md": article("Budget day", "2016-03-16", topics=["Economy"]),
        "content/b.md": article("Election night", "2017-06-09", topics=["Politics", "Economy"]),
    })
    assert sitegen(root).code == 0
    assert "Budget day" in visible_text(root / "build/topics/economy/index.html")
    assert not (root / "build/topics/politics/index.html").read_text().count("Budget day")

    (root / "content/a.md").write_text(article("Budget day", "2016-03-16", topics=["Politics"]))
    assert sitegen(root).code == 0
    assert "Budget day" not in visible_text(root / "build/topics/economy/index.html")
    assert "Budget day" in visible_text(root / "build/topics/politics/index.html")
    assert "Politics (2)" in visible_text(root / "build/topics/index.html")


def test_urls_are_stable_when_articles_are_added(scratch) -> None:
    root = scratch({"content/a.md": article("Same headline", "2016-03-16", people=["Zoe Ball"])})
    sitegen(root)
    before = {p.relative_to(root / "build").as_posix() for p in (root / "build").rglob("*.html")}
    (root / "content/b.md").write_text(article("Another story", "2015-01-01", people=["Zoë Ball"]))
    (root / "content/c.md").write_text(article("Later story", "2019-01-01", people=["Zoe-Ball"]))
    sitegen(root)
    after = {p.relative_to(root / "build").as_posix() for p in (root / "build").rglob("*.html")}
    assert before <= after


def test_deleted_article_leaves_no_stale_page(scratch) -> None:
    root = scratch({"content/a.md": article("Gone soon", "2016-03-16", people=["Jo Bloggs"]),
                    "content/b.md": article("Stays", "2016-03-17")})
    sitegen(root)
    assert (root / "build/2016/03/gone-soon/index.html").exists()
    (root / "content/a.md").unlink()
    assert sitegen(root).code == 0
    assert not (root / "build/2016/03/gone-soon").exists()
    assert not (root / "build/people/jo-bloggs").exists()
    assert "Gone soon" not in visible_text(root / "build/2016/03/index.html")


def test_clean_urls_link_to_folders(scratch) -> None:
    root = scratch({"content/a.md": article("A story", "2016-03-16", people=["Jo Bloggs"])},
                   config="clean_urls: true\n")
    sitegen(root)
    html = (root / "build/2016/03/a-story/index.html").read_text()
    assert 'href="../../../people/jo-bloggs/"' in html and "index.html" not in html.replace("404", "")
    assert broken_links(root / "build", clean_urls=True) == []


def test_build_never_touches_content_or_templates(scratch) -> None:
    root = scratch({"content/a.md": article("A story", "2016-03-16"),
                    "content/notes.txt": "not an article"})
    content_before = _tree_digest(root / "content")
    assert sitegen(root).code == 0 and sitegen(root).code == 0
    assert _tree_digest(root / "content") == content_before
    assert not (root / "build/notes.txt").exists()


def test_base_url_adds_canonical_links(scratch) -> None:
    root = scratch({"content/a.md": article("A story", "2016-03-16")},
                   config="base_url: https://example.org/archive\n")
    sitegen(root)
    html = (root / "build/2016/03/a-story/index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/archive/2016/03/a-story/">' in html
    assert '<base href="https://example.org/archive/">' in (root / "build/404.html").read_text()


def test_summary_line_and_exit_code(scratch) -> None:
    root = scratch({"content/a.md": article("A story", "2016-03-16")})
    run = sitegen(root)
    assert run.code == 0 and "built 1 article into" in run.out


def test_the_command_flushes_its_output_before_it_ends(scratch) -> None:
    # `python -m sitegen` ends with os._exit, which drops whatever a pipe's buffer still holds
    # (buffered: PYTHONUNBUFFERED, if set here, is left out).
    root = scratch({"content/a.md": article("A story", "2016-03-16"),
                    "content/b.md": "---\ntitle: [unclosed\n---\nText\n"})
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

    def command() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sitegen", "build"], cwd=root, env=env, capture_output=True,
                              text=True)

    failed = command()
    assert failed.returncode == 1 and "content/b.md:2:" in failed.stderr
    (root / "content/b.md").unlink()
    built = command()
    assert built.returncode == 0 and "built 1 article into" in built.stdout


@pytest.mark.parametrize("jobs", [1, 2])
def test_render_time_is_reported_once(scratch, jobs: int) -> None:
    """With one job pages render inside `submit`: that time counts as `render`. With two, the
    pool renders while this process waits for the search files, and that wait counts as
    `render`. No time counts twice. (In a process of its own: with the browser tests' threads
    alive, pools start by forkserver, and workers would not see the slowed renderer.)"""
    root = scratch({f"content/story-{n}.md": article(f"Story {n}", f"2016-{n // 28 + 1:02d}-{n % 28 + 1:02d}")
                    for n in range(40)})
    run = subprocess.run([sys.executable, "-c", _SLOW_BUILD, str(root), str(jobs), str(PAUSE)], cwd=REPO,
                         capture_output=True, text=True, check=True)
    result = json.loads(run.stdout)
    assert result["rendered"] == result["pages"] > 50  # two chunks at least: a pool renders them
    assert result["timings"]["render"] >= PAUSE * result["rendered"] / jobs
    assert sum(result["timings"].values()) <= result["wall"]


_SLOW_BUILD = """
import json, sys, time
from pathlib import Path
from sitegen import workers
from sitegen.build import build
from sitegen.config import load_config
root, jobs, pause = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
real = workers.make_renderer
def slow_renderer(*args, **kwargs):
    render = real(*args, **kwargs)
    def render_slowly(page):
        time.sleep(pause)
        return render(page)
    return render_slowly
workers.make_renderer = slow_renderer  # forked workers inherit it
started = time.perf_counter()
result = build(load_config(root), jobs=jobs)
print(json.dumps({"wall": time.perf_counter() - started, "timings": result.timings,
                  "rendered": result.rendered_count, "pages": result.page_count}))
"""
PAUSE = 0.02  # seconds each page takes to render in the test above
