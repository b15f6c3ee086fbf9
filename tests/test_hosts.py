"""The Host header cannot move links: every absolute link in what is cached or sent out (the
feed, pages and API answers kept under their ETag, CSV, calendars, the API document, invitation
links) is built from TRACKER_BASE_URL, whatever Host a request names. With
TRACKER_TRUSTED_HOSTS set, other hosts are refused outright."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.scorecard.scorecard_data import Forecast, record, resolve
from tracker.app import create_app
from tracker.models import User

BASE = "http://tracker.test"
HOSTILE = "http://evil.example/"
# Everything public whose body carries absolute links, and is cached or meant to be shared.
CACHED = (
    "/feed.atom",
    "/",
    "/speakers/ann-author",
    "/scorecard.csv",
    "/claims.csv",
    "/deadlines.ics",
    "/api",
    "/api/v1/openapi.json",
    "/api/v1/claims?limit=1",
    "/api/v1/sources?limit=1",
    "/api/v1/scorecard",
)


@pytest.fixture
def resolved(session: Session) -> None:
    (fact, *_) = record(
        session,
        [
            Forecast(0.9, None, kind="fact"),
            Forecast(0.8, "true"),
            Forecast(0.3, "false"),
            Forecast(0.6, None),
        ],
    )
    resolve(session, fact, None, verdict="false")
    session.commit()


@pytest.mark.parametrize("path", CACHED)
def test_hostile_host_headers_cannot_poison_what_later_readers_get(
    client: FlaskClient, resolved: None, path: str
) -> None:
    for _ in range(6):
        hostile = client.get(path, base_url=HOSTILE)
        assert hostile.status_code == 200, hostile.get_data(as_text=True)
        assert b"evil.example" not in hostile.data, path
    later = client.get(path)
    assert later.status_code == 200
    assert b"evil.example" not in later.data
    assert b"localhost" not in later.data, "links come from the request, not TRACKER_BASE_URL"


def test_feed_links_are_the_public_address(client: FlaskClient, resolved: None) -> None:
    client.get("/feed.atom", base_url=HOSTILE)
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert f'href="{BASE}/feed.atom"' in feed and f"<id>{BASE}/claims/" in feed
    claim_page = client.get("/claims/1", base_url=HOSTILE).get_data(as_text=True)
    assert f'"url": "{BASE}/claims/1"' in claim_page  # the ClaimReview for fact checkers


def test_api_next_links_and_invitations_use_the_public_address(
    client: FlaskClient,
    resolved: None,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
) -> None:
    page = client.get("/api/v1/claims?limit=2", base_url=HOSTILE).get_json()
    assert page["next"].startswith(f"{BASE}/api/v1/claims?")
    assert page["data"][0]["html_url"] == f"{BASE}/claims/{page['data'][0]['id']}"
    login(make_user("admin"))
    token = csrf_token(client, "/admin/users")
    cookie = client.get_cookie("session")
    assert cookie is not None
    # The admin's own browser, sent to a hostile Host (its cookie goes along by hand).
    hostile = client.application.test_client(use_cookies=False)
    invited = hostile.post(
        "/admin/users",
        data={"email": "new@newsroom.test", "role": "reviewer", "csrf_token": token},
        headers={"Cookie": f"session={cookie.value}"},
        base_url=HOSTILE,
    ).get_data(as_text=True)
    link = invited.split("<code>")[1].split("</code>")[0]
    assert link.startswith(f"{BASE}/invite/")


def test_a_base_url_with_a_path_prefixes_every_link(app: Flask, client: FlaskClient) -> None:
    app.config["BASE_URL"] = "https://example.org/tracker/"
    with app.test_request_context("/", base_url=HOSTILE):
        from flask import url_for

        assert url_for("scorecard.feed", _external=True) == "https://example.org/tracker/feed.atom"
        assert url_for("record.claim_page", claim_id=3, _anchor="r 1", _external=True) == (
            "https://example.org/tracker/claims/3#r%201"
        )
        assert url_for("scorecard.feed") == "/feed.atom"  # relative links stay relative
    with app.app_context():  # the command line: no request at all
        assert app.url_for("scorecard.index") == "https://example.org/tracker/"


@pytest.mark.parametrize("bad", ["tracker.example.org", "ftp://x.org", "https://x.org/?a=1"])
def test_a_base_url_that_is_no_public_address_is_refused_at_start(
    database_url: str, bad: str
) -> None:
    with pytest.raises(ValueError, match="TRACKER_BASE_URL"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "k", "BASE_URL": bad})


def test_with_trusted_hosts_other_hosts_are_refused(
    app: Flask, client: FlaskClient, resolved: None
) -> None:
    trusting = create_app(
        {
            **{key: app.config[key] for key in ("DATABASE_URL", "SECRET_KEY", "BASE_URL")},
            "TRUSTED_HOSTS": "tracker.test, www.tracker.test",
        }
    )
    try:
        trusted = trusting.test_client()
        assert trusted.get("/feed.atom", base_url="http://tracker.test/").status_code == 200
        assert trusted.get("/", base_url="http://www.tracker.test/").status_code == 200
        page = trusted.get("/feed.atom", base_url=HOSTILE)
        assert page.status_code == 400
        assert b"is not trusted" in page.data
        api = trusted.get("/api/v1/claims", base_url=HOSTILE)
        assert api.status_code == 400
        assert api.get_json()["error"]["code"] == "bad_request"
    finally:
        trusting.extensions["tracker.engine"].dispose()
