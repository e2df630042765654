"""The built archive in a real browser, from file:// and under a sub-path."""
from __future__ import annotations

from pathlib import Path


def test_home_opens_from_disk_and_navigates_to_a_person(basic_site: Path, watched_page) -> None:
    page = watched_page.page
    page.goto((basic_site / "index.html").as_uri())
    assert page.title().startswith("Basic Fixture Archive")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.wait_for_url("**/people/index.html")
    page.get_by_role("link", name="Mark Rowley").first.click()
    page.wait_for_url("**/people/mark-rowley/index.html")
    assert page.get_by_role("heading", level=1).inner_text() == "Mark Rowley"
    assert watched_page.errors == []


def test_site_works_under_a_sub_path(basic_site: Path, watched_page, serve_under_subpath) -> None:
    base = serve_under_subpath(basic_site)
    page = watched_page.page
    response = page.goto(base + "topics/terrorism/index.html")
    assert response.ok
    page.get_by_role("link", name="Security summit in London").click()
    page.wait_for_url(base + "2018/02/**")
    stylesheet = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert stylesheet != "rgba(0, 0, 0, 0)"  # style.css loaded through its relative link
    assert watched_page.errors == []


def test_readable_on_a_phone(basic_site: Path, browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto((basic_site / "2015/01/police-to-increase-patrols-in-jewish-communities/index.html").as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"page is {overflow}px wider than the phone screen"
    finally:
        context.close()
