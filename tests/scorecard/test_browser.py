"""The public scorecard pages in Debian's chromium: they render without console errors, show the
calibration chart, fit a phone's width, and pass axe-core's WCAG 2.1 A/AA rules (colour
contrast and form labels among them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.browser import CHROMIUM, CHROMIUM_ARGS, serve
from tests.scorecard.scorecard_data import Forecast, record, resolve

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def base_url(app: Flask, session: Session) -> Iterator[str]:
    record(
        session,
        [Forecast(p, o, author="Ann Author", tags=("iran",)) for p, o in [(0.9, "true")] * 6]
        + [Forecast(p, o, author="Ann Author") for p, o in [(0.25, "false")] * 5]
        + [Forecast(0.6, "true", author="Bob Writer", outlet="The Weekly", hedged=True)]
        + [Forecast(0.35, "true", author="Bob Writer", outlet="The Weekly")]
        + [Forecast(0.7, None, author="Bob Writer", outlet="The Weekly")],
    )
    with serve(app) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_scorecard_pages_render_accessibly(base_url: str, browser: Any, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    paths = ("/", "/speakers/ann-author", "/outlets/the-weekly", "/tags/iran", "/?from=2021-01-01")
    for path in paths:
        response = page.goto(base_url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("svg.calibration-chart line.diagonal").count() == 1, path
        assert page.locator("svg.calibration-chart circle.bin").count() >= 1, path
        assert page.locator("table.numbers caption", has_text="Calibration").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen"
        results = axe.run(page, options=AXE_OPTIONS).response
        violations = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])} elements, e.g. {v['nodes'][0]['html']})"
            for v in results["violations"]
        ]
        assert violations == [], path
        checked = {r["id"] for r in results["passes"]}
        assert {"color-contrast", "svg-img-alt"} <= checked, path
        if path == "/":
            assert "label" in checked
        page.get_by_label("Deadline from").fill("2021-01-01")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        assert "from=2021-01-01" in page.url
    assert problems == []


def test_pages_work_under_the_content_security_policy(
    base_url: str, browser: Any, session: Session
) -> None:
    """The stylesheet applies and nothing on the pages is refused by the policy (a refused
    inline style or script shows as a console error), the ClaimReview data block included."""
    (fact,) = record(session, [Forecast(0.5, None, kind="fact")])
    resolve(session, fact, None, verdict="false")
    session.commit()
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    for path in ("/", f"/claims/{fact.id}", "/api", "/login", "/nowhere"):
        response = page.goto(base_url + path)
        assert response is not None and response.headers["x-frame-options"] == "DENY", path
        accent = page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
        )
        assert accent == "#0b5394", f"{path}: the stylesheet did not apply"
    assert page.locator('script[type="application/ld+json"]').count() == 0  # /nowhere
    page.goto(f"{base_url}/claims/{fact.id}")
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert [p for p in problems if "404" not in p] == []
