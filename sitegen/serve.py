"""`sitegen serve`: build, serve the output folder on 127.0.0.1, rebuild on change, reload tabs.

The server answers like a static host (index.html for folders, the site's 404.html with status
404, content types by extension) and never serves a file outside the output folder. Live reload
and the error overlay are added to HTML responses as they are sent; nothing of them is ever
written into the output folder. Pages poll a build id (plain HTTP requests, so any number of
tabs works) and reload when it changes; a failed rebuild leaves the last good site served and
shows its problems in an overlay until a good build clears it (STYLE.md, "Do as they do" 3, 5).
"""
from __future__ import annotations

import json
import mimetypes
import re
import secrets
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .config import Config
from .errors import ContentError, Problem, SitegenError, summarise
from .resident import ResidentBuild
from .results import BuildResult
from .watch import QUIET_SECONDS, ChangeCollector, ChangeSet, Classifier, Watcher, watch_targets

LIVE_PREFIX = "/__sitegen__/"  # never a site URL: taxonomy prefixes and slugs have no "_"
STATUS_PATH = LIVE_PREFIX + "status"
SCRIPT_PATH = LIVE_PREFIX + "live.js"
REQUEST_TIMEOUT_SECONDS = 10  # a silent client cannot hold a server thread (or Ctrl-C) longer
_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml", ".atom": "application/atom+xml",
    ".rss": "application/rss+xml", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".woff2": "font/woff2",
    ".woff": "font/woff", ".pdf": "application/pdf", ".webmanifest": "application/manifest+json",
}
_LIVE_SCRIPT = Path(__file__).with_name("live.js").read_bytes()  # served at SCRIPT_PATH
_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class LiveState:
    """The build id pages poll, the problems of the last failed build, and whether one is running."""

    def __init__(self) -> None:
        self._session = secrets.token_hex(4)  # a restarted server has new ids, so open tabs reload
        self.build_count = 0  # good builds so far
        self.problems: tuple[str, ...] = ()  # `source:line: message` lines of the last failure
        self.summary = ""
        self._is_building = False
        self._is_closed = False
        self._condition = threading.Condition()

    @property
    def build_id(self) -> str:
        """Changes with every good build (and every server start)."""
        return f"{self._session}-{self.build_count}"

    def begin(self) -> None:
        """A rebuild starts."""
        with self._condition:
            self._is_building = True

    def end(self, problems: tuple[str, ...] = (), summary: str = "") -> None:
        """A rebuild ended: good when `problems` is empty, which bumps the build id."""
        with self._condition:
            self._is_building = False
            self.problems, self.summary = problems, summary
            if not problems:
                self.build_count += 1
            self._condition.notify_all()

    def close(self) -> None:
        """Release every request waiting for a rebuild."""
        with self._condition:
            self._is_closed = True
            self._condition.notify_all()

    def wait_while_building(self, timeout: float) -> bool:
        """Block until no rebuild runs; True if one was running."""
        with self._condition:
            was_building = self._is_building
            self._condition.wait_for(lambda: not self._is_building or self._is_closed, timeout)
            return was_building

    def status(self) -> dict[str, object]:
        """What the live-reload script polls."""
        with self._condition:
            return {"build": self.build_id, "building": self._is_building,
                    "problems": list(self.problems), "summary": self.summary}


def find_file(root: Path, raw_path: str) -> Path | None:
    """The file a static host serves for the request path, or None (404). Never outside `root`."""
    try:
        decoded = unquote(urlsplit(raw_path).path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None  # a static host normalises these away; refusing is simpler and as safe
    try:
        root = root.resolve()
        path = root.joinpath(*parts).resolve()
        if not path.is_relative_to(root):
            return None  # a symlink pointing outside
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None
    except OSError:  # a name too long, a link loop: no such page
        return None


def _names_folder_without_slash(raw_path: str, path: Path) -> bool:
    # `/2015/01/story` is a folder: like a static host, send the browser to `/2015/01/story/`
    # so the page's relative links resolve from inside the folder.
    decoded = unquote(urlsplit(raw_path).path)
    return path.name == "index.html" and not decoded.endswith(("/", "/index.html"))


def folder_redirect(raw_path: str) -> str:
    """`/a/b?q` -> `/a/b/?q`: the address a folder requested without its slash moves to."""
    parts = urlsplit(raw_path)
    segments = [quote(part) for part in unquote(parts.path).split("/") if part]
    query = f"?{parts.query}" if parts.query else ""
    return "/" + "/".join(segments) + "/" + query  # one leading slash: never `//other-host/`


def content_type(path: Path) -> str:
    """The Content-Type a static host sends for `path`."""
    suffix = path.suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def inject_live_reload(html: bytes, build_id: str, origin: str) -> bytes:
    """`html` with the live-reload script tag before `</body>` (or at the end).

    `origin` (`http://127.0.0.1:8000`) makes the address absolute: a 404 page's `<base>` may
    point at the public site.
    """
    src = escape(f"{origin}{SCRIPT_PATH}", quote=True)
    script = f'<script src="{src}" data-build="{escape(build_id, quote=True)}"></script>\n'.encode()
    end = html.lower().rfind(b"</body>")
    return html + script if end < 0 else html[:end] + script + html[end:]


def _with_root_base(html: bytes) -> bytes:
    # The 404 page is sent at any depth; without a base_url its relative links (and CSS) would
    # resolve against the missing address. This server serves the site at "/", so say so.
    if re.search(rb"<base\b", html, re.I):
        return html
    return re.sub(rb"(<head\b[^>]*>)", rb'\1<base href="/">', html, count=1, flags=re.I)


def _read(path: Path | None) -> tuple[Path, bytes] | None:
    try:
        return None if path is None else (path, path.read_bytes())
    except OSError:
        return None


_FALLBACK_404 = b"<!doctype html><title>Not found</title><h1>Not found</h1><p>No page here (and no 404.html).</p>"


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every request thread
    block_on_close = True

    def __init__(self, address: tuple[str, int], output_dir: Callable[[], Path], live: LiveState) -> None:
        self.output_dir = output_dir
        self.live = live
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the browser went away mid-response (a reload, a closed tab): nothing to say
        super().handle_error(request, client_address)  # a bug: socketserver's traceback on stderr


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "sitegen"
    sys_version = ""  # no Python version in the Server header
    timeout = REQUEST_TIMEOUT_SECONDS

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the terminal is for build problems

    def _respond(self, *, send_body: bool) -> None:
        request_path = urlsplit(self.path).path
        if request_path == STATUS_PATH:
            body = json.dumps(self.server.live.status()).encode()
            return self._send(HTTPStatus.OK, "application/json", body, send_body)
        if request_path == SCRIPT_PATH:
            return self._send(HTTPStatus.OK, _TYPES[".js"], _LIVE_SCRIPT, send_body)
        root = self.server.output_dir()
        found = None if request_path.startswith(LIVE_PREFIX) else _read(find_file(root, self.path))
        if found is None and self.server.live.wait_while_building(timeout=120):
            found = _read(find_file(root, self.path))  # the output folder may have been mid-swap
        if found is not None and _names_folder_without_slash(self.path, found[0]):
            return self._redirect(folder_redirect(self.path))
        status = HTTPStatus.OK
        if found is None:
            status = HTTPStatus.NOT_FOUND
            found = _read(root / "404.html") or (root / "404.html", _FALLBACK_404)
        path, body = found
        kind = content_type(path)
        if kind.startswith("text/html"):
            if status == HTTPStatus.NOT_FOUND:
                body = _with_root_base(body)
            body = inject_live_reload(body, self.server.live.build_id, self._origin())
        return self._send(status, kind, body, send_body)

    def _origin(self) -> str:
        # The address the browser used (localhost, 127.0.0.1, a LAN name); checked, not trusted.
        host = self.headers.get("Host", "")
        if not _HOST.fullmatch(host):
            address, port = self.server.server_address[:2]
            host = f"[{address}]:{port}" if ":" in str(address) else f"{address}:{port}"
        return f"http://{host}"

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, body: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # an edit must show on reload
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)


@dataclass(frozen=True)
class RebuildReport:
    """What one build in serve mode did, for the CLI to print."""

    changes: ChangeSet | None  # what set it off; None for the first build
    result: BuildResult | None  # None when the build failed
    problems: tuple[Problem, ...] = ()  # why it failed, when content or config is wrong
    error: str = ""  # any other failure, in one line
    detail: str = ""  # the traceback of an internal error (for --debug)

    @property
    def is_ok(self) -> bool:
        """True when the build succeeded and is now served."""
        return self.result is not None

    def overlay_lines(self) -> tuple[str, ...]:
        """The failure as the overlay shows it: `source:line: message` lines."""
        if self.is_ok:
            return ()
        errors = [p.format() for p in sorted(self.problems) if not p.is_warning]
        return tuple(errors or [self.error or "the build failed"])


Report = Callable[[RebuildReport], None]


class DevServer:
    """Build, serve and (unless `watch` is off) rebuild on change until `stop()`.

    Every build is passed to `report`, called from the rebuild thread.
    """

    def __init__(self, read_config: Callable[[], Config], *, report: Report, host: str = "127.0.0.1",
                 port: int = 8000, watch: bool = True, quiet_seconds: float = QUIET_SECONDS,
                 polling: bool = False) -> None:
        self._read_config = read_config
        self.config = read_config()  # a broken config.yaml raises ContentError: nothing to serve yet
        self.report = report
        self.host, self.port = host, port
        self.live = LiveState()
        self.build_attempt_count = 0
        self.builder = ResidentBuild(self.config, patching=watch)  # keeps the last build, to patch edits in
        self._httpd: _Server | None = None
        self._threads: list[threading.Thread] = []  # the HTTP thread first, then the rebuild thread
        self._is_stopped = False
        self._collector = ChangeCollector(Classifier(watch_targets(self.config), self.config.output_dir),
                                          quiet_seconds=quiet_seconds)
        self.watcher = Watcher(self._collector, watch_targets(self.config), polling=polling) if watch else None

    @property
    def address(self) -> tuple[str, int]:
        """The (host, port) the server's socket is bound to."""
        return self._httpd.server_address[:2] if self._httpd else (self.host, self.port)

    @property
    def url(self) -> str:
        """The address the site is served at."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> RebuildReport:
        """Listen, build once, then serve and watch in background threads; the first build's report."""
        try:
            self._httpd = _Server((self.host, self.port), lambda: self.config.output_dir, self.live)
        except OSError as exc:
            raise SitegenError(f"cannot listen on {self.host}:{self.port} ({exc.strerror}); pass "
                               "--port with another number, or stop the program using it") from None
        self.port = self._httpd.server_address[1]
        first = self._build(None)
        self._start_thread("sitegen-http", lambda: self._httpd.serve_forever(poll_interval=0.2))
        if self.watcher:
            self.watcher.start()
            self._start_thread("sitegen-rebuild", self._rebuild_loop)
        return first

    def _start_thread(self, name: str, target: Callable[[], object]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _rebuild_loop(self) -> None:
        self._after_build()
        while (changes := self._collector.wait_for_changes()) is not None:
            try:
                self._build(changes)
                self._after_build()
            finally:
                self._collector.task_done()

    def _after_build(self) -> None:
        """Once open pages have their reload: keep the state on disk current and get ready to
        patch the next edit in (see `resident.py`)."""
        try:
            self.builder.save()
            if not self._is_stopped:
                self.builder.prepare(cancelled=lambda: self._is_stopped)
        except Exception:  # noqa: BLE001 - a bug here must not stop the server; builds go on without patching
            traceback.print_exc()
            self.builder.held = None

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until every change seen so far is built; False on timeout."""
        return self._collector.join(timeout)

    def _build(self, changes: ChangeSet | None) -> RebuildReport:
        self.live.begin()
        self.build_attempt_count += 1
        try:
            if changes is not None and changes.config:
                self._use_config(self._read_config())
            report = RebuildReport(changes, self.builder.build(
                None if changes is None else changes.content, config=self.config,
                content_only=changes is not None and changes.is_content_only))
        except ContentError as exc:
            report = RebuildReport(changes, None, problems=exc.problems, error=str(exc))
        except SitegenError as exc:
            report = RebuildReport(changes, None, error=str(exc))
        except Exception as exc:  # a bug in sitegen: keep serving the last good site, and say so
            report = RebuildReport(changes, None, error=f"internal error (a bug in sitegen): "
                                   f"{type(exc).__name__}: {exc}", detail=traceback.format_exc())
        try:
            if self.watcher:
                self.watcher.refresh()  # a data/ folder may have appeared
            self.report(report)  # the terminal says so before open pages reload
        finally:
            self.live.end(report.overlay_lines(), "" if report.is_ok else _failure_summary(report))
        return report

    def _use_config(self, config: Config) -> None:
        self.config = config
        if self.watcher:
            self.watcher.refresh(watch_targets(config), config.output_dir)

    def wait(self, timeout: float | None = None) -> bool:
        """Block up to `timeout` seconds while serving; False once the server has stopped."""
        server_thread = self._threads[0] if self._threads else None
        if server_thread is None:
            return False
        server_thread.join(timeout)
        return server_thread.is_alive()

    def stop(self) -> None:
        """Stop watching, let a running rebuild finish (its output swaps in whole), stop serving."""
        if self._is_stopped:
            return
        self._is_stopped = True
        self._collector.close()
        if self.watcher:
            self.watcher.stop()
        for thread in self._threads[1:]:
            thread.join()  # the rebuild thread: never abandon a build half-way (getting ready stops early)
        self.live.close()
        if self._httpd is not None:
            if self._threads:
                self._httpd.shutdown()
            self._httpd.server_close()  # joins every request thread
        for thread in self._threads[:1]:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS)


def _failure_summary(report: RebuildReport) -> str:
    counted = summarise(report.problems, changed=True) + "; " if report.problems else ""
    return f"{counted}still serving the last good build"
