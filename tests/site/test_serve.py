"""`sitegen serve`: static-host behaviour, path traversal, watch + rebuild, failures, clean stop."""
from __future__ import annotations

import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sitegen.config import Config, load_config
from sitegen.serve import LIVE_PREFIX

from live_support import eventually, make_served_site, running_server, save
from support import REPO, article, sitegen

PATROLS = "content/2015/patrols.md"
PATROLS_URL = "/2015/01/patrols/"


def _site(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    return make_served_site(tmp_path / "site", {
        PATROLS: article("Police patrols", "2015-01-16", slug="patrols", topics=["Security"]),
        "content/2015/arrests.md": article("Arrests made", "2015-01-18", slug="arrests", topics=["Security"]),
        **(extra or {}),
    })


def _status(served) -> dict:
    return json.loads(served.text(LIVE_PREFIX + "status"))


# --- Like a static host -------------------------------------------------------------------------

def test_serves_folders_pages_and_assets_like_a_static_host(tmp_path: Path) -> None:
    with running_server(_site(tmp_path), watch=False) as served:
        status, headers, body = served.get("/")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert "Police patrols" in body and "Arrests made" in body
        status, _, body = served.get(PATROLS_URL + "?utm=x")
        assert status == 200 and "<h1>Police patrols</h1>" in body
        assert served.get("/2015/01/patrols/index.html")[0] == 200

        status, headers, _ = served.get("/2015/01/patrols")
        assert status == 301 and headers["location"] == PATROLS_URL
        assert served.get("/2015?x=1")[1]["location"] == "/2015/?x=1"

        assert served.get("/static/style.css")[1]["content-type"] == "text/css; charset=utf-8"
        assert served.get("/static/favicon.svg")[1]["content-type"] == "image/svg+xml"
        js = next(p for p in (served.server.config.output_dir).rglob("*.js"))
        url = "/" + js.relative_to(served.server.config.output_dir).as_posix()
        assert served.get(url)[1]["content-type"] == "text/javascript; charset=utf-8"

        status, headers, body = served.get("/2015/01/no-such-story/")
        assert status == 404 and "Page not found" in body
        assert '<base href="/">' in body  # its relative links work at any depth
        status, headers, body = served.get(PATROLS_URL, method="HEAD")
        assert status == 200 and body == "" and int(headers["content-length"]) > 1000


TRAVERSALS = ["/../config.yaml", "/%2e%2e/config.yaml", "/..%2fconfig.yaml", "/%2e%2e%2fconfig.yaml",
              "/.%2e/config.yaml", "/static/../../config.yaml", "/static/%2e%2e/%2e%2e/config.yaml",
              "/static/..%2f..%2fconfig.yaml", "/..%5cconfig.yaml", "/%252e%252e/config.yaml",
              "/../../../../../../etc/passwd", "//etc/passwd", "/%2fetc%2fpasswd", "/..", "/%00",
              "/config.yaml%00.html", "../config.yaml", "/%c0%ae%c0%ae/config.yaml", "/leak/config.yaml",
              "/leak.yaml", "/content/2015/patrols.md", LIVE_PREFIX + "../config.yaml"]


def test_nothing_outside_the_output_folder_is_served(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root, watch=False) as served:
        out = served.server.config.output_dir
        (out / "leak").symlink_to(root)  # links inside build/ pointing out are refused too
        (out / "leak.yaml").symlink_to(root / "config.yaml")
        for raw in TRAVERSALS:
            status, _, body = served.get(raw)
            assert status == 404, raw
            assert "timezone: UTC" not in body and "root:" not in body and "Police patrols\n" not in body, raw


def test_server_listens_on_localhost_by_default(tmp_path: Path) -> None:
    with running_server(_site(tmp_path), watch=False) as served:
        assert served.server.url.startswith("http://127.0.0.1:")
        assert served.server.address[0] == "127.0.0.1"


# --- Watching and rebuilding --------------------------------------------------------------------

def test_an_edited_title_is_served_within_seconds(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        assert "<h1>Police patrols</h1>" in served.text(PATROLS_URL)
        before = _status(served)["build"]
        (root / PATROLS).write_text(article("Patrols doubled", "2015-01-16", slug="patrols", topics=["Security"]))
        eventually(lambda: "<h1>Patrols doubled</h1>" in served.text(PATROLS_URL), what="new title")
        assert "Patrols doubled" in served.text("/") and "Patrols doubled" in served.text("/topics/security/")
        eventually(lambda: _status(served)["build"] != before)  # so open pages reload
        assert served.server.wait_until_idle(15)
        last = served.reports[-1]
        assert last.is_ok and last.changes.content == {root / PATROLS}, served.reports
        assert "patch" in last.result.timings  # the server's last build, with the edit patched in


def test_a_deleted_article_is_gone_from_its_page_and_lists(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        assert "Arrests made" in served.text("/topics/security/")
        (root / "content/2015/arrests.md").unlink()
        eventually(lambda: served.get("/2015/01/arrests/")[0] == 404, what="deleted page 404s")
        assert "Arrests made" not in served.text("/topics/security/")
        assert "Arrests made" not in served.text("/") and "Police patrols" in served.text("/")


def test_polling_finds_changes_where_file_events_are_missing(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root, polling=True) as served:
        assert served.server.watcher and served.server.watcher.is_polling
        save(root / PATROLS, article("Polled title", "2015-01-16", slug="patrols"))
        eventually(lambda: "<h1>Polled title</h1>" in served.text(PATROLS_URL), what="polled rebuild")


def test_a_renamed_article_moves_and_leaves_no_stale_page(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        (root / PATROLS).rename(root / "content/2015/patrols-renamed.md")  # same front matter
        old = root / PATROLS
        eventually(lambda: any(old in r.changes.content for r in served.reports if r.changes))
        assert served.get(PATROLS_URL)[0] == 200  # the slug is in the front matter, so the URL stays
        (root / "content/2015/patrols-renamed.md").write_text(article("Police patrols", "2015-01-16",
                                                                      topics=["Security"]))
        eventually(lambda: served.get("/2015/01/police-patrols/")[0] == 200, what="page under new slug")
        assert served.get(PATROLS_URL)[0] == 404
        assert "police-patrols/" in served.text("/topics/security/")


def test_broken_yaml_keeps_the_last_good_site_and_reports_until_fixed(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        good_build = _status(served)["build"]
        save(root / PATROLS, "---\ntitle: [Patrols <b>unclosed\ndate: 2015-01-16\n---\nBody\n")
        status = eventually(lambda: (s := _status(served))["problems"] and s, what="problems reported")
        assert status["problems"][0].startswith(f"{PATROLS}:3: invalid YAML")
        assert "still serving the last good build" in status["summary"]
        assert status["build"] == good_build  # no reload: the open page keeps the old content
        assert "<h1>Police patrols</h1>" in served.text(PATROLS_URL)
        failed = served.reports[-1]
        assert not failed.is_ok and failed.problems[0].format() == status["problems"][0]
        assert not (served.server.config.output_dir.parent / "build.staging").exists()

        save(root / PATROLS, article("Patrols fixed", "2015-01-16", slug="patrols"))
        eventually(lambda: "<h1>Patrols fixed</h1>" in served.text(PATROLS_URL), what="recovery")
        recovered = eventually(lambda: (s := _status(served))["build"] != good_build and s)
        assert recovered["problems"] == []


def test_the_overlay_payload_carries_markup_as_plain_json_text(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        save(root / PATROLS, "---\ntitle: X\ndate: <img src=x onerror=alert(1)>\n---\nBody\n")
        status = eventually(lambda: (s := _status(served))["problems"] and s)
        headers = served.get(LIVE_PREFIX + "status")[1]
        assert headers["content-type"] == "application/json"
        assert "'<img src=x onerror=alert(1)>'" in status["problems"][0]  # shown via textContent


def test_the_reload_script_is_a_same_origin_file_and_ignores_a_forged_host(tmp_path: Path) -> None:
    with running_server(_site(tmp_path), watch=False) as served:
        status, headers, script = served.get(LIVE_PREFIX + "live.js")
        assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
        assert "textContent" in script and "innerHTML" not in script
        port = served.server.port
        tag = f'<script src="http://127.0.0.1:{port}/__sitegen__/live.js" data-build="'
        assert tag in served.text("/")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        try:
            connection.putrequest("GET", "/", skip_host=True)
            connection.putheader("Host", 'x"><img src=y onerror=alert(1)>')
            connection.endheaders()
            body = connection.getresponse().read().decode()
        finally:
            connection.close()
        assert tag in body and "<img src=y" not in body


def test_a_config_change_rebuilds_with_the_new_config(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        save(root / "config.yaml", "title: Renamed Archive\ntimezone: UTC\n")
        eventually(lambda: "Renamed Archive" in served.text("/"), what="new site title")
        save(root / "config.yaml", "title: Renamed Archive\ntimezone: Mars/Olympus\n")
        status = eventually(lambda: (s := _status(served))["problems"] and s)
        assert status["problems"][0].startswith("config.yaml:2: unknown timezone")
        assert "Renamed Archive" in served.text("/")


def test_template_static_and_new_data_folder_changes_rebuild(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        with (root / "templates/static/style.css").open("a") as css:
            css.write("\n.watched-rule { color: red }\n")
        eventually(lambda: "watched-rule" in served.text("/static/style.css"), what="static copied")
        assert served.server.wait_until_idle(15)
        assert served.reports[-1].changes.static == {root / "templates/static/style.css"}
        base = root / "templates/article.html"
        base.write_text(base.read_text().replace("<h1>", '<h1 class="edited">', 1))
        eventually(lambda: '<h1 class="edited">' in served.text(PATROLS_URL), what="template change")

        count = len(served.reports)
        (root / "data").mkdir()
        (root / "data/people.yaml").write_text("[]\n")
        eventually(lambda: any(r.changes and r.changes.data for r in served.reports[count:]))
        assert served.server.watcher and root / "data" in served.server.watcher.watched_sources()


def test_a_replaced_content_folder_is_watched_again(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        shutil.rmtree(root / "content")
        status = eventually(lambda: (s := _status(served))["problems"] and s, what="missing folder reported")
        assert "content" in status["problems"][0] and served.get(PATROLS_URL)[0] == 200  # last good
        (root / "content").mkdir()
        (root / "content/new.md").write_text(article("Back again", "2016-05-01", slug="back"))
        eventually(lambda: served.get("/2016/05/back/")[0] == 200, what="new folder's article")
        save(root / "content/new.md", article("Edited in the new folder", "2016-05-01", slug="back"))
        eventually(lambda: "Edited in the new folder" in served.text("/2016/05/back/"))


def test_editor_swap_files_and_output_churn_cause_no_rebuild(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        (root / "content/2015/.patrols.md.swp").write_text("swap")
        (root / "content/2015/patrols.md~").write_text("backup")
        assert sitegen(root, "build").code == 0  # writes build/ and its staging folder
        save(root / PATROLS, article("Marker edit", "2015-01-16", slug="patrols"))
        eventually(lambda: "Marker edit" in served.text(PATROLS_URL))
        assert served.server.wait_until_idle(15)
        changed = set().union(*(r.changes.paths for r in served.reports if r.changes))
        assert changed == {root / PATROLS}


def test_five_hundred_files_touched_at_once_cause_few_rebuilds(tmp_path: Path) -> None:
    files = {f"content/a{i:03}.md": article(f"Story {i}", "2016-03-16", slug=f"s{i}") for i in range(500)}
    root = make_served_site(tmp_path / "site", files)
    with running_server(root, quiet_seconds=0.3) as served:
        for i in range(500):  # as a `git checkout` does: one file after another
            (root / f"content/a{i:03}.md").write_text(article(f"Changed {i}", "2016-03-16", slug=f"s{i}"))
        eventually(lambda: "Changed 499" in served.text("/2016/03/s499/"), what="last file rebuilt")
        assert served.server.wait_until_idle(15)
        rebuilds = [r for r in served.reports if r.changes is not None]
        assert 1 <= len(rebuilds) <= 3, [r.changes.event_count for r in rebuilds]
        assert sum(len(r.changes.content) for r in rebuilds) >= 500
        assert all(r.is_ok for r in rebuilds)
        assert "Changed 0" in served.text("/2016/03/s0/")


def test_stop_waits_for_a_rebuild_in_progress(tmp_path: Path) -> None:
    root = _site(tmp_path)
    entered, release = threading.Event(), threading.Event()

    def slow_config() -> Config:  # the rebuild thread blocks here until the test releases it
        if entered.is_set() or (root / "config.yaml").read_text().startswith("title: Slow"):
            entered.set()
            release.wait(timeout=30)
        return load_config(root)

    with running_server(root, read_config=slow_config) as served:
        save(root / "config.yaml", "title: Slow Archive\ntimezone: UTC\n")
        assert entered.wait(timeout=15), "rebuild did not start"
        stopper = threading.Thread(target=served.server.stop)
        stopper.start()
        stopper.join(timeout=0.5)
        assert stopper.is_alive(), "stop() returned while a rebuild was still running"
        release.set()
        stopper.join(timeout=15)
        assert not stopper.is_alive()
        assert served.reports[-1].is_ok
        out = served.server.config.output_dir
        assert "Slow Archive" in (out / "index.html").read_text()
        assert not out.with_name("build.staging").exists() and not out.with_name("build.previous").exists()


def test_stop_cuts_getting_ready_to_patch_short(tmp_path: Path, monkeypatch) -> None:
    # Getting ready to patch (25 s at 100,000 articles) only reads: a stopping server gives it
    # up between steps rather than waiting for it, and patches nothing.
    from sitegen.search_resident import ResidentSearch

    entered = threading.Event()
    real = ResidentSearch.index_files

    def slow_index_files(self):
        for item in real(self):
            entered.set()
            time.sleep(0.5)  # a file at a time, 0.5 s each: seconds for this small site
            yield item

    monkeypatch.setattr(ResidentSearch, "index_files", slow_index_files)
    root = _site(tmp_path)
    with running_server(root) as served:
        assert entered.wait(timeout=15), "the server did not start getting ready"
        started = time.perf_counter()
        served.server.stop()
        assert time.perf_counter() - started < 3
        assert served.server.builder.held is None


def test_live_reload_is_only_in_served_responses_never_in_build_output(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root) as served:
        assert "/__sitegen__/live.js" in served.text(PATROLS_URL)
        save(root / PATROLS, "---\ntitle: [broken\n---\n")
        eventually(lambda: _status(served)["problems"])
        save(root / PATROLS, article("Fine again", "2015-01-16", slug="patrols"))
        eventually(lambda: "Fine again" in served.text(PATROLS_URL))
        for path in served.server.config.output_dir.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert b"__sitegen__" not in data and b"sitegen-error-overlay" not in data, path
    assert sitegen(root, "build").code == 0
    assert not any(b"__sitegen__" in p.read_bytes() for p in (root / "build").rglob("*.html"))


def test_a_first_build_that_fails_is_served_as_an_overlay_and_recovers(tmp_path: Path) -> None:
    root = _site(tmp_path, {"content/2015/bad.md": "---\ndate: 2015-01-01\n---\n"})
    with running_server(root) as served:
        status, _, body = served.get("/")
        assert status == 404 and "/__sitegen__/live.js" in body  # nothing built yet, overlay can show
        assert _status(served)["problems"][0].startswith("content/2015/bad.md:")
        (root / "content/2015/bad.md").unlink()
        eventually(lambda: served.get("/")[0] == 200, what="first good build")


# --- The command line ---------------------------------------------------------------------------

class _Lines:
    """Lines a subprocess writes to one stream, readable with a bounded wait."""

    def __init__(self, stream) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                if text in line:
                    self.seen.remove(line)
                    return line
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} not printed; got {self.seen}")
            try:
                self.seen.append(self.lines.get(timeout=left))
            except queue.Empty:
                pass


def test_the_serve_command_reports_in_the_terminal_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    root = _site(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--port", "0"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    out, err = _Lines(process.stdout), _Lines(process.stderr)
    try:
        line = out.wait_for("serving build/ at http://127.0.0.1:")
        assert "content, templates" in line and "Ctrl-C" in line
        save(root / PATROLS, "---\ntitle: [broken\ndate: 2015-01-16\n---\n")
        assert err.wait_for(f"{PATROLS}:3: invalid YAML")
        assert err.wait_for("1 error in 1 file; still serving the last good build").startswith(
            f"{PATROLS} changed: ")
        save(root / PATROLS, article("Fixed", "2015-01-16", slug="patrols"))
        assert out.wait_for("rebuilt 2 articles").startswith(f"{PATROLS} changed: ")
        save(root / PATROLS, article("Fixed again", "2015-01-16", slug="patrols"))  # the same terms: patched
        assert out.wait_for("patched in").startswith(f"{PATROLS} changed: ")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert out.wait_for("stopped")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        out.thread.join(timeout=5)
        err.thread.join(timeout=5)
    assert not out.thread.is_alive() and not err.thread.is_alive()
    assert "Traceback" not in "".join(err.seen)


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    root = _site(tmp_path)
    with running_server(root, watch=False) as served:
        result = sitegen(root, "serve", "--port", str(served.server.port), "--no-watch")
    assert result.code == 1
    assert f"cannot listen on 127.0.0.1:{served.server.port}" in result.err and "--port" in result.err


def test_no_watch_with_a_failing_build_exits_1(tmp_path: Path) -> None:
    root = _site(tmp_path, {"content/bad.md": "---\ntitle: [x\n---\n"})
    result = sitegen(root, "serve", "--port", "0", "--no-watch")
    assert result.code == 1 and "content/bad.md:2: invalid YAML" in result.err
