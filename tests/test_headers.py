"""Every answer carries the browser's protections: a Content-Security-Policy with no inline
script or style, no framing, nosniff, a referrer policy, and HSTS when served over HTTPS. The
templates hold nothing the policy would block, so the pages still look and work the same (the
browser tests fail on any console error, a refused inline style among them)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.app import create_app
from tracker.config import PROJECT_ROOT
from tracker.models import User
from tracker.reminders import calendars

PATHS = (
    "/",  # HTML, cached
    "/claims/1",
    "/login",
    "/api/v1/claims",  # JSON
    "/api/v1/openapi.json",
    "/api/v1/claims/999999",  # JSON error
    "/nowhere",  # HTML error
    "/feed.atom",
    "/claims.csv",
    "/deadlines.ics",
    "/static/tracker.css",
    "/healthz",
)


def _directives(policy: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_carries_the_security_headers(
    client: FlaskClient, seeded: int, path: str
) -> None:
    response = client.get(path)
    assert response.status_code in (200, 404), path
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # BASE_URL is http here


def test_conditional_and_logged_in_answers_carry_them_too(
    client: FlaskClient,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
) -> None:
    etag = client.get("/").headers["ETag"]
    not_modified = client.get("/", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert "Content-Security-Policy" in not_modified.headers
    login(make_user("admin"))
    for path in ("/review", "/admin/users", "/account"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_https_base_url_adds_hsts(app: Flask) -> None:
    secure = create_app(
        {
            "DATABASE_URL": app.config["DATABASE_URL"],
            "SECRET_KEY": "k",
            "BASE_URL": "https://tracker.example.org",
        }
    )
    try:
        for path in ("/", "/api/v1/claims", "/nowhere"):
            response = secure.test_client().get(path)
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000", path
    finally:
        secure.extensions["tracker.engine"].dispose()


def test_private_calendar_keeps_its_stricter_referrer_policy(
    client: FlaskClient, session: Session, make_user: Callable[..., User]
) -> None:
    token = calendars.issue_token(session, make_user())
    session.commit()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


INLINE = re.compile(
    r"<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:|<script(?![^>]*type=\"application/ld\+json\")",
    re.IGNORECASE,
)


def test_templates_hold_no_inline_script_style_or_handler() -> None:
    found = [
        f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)!r}"
        for path in sorted((PROJECT_ROOT / "templates").rglob("*.html"))
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


def test_the_stylesheet_is_served_and_linked(client: FlaskClient, seeded: int) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/tracker.css">' in page
    css = client.get("/static/tracker.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert b"--accent" in css.data
