"""Three sources forecast one event: an editor links their forecasts to one question from the
import page's proposals, two reviewers resolve it once, and the question page scores all three,
peer scores included."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.browser import browser_page, serve
from tests.conftest import PASSWORD
from tracker.models import Claim, User

pytestmark = pytest.mark.browser

ARTICLES = [
    (
        "Rates outlook",
        "The Ledger",
        "The Federal Reserve will cut interest rates at its September 2024 meeting, as "
        "inflation cools. Markets rallied on Friday.",
    ),
    (
        "What the economists say",
        "The Courier",
        "Economists expect the Federal Reserve to cut interest rates at its September 2024 "
        "meeting. The survey was taken last week.",
    ),
    (
        "A strategist's view",
        "The Gazette",
        "The Federal Reserve might cut interest rates at the September 2024 meeting, the "
        "strategist said. Bond yields fell.",
    ),
]
QUESTION = "Will the Federal Reserve cut interest rates at its September 2024 meeting?"


def _log_in(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/review**")


def _import(page: Any, base: str, title: str, outlet: str, text: str) -> Any:
    """Paste an article; the candidates page with its forecast's form open."""
    page.goto(f"{base}/sources/new")
    page.fill("#text", text)
    page.fill("#title", title)
    page.fill("#outlet", outlet)
    page.fill("#published", "2024-06-03")
    page.click("text=Archive and propose claims")
    page.wait_for_url(f"{base}/sources/*/candidates")
    link = page.locator("mark.forecast a").first
    anchor = link.get_attribute("href")
    link.click()
    fieldset = page.locator(anchor)
    fieldset.locator("input[value=accept]").check()
    return fieldset


def test_three_sources_one_question_resolved_once_and_scored(
    app: Flask, session: Session, make_user: Callable[..., User]
) -> None:
    editor = make_user("editor", name="Eda Editor")
    reviewers = [make_user(name="Rana Reviewer"), make_user(name="Sam Reviewer")]
    errors: list[str] = []
    with serve(app) as base, browser_page() as page_object:
        page: Any = page_object
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _log_in(page, base, editor)
        first = _import(page, base, *ARTICLES[0])
        first.locator("input[name$=-question]").fill(QUESTION)
        page.click("text=Save the accepted claims")
        page.wait_for_url(f"{base}/sources/*")
        session.rollback()
        question_id = session.scalars(select(Claim.question_id)).one()
        for article in ARTICLES[1:]:
            fieldset = _import(page, base, *article)
            # The recorded question is among the proposals; the editor links the claim to it.
            choice = fieldset.locator("select[name$=-link]")
            options = choice.locator("option").evaluate_all("els => els.map(e => e.value)")
            assert f"for:{question_id}" in options, options
            choice.select_option(f"for:{question_id}")
            page.click("text=Save the accepted claims")
            page.wait_for_url(f"{base}/sources/*")
            assert "1 claim recorded." in page.inner_text(".flash")
        page.click("text=Log out")
        for reviewer in reviewers:
            _log_in(page, base, reviewer)
            page.goto(f"{base}/questions/{question_id}/resolve")
            page.check("input[name=outcome][value=true]")
            page.fill(
                "#rationale",
                "The Federal Reserve cut its rate by half a point on 18 September 2024.",
            )
            page.fill("#evidence-0-url", "https://example.org/fed-cut")
            page.fill("#evidence-0-title", "Fed cuts rates by half a point")
            page.click("text=Record my judgement")
            page.wait_for_url(f"{base}/review**")
            page.click("text=Log out")
        page.goto(f"{base}/questions/{question_id}")
        rows = page.locator("table.numbers tbody tr")
        assert rows.count() == 3
        peers = [
            float(rows.nth(i).locator("td").last.inner_text().replace("\u2212", "-"))
            for i in range(3)
        ]
        assert abs(sum(peers)) < 0.2 and len(set(peers)) > 1
        body = page.inner_text("main")
        assert all(outlet in body for _, outlet, _ in ARTICLES)
        assert re.search(r"\bresolved\b", body)
    session.rollback()
    claims = session.scalars(select(Claim).where(Claim.question_id == question_id)).all()
    assert [c.outcome for c in claims] == ["true", "true", "true"]
    assert errors == []
