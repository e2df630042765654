"""Change classification and debouncing: bursts of file events become one change set."""
from __future__ import annotations

import threading
from pathlib import Path

from sitegen.config import load_config
from sitegen.watch import ChangeCollector, Classifier, watch_targets

from support import make_site


def _classifier(tmp_path: Path) -> tuple[Path, Classifier]:
    root = make_site(tmp_path / "site", {}, config="")
    (root / "config.yaml").write_text("title: T\n")  # default folders: content, templates, build
    config = load_config(root)
    return root, Classifier(watch_targets(config), config.output_dir)


def test_paths_are_classified_by_the_most_specific_source(tmp_path: Path) -> None:
    root, classifier = _classifier(tmp_path)
    assert classifier.kind_of(root / "config.yaml") == "config"
    assert classifier.kind_of(root / "content/2015/a.md") == "content"
    assert classifier.kind_of(root / "templates/base.html") == "templates"
    assert classifier.kind_of(root / "templates/static/style.css") == "static"
    assert classifier.kind_of(root / "data/people.yaml") == "data"


def test_editor_litter_output_and_unwatched_paths_are_ignored(tmp_path: Path) -> None:
    root, classifier = _classifier(tmp_path)
    for path in ["content/.a.md.swp", "content/.#a.md", "content/a.md~", "content/.git/x",
                 "build/index.html", "build.staging/index.html", "build.previous", ".build.lock",
                 "README.md", "other.yaml", "config.yaml.bak"]:
        assert classifier.kind_of(root / path) is None, path


def test_a_burst_of_five_thousand_events_is_one_change_set(tmp_path: Path) -> None:
    root, classifier = _classifier(tmp_path)
    collector = ChangeCollector(classifier, quiet_seconds=0.2)
    paths = [root / f"content/{i}.md" for i in range(5000)]

    def checkout() -> None:  # like `git checkout`: thousands of events, no pause between them
        for path in paths:
            collector.add([path])
        collector.add([root / "templates/base.html", root / "README.md"])

    writer = threading.Thread(target=checkout)
    writer.start()
    changes = collector.wait_for_changes(timeout=15)
    writer.join(timeout=15)
    assert not writer.is_alive()
    assert changes is not None and changes.content == frozenset(paths)
    assert changes.templates == {root / "templates/base.html"} and not changes.is_content_only
    assert changes.event_count == 5001
    collector.task_done()
    assert collector.wait_for_changes(timeout=0.3) is None  # nothing left over
    assert collector.join(timeout=1)


def test_a_burst_that_never_goes_quiet_is_still_handed_out(tmp_path: Path) -> None:
    root, classifier = _classifier(tmp_path)
    collector = ChangeCollector(classifier, quiet_seconds=5, max_wait_seconds=0.3)
    stop = threading.Event()

    def busy_writer() -> None:
        while not stop.is_set():
            collector.add([root / "content/log.md"])
            stop.wait(0.01)

    writer = threading.Thread(target=busy_writer)
    writer.start()
    try:
        changes = collector.wait_for_changes(timeout=15)
    finally:
        stop.set()
        writer.join(timeout=5)
    assert not writer.is_alive()
    assert changes is not None and changes.content == {root / "content/log.md"} and changes.is_content_only


def test_closing_wakes_a_waiter_with_none(tmp_path: Path) -> None:
    _, classifier = _classifier(tmp_path)
    collector = ChangeCollector(classifier)
    results: list[object] = []
    waiter = threading.Thread(target=lambda: results.append(collector.wait_for_changes()))
    waiter.start()
    collector.close()
    waiter.join(timeout=5)
    assert not waiter.is_alive() and results == [None]


def test_ignored_paths_raise_no_flag(tmp_path: Path) -> None:
    root, classifier = _classifier(tmp_path)
    collector = ChangeCollector(classifier, quiet_seconds=0.01)
    collector.add([root / "build/index.html", root / "content/.x.swp"])
    assert collector.wait_for_changes(timeout=0.2) is None
