"""Failure never loses anything: the previous build/ survives errors, kills and a second build;
content/ and templates/ are never written; user mistakes get a message, bugs a traceback on --debug."""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen import cache as store
from sitegen.build import build
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.output import output_lock
from support import REPO, TEMPLATES, article, broken_links, sitegen, tree_digest, visible_text

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _archive(count: int) -> dict[str, str]:
    """`count` articles with people and topics: enough pages that writing takes a moment."""
    return {f"content/{n:04d}.md": article(f"Story number {n}", f"2015-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                                           people=[f"Person {n % 40}"], topics=[f"Topic {n % 30}"])
            for n in range(count)}


def _retitle(root: Path, title: str) -> None:
    """Change the site title, so every page of the next build differs from the last."""
    config = root / "config.yaml"
    config.write_text(config.read_text().replace("title: Test Archive", f"title: {title}"))


class StoppedBuild:
    """A `sitegen build` subprocess frozen (SIGSTOP) while it writes its staging folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process = subprocess.Popen([sys.executable, "-m", "sitegen", "build"], cwd=root,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONPATH": str(REPO)})
        staging = root / "build.staging"
        while not staging.is_dir():
            assert self.process.poll() is None, "the build ended before the test could stop it mid-write"
            time.sleep(0.0005)
        os.kill(self.process.pid, signal.SIGSTOP)

    def send(self, signum: int) -> tuple[int, str]:
        """Deliver `signum`, let the build run on, and return its exit code and stderr."""
        os.kill(self.process.pid, signum)
        os.kill(self.process.pid, signal.SIGCONT)
        _, err = self.process.communicate(timeout=60)
        return self.process.returncode, err


@pytest.fixture
def built_archive(scratch) -> Iterator[Path]:
    """A 60-article project built once, then retitled so a rebuild rewrites every page."""
    root = scratch(_archive(60))
    assert sitegen(root).code == 0
    _retitle(root, "Renamed Archive")
    yield root


def test_build_killed_mid_write_leaves_the_previous_site_whole(built_archive: Path) -> None:
    root = built_archive
    before = tree_digest(root / "build")
    stopped = StoppedBuild(root)
    assert tree_digest(root / "build") == before  # mid-write, the live site is still the old one
    code, _ = stopped.send(signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert tree_digest(root / "build") == before
    assert broken_links(root / "build") == []
    run = sitegen(root, "build")  # the next build clears the abandoned staging folder
    assert run.code == 0 and not (root / "build.staging").exists()
    assert "Renamed Archive" in visible_text(root / "build/index.html")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_build_cleans_up_and_says_so(built_archive: Path, signum: int) -> None:
    root = built_archive
    before = tree_digest(root / "build")
    code, err = StoppedBuild(root).send(signum)
    assert code == 130, err
    assert err.strip().endswith("interrupted; the previous output was left as it was")
    assert "Traceback" not in err
    assert tree_digest(root / "build") == before and not (root / "build.staging").exists()


def test_interrupt_right_after_the_staging_folder_is_made_removes_it(scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    # StoppedBuild freezes a build as soon as build.staging appears: the interrupt can land in
    # what the build does next, checking the last build's files (a CI run caught it there).
    root = scratch({"content/a.md": article("A story")})
    assert sitegen(root).code == 0
    before = tree_digest(root / "build")
    _retitle(root, "Renamed Archive")

    def interrupted(*args: object) -> set[str]:
        assert (root / "build.staging").is_dir()
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "output_damage", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(load_config(root, root / "config.yaml"), jobs=1)
    assert not (root / "build.staging").exists() and tree_digest(root / "build") == before


def test_second_build_at_once_gets_a_clear_lock_error(built_archive: Path) -> None:
    root = built_archive
    first = StoppedBuild(root)
    second = sitegen(root, "build")
    assert second.code == 1
    assert second.err.strip() == ("error: another sitegen build is writing build/ (lock .build.lock); "
                                  "wait for it to finish and run the build again")
    code, _ = first.send(signal.SIGCONT)
    assert code == 0
    assert "Renamed Archive" in visible_text(root / "build/index.html")
    assert broken_links(root / "build") == []


def test_lock_is_held_for_the_whole_write(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    with output_lock(root / "build"):
        run = sitegen(root, "build")
    assert run.code == 1 and "another sitegen build is writing build/" in run.err
    assert not (root / "build").exists()
    assert sitegen(root, "build").code == 0  # the lock is released with its holder


def test_crash_between_the_two_renames_is_repaired_by_the_next_build(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    assert sitegen(root).code == 0
    (root / "build").rename(root / "build.previous")  # as if killed mid-swap
    assert sitegen(root).code == 0
    assert (root / "build/index.html").is_file() and not (root / "build.previous").exists()


def test_failed_build_leaves_build_byte_for_byte(scratch) -> None:
    root = scratch({"content/a.md": article("A story"), "content/b.md": article("Another story")})
    assert sitegen(root).code == 0
    before, inode = tree_digest(root / "build"), (root / "build").stat().st_ino
    (root / "content/b.md").write_text(article("Another story", date="2015-02-30"))
    run = sitegen(root, "build")
    assert run.code == 1 and run.err.rstrip().endswith("1 error in 1 file; build/ was not changed")
    assert tree_digest(root / "build") == before and (root / "build").stat().st_ino == inode


def test_template_syntax_error_is_a_located_message_and_leaves_build(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    assert sitegen(root).code == 0
    before = tree_digest(root / "build")
    shutil.copytree(TEMPLATES, root / "templates")
    with (root / "templates/article.html").open("a") as template:
        template.write("{% if %}\n")
    _use_project_templates(root)
    run = sitegen(root, "build")
    assert run.code == 1
    assert run.err.startswith("templates/article.html:")
    assert "template syntax error" in run.err and "Traceback" not in run.err
    assert tree_digest(root / "build") == before


def test_template_runtime_error_points_at_the_template_line(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    shutil.copytree(TEMPLATES, root / "templates")
    _use_project_templates(root)
    home = root / "templates/home.html"
    lines = home.read_text().splitlines()
    at = next(n for n, line in enumerate(lines) if "{% block main %}" in line) + 1
    lines.insert(at, "{{ 1|long_date }}")
    home.write_text("\n".join(lines) + "\n")
    run = sitegen(root, "build")
    assert run.code == 1
    assert run.err.startswith(f"templates/home.html:{at + 1}: template error while rendering index.html: "
                              "AttributeError: 'int' object has no attribute 'day'; fix the template")
    assert "internal error" not in run.err and "Traceback" not in run.err


def test_missing_template_names_the_template_folders(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    shutil.copytree(TEMPLATES, root / "templates")
    _use_project_templates(root)
    (root / "templates/home.html").unlink()
    run = sitegen(root, "build")
    assert run.code == 1
    assert run.err.startswith("config.yaml:1: template 'home.html' is in none of the template folders "
                              "(templates); restore it, or fix template_dirs")


def _use_project_templates(root: Path) -> None:
    config = root / "config.yaml"
    lines = [line for line in config.read_text().splitlines() if not line.startswith(("template_dirs", "static_dir"))]
    config.write_text("\n".join(lines) + "\n")


def test_build_never_writes_content_or_templates(scratch) -> None:
    root = scratch({"content/a.md": article("A story", people=["Jo Bloggs"]),
                    "content/images/photo.jpg": b"\xff\xd8\xff",
                    "content/notes.txt": "not an article"})
    shutil.copytree(TEMPLATES, root / "templates")
    _use_project_templates(root)
    content, templates = tree_digest(root / "content"), tree_digest(root / "templates")
    stamps = {p: p.stat().st_mtime_ns for p in [*(root / "content").rglob("*"), *(root / "templates").rglob("*")]}
    for command in ("build", "check", "build"):
        assert sitegen(root, command).code == 0
    assert tree_digest(root / "content") == content and tree_digest(root / "templates") == templates
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_check_writes_nothing(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    listing = sorted(p.name for p in root.iterdir())
    run = sitegen(root, "check")
    assert run.code == 0 and "nothing written" in run.out
    assert sorted(p.name for p in root.iterdir()) == listing


def test_renamed_or_drafted_articles_leave_no_stale_pages(scratch) -> None:
    root = scratch({"content/a.md": article("Old headline", people=["Jo Bloggs"]),
                    "content/b.md": article("Second story")})
    assert sitegen(root).code == 0
    (root / "content/a.md").write_text(article("New headline", people=["Jo Bloggs"]))
    (root / "content/b.md").write_text(article("Second story", draft="true"))
    assert sitegen(root).code == 0
    month = root / "build/2015/01"
    pages = {p.relative_to(month).as_posix() for p in month.rglob("index.html")}
    assert pages == {"index.html", "new-headline/index.html"}


def test_a_file_named_like_the_output_folder_is_never_replaced(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    (root / "build").write_text("my notes")
    run = sitegen(root, "build")
    assert run.code == 1 and "is not a folder (a file or a link); move it away" in run.err
    assert (root / "build").read_text() == "my notes"


def test_a_folder_sitegen_did_not_build_is_never_replaced(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    (root / "site").mkdir()
    (root / "site/thesis.docx").write_text("years of work")
    run = sitegen(root, "build", "--out", str(root / "site"))
    assert run.code == 1
    assert "holds files but no index.html, so sitegen did not build it" in run.err
    assert sorted(p.name for p in (root / "site").iterdir()) == ["thesis.docx"]


def test_output_under_a_file_is_a_message_not_a_traceback(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    (root / "afile").write_text("")
    run = sitegen(root, "build", "--out", str(root / "afile/build"))
    assert run.code == 1
    assert run.err.startswith(f"error: cannot write {root / 'afile/build'}: {root / 'afile'} is a file "
                              "where a folder is needed")


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_unreadable_content_file_is_a_located_message(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    (root / "content/b.md").symlink_to("/proc/self/mem")  # a file that exists but cannot be read, even by root
    run = sitegen(root, "check")
    assert run.code == 1
    assert run.err.startswith("content/b.md:1: cannot read file (Input/output error); check that it is a "
                              "readable file, or remove it from content/")


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux /sys")
def test_unwritable_output_folder_is_a_message(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    run = sitegen(root, "build", "--out", "/sys/sitegen-test-build")  # sysfs refuses new files, even to root
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.startswith("error: cannot write /sys/sitegen-test-build: ")
    assert run.err.rstrip().endswith("the previous build was left as it was")


@pytest.mark.skipif(IS_ROOT, reason="root can read and write any file, so permissions cannot fail")
def test_permission_problems_are_messages(scratch) -> None:
    root = scratch({"content/a.md": article("A story"), "content/b.md": article("Locked story")})
    (root / "content/b.md").chmod(0)
    run = sitegen(root, "check")
    assert "content/b.md:1: cannot read file (Permission denied); check that it is a readable file" in run.err
    (root / "content/b.md").chmod(0o644)
    (root / "out").mkdir(mode=0o555)
    run = sitegen(root, "build", "--out", str(root / "out/build"))
    assert run.code == 1 and "permission denied on" in run.err and "Traceback" not in run.err


def test_debug_shows_a_traceback_only_for_internal_errors(scratch) -> None:
    root = scratch({"content/a.md": article("A story", date="2015-02-30")})
    user_mistake = sitegen(root, "build", "--debug")
    assert user_mistake.code == 1 and "Traceback" not in user_mistake.err
    (root / "content/a.md").write_text(article("A story"))
    # A recursion limit this low makes sitegen fail the way a bug would: not a SitegenError.
    script = ("import sys; from sitegen.cli import main; sys.setrecursionlimit(40); "
              "sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    plain = subprocess.run([sys.executable, "-c", script, "build"], cwd=root, env=env, capture_output=True, text=True)
    debug = subprocess.run([sys.executable, "-c", script, "--debug", "build"], cwd=root, env=env,
                           capture_output=True, text=True)
    assert plain.returncode == debug.returncode == 70
    assert plain.stderr.startswith("internal error (a bug in sitegen): RecursionError")
    assert "run again with --debug for the traceback" in plain.stderr and "Traceback" not in plain.stderr
    assert debug.stderr.startswith("Traceback (most recent call last):")


def test_exit_codes(scratch) -> None:
    root = scratch({"content/a.md": article("A story")})
    assert (sitegen(root, "build").code, sitegen(root, "check").code) == (0, 0)
    for usage_mistake in (["build", "--no-such-option"], ["frobnicate"]):
        with pytest.raises(SystemExit) as caught, contextlib.redirect_stderr(io.StringIO()):
            main(usage_mistake)
        assert caught.value.code == 2
    (root / "content/b.md").write_text("no front matter\n")
    assert (sitegen(root, "build").code, sitegen(root, "check").code) == (1, 1)  # a user mistake
