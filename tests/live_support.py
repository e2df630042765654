"""Helpers for tests of `sitegen serve`: a site with its own templates, a running server, raw GETs."""
from __future__ import annotations

import http.client
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sitegen.config import Config, load_config
from sitegen.serve import DevServer, RebuildReport

from support import TEMPLATES, make_site

T = TypeVar("T")
WAIT_SECONDS = 15.0  # generous for a loaded 2-core machine; a passing run takes well under a second


def make_served_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """A scratch project with a private copy of the templates, so nothing outside it is watched."""
    make_site(root, files)
    shutil.copytree(TEMPLATES, root / "templates")
    (root / "config.yaml").write_text("title: Test Archive\ntimezone: UTC\n", encoding="utf-8")
    return root


def save(path: Path, text: str) -> None:
    """Write `path` as many editors do: a hidden temporary file, renamed over the original."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@dataclass
class Served:
    """A running DevServer and every build report it made, in order."""

    server: DevServer
    reports: list[RebuildReport] = field(default_factory=list)

    def get(self, raw_path: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
        """(status, headers, body) for `raw_path` sent exactly as written (no dot-segment cleanup)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=WAIT_SECONDS)
        try:
            connection.request(method, raw_path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def text(self, raw_path: str) -> str:
        """The body at `raw_path` (any status)."""
        return self.get(raw_path)[2]


def eventually(check: Callable[[], T], timeout: float = WAIT_SECONDS, what: str = "") -> T:
    """Call `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what or check}")
        time.sleep(0.05)


@contextmanager
def running_server(root: Path, *, watch: bool = True, quiet_seconds: float = 0.1, polling: bool = False,
                   read_config: Callable[[], Config] | None = None) -> Iterator[Served]:
    """Start a DevServer for `root` on a free port; stop it after, failing if a thread survives."""
    before = set(threading.enumerate())
    served = Served(None)  # type: ignore[arg-type]
    server = DevServer(read_config or (lambda: load_config(root)), report=served.reports.append, port=0,
                       watch=watch, quiet_seconds=quiet_seconds, polling=polling)
    served.server = server
    server.start()
    try:
        yield served
    finally:
        server.stop()
        survivors = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
        assert survivors == [], f"threads survived server.stop(): {survivors}"
