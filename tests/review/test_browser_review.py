"""Two reviewers resolve the seed forecast `iran-retaliation` in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.browser import browser_page, serve
from tests.conftest import PASSWORD
from tracker.models import User
from tracker.record import services

pytestmark = pytest.mark.browser


def test_two_reviewers_resolve_and_the_public_page_shows_it_final(
    app: Flask, session: Session, seeded: int, make_user: Callable[..., User]
) -> None:
    claim = services.list_claims(session, key="iran-retaliation")[0]
    reviewers = [make_user(name="Rana Reviewer"), make_user(name="Sam Reviewer")]
    errors: list[str] = []
    with serve(app) as base, browser_page() as page_object:
        page: Any = page_object
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for reviewer in reviewers:
            page.goto(f"{base}/login")
            page.fill("#email", reviewer.email)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/review**")
            page.goto(f"{base}/claims/{claim.id}/resolve")
            assert "At least in the short term" in page.inner_text("blockquote.context")
            page.check("input[name=outcome][value=true]")
            page.fill(
                "#rationale", "Iran fired ballistic missiles at Al Asad air base on 8 January 2020."
            )
            page.fill("#evidence-0-url", "https://example.org/al-asad-strike")
            page.fill("#evidence-0-title", "Iranian missiles strike US base")
            page.fill("#evidence-0-publisher", "Example Wire")
            page.fill("#evidence-0-published", "2020-01-08")
            page.click("text=Record my judgement")
            page.wait_for_url(f"{base}/review**")
            assert "Recorded" in page.inner_text(".flash") or "Final" in page.inner_text(".flash")
            page.click("text=Log out")
        page.goto(f"{base}/claims/{claim.id}")
        assert page.inner_text(".badge.resolved") == "resolved"
        body = page.inner_text("main")
        assert "Rana Reviewer judged true" in body and "Sam Reviewer judged true" in body
        assert "Iranian missiles strike US base" in body
    assert errors == []
