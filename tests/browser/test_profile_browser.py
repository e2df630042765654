"""A profile page in real Chromium: bars lead to the archive, no serious axe violations."""
from __future__ import annotations

import pytest

from axe_support import serious_violations
from fixture_sites import BuiltSite, build_fixture_site

PROFILE = "people/mark-rowley/index.html"


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_fixture_site("profiles", tmp_path_factory.mktemp("profiles-browser") / "site")


def test_clicking_a_bar_opens_that_month(profiles: BuiltSite, watched_page) -> None:
    page = watched_page.page
    page.goto((profiles.out / PROFILE).as_uri())
    bar = page.get_by_role("link", name="March 2015: 1 article").first
    assert bar.evaluate("element => element.namespaceURI") == "http://www.w3.org/2000/svg"
    bar.click()
    page.wait_for_url("**/2015/03/index.html")
    assert "Antisemitic incidents recorded" in page.inner_text("main")
    assert watched_page.errors == []


def test_profile_is_usable_on_a_phone(profiles: BuiltSite, browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto((profiles.out / PROFILE).as_uri())
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        width = page.evaluate("document.querySelector('.timeline-chart').getBoundingClientRect().width")
        assert 0 < width <= 375
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_profile_has_no_serious_accessibility_violations(profiles: BuiltSite, browser, scheme: str) -> None:
    def open_table(page) -> None:  # so the table is checked too
        page.click("summary")

    assert serious_violations(browser, (profiles.out / PROFILE).as_uri(), scheme, open_table) == []
