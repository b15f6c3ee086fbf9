"""An editor imports an article in a real browser and saves one proposed forecast as a claim."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.browser import browser_page, serve
from tests.conftest import PASSWORD
from tracker.models import User

pytestmark = pytest.mark.browser
ARTICLE = (Path(__file__).parent / "data" / "reservoir-article.txt").read_text(encoding="utf-8")


def test_an_editor_pastes_an_article_and_accepts_a_forecast(
    app: Flask, make_user: Callable[..., User]
) -> None:
    editor = make_user("editor", name="Eda Editor")
    make_user(name="Rana Reviewer")
    make_user(name="Sam Reviewer")
    errors: list[str] = []
    with serve(app) as base, browser_page() as page_object:
        page: Any = page_object
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{base}/login")
        page.fill("#email", editor.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/review**")
        page.click("text=Import")
        page.fill("#text", ARTICLE)
        page.fill("#title", "Harbor City's reservoir gamble")
        page.fill("#outlet", "The Valley Ledger")
        page.fill("#published", "2025-03-10")
        page.click("text=Archive and propose claims")
        page.wait_for_url(f"{base}/sources/*/candidates")
        link = page.locator("mark.forecast a", has_text="Regulators will probably approve")
        anchor = link.get_attribute("href")
        link.click()
        fieldset = page.locator(anchor)
        assert "70% from \u201cwill probably\u201d" in fieldset.locator("legend").inner_text()
        fieldset.locator("input[value=accept]").check()
        fieldset.locator("input[name$=-question]").fill(
            "Will regulators approve the river pipeline by 31 December 2027?"
        )
        page.click("text=Save the accepted claims")
        page.wait_for_url(f"{base}/sources/*")
        assert "1 claim recorded." in page.inner_text(".flash")
        highlighted = page.inner_text("mark.forecast")
        assert highlighted == "Regulators will probably approve the river pipeline by 2027."
    assert errors == []
