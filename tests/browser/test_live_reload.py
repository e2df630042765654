"""`sitegen serve` in a real browser: open pages reload after an edit and show build errors."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from live_support import make_served_site, running_server, save
from support import article

STORY = "content/2015/patrols.md"
WAIT_MS = 15_000


def _site(tmp_path: Path) -> Path:
    return make_served_site(tmp_path / "site", {
        STORY: article("Police patrols", "2015-01-16", slug="patrols", topics=["Security"])})


def test_an_open_page_reloads_by_itself_after_an_edit(tmp_path: Path, watched_page) -> None:
    root = _site(tmp_path)
    base = root / "templates/base.html"  # a strict policy must not break live reload
    base.write_text(base.read_text().replace("<head>", "<head>\n<meta http-equiv=\"Content-Security-Policy\" "
                                             "content=\"default-src 'self'\">", 1))
    page = watched_page.page
    with running_server(root) as served:
        page.goto(served.server.url + "2015/01/patrols/")
        assert page.get_by_role("heading", level=1).inner_text() == "Police patrols"
        page.evaluate("window.beforeEdit = true")  # gone after a real reload, kept by a DOM patch
        save(root / STORY, article("Patrols doubled", "2015-01-16", slug="patrols"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Patrols doubled", timeout=WAIT_MS)
        assert page.evaluate("window.beforeEdit === undefined")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
        page.goto("about:blank")  # stop polling before the server stops
    assert watched_page.errors == [] and watched_page.dialogs == []


def test_a_broken_edit_shows_an_escaped_overlay_until_fixed(tmp_path: Path, watched_page) -> None:
    root = _site(tmp_path)
    page = watched_page.page
    with running_server(root) as served:
        page.goto(served.server.url + "2015/01/patrols/")
        save(root / STORY, "---\ntitle: Patrols\ndate: <img src=x onerror=alert(1)>\n---\nBody\n")
        overlay = page.locator("#sitegen-error-overlay")
        overlay.wait_for(state="visible", timeout=WAIT_MS)
        text = overlay.inner_text()
        assert f"{STORY}:3: date '<img src=x onerror=alert(1)>'" in text
        assert "still serving the last good build" in text
        assert overlay.locator("img").count() == 0 and page.get_by_role("alert").count() == 1
        assert page.get_by_role("heading", level=1).inner_text() == "Police patrols"  # last good page

        save(root / STORY, article("Patrols fixed", "2015-01-16", slug="patrols"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Patrols fixed", timeout=WAIT_MS)
        assert overlay.count() == 0
        page.goto("about:blank")
    assert watched_page.errors == [] and watched_page.dialogs == []


def test_the_overlay_can_be_hidden(tmp_path: Path, watched_page) -> None:
    root = _site(tmp_path)
    page = watched_page.page
    with running_server(root) as served:
        save(root / STORY, "---\ntitle: [broken\n---\n")
        page.goto(served.server.url)
        overlay = page.locator("#sitegen-error-overlay")
        overlay.wait_for(state="visible", timeout=WAIT_MS)
        overlay.get_by_role("button", name="Hide").click()
        assert overlay.count() == 0
        page.wait_for_timeout(1200)  # two more polls of the same problems: it stays hidden
        assert overlay.count() == 0
        page.goto("about:blank")
    assert watched_page.errors == []
