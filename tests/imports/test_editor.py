"""Editors importing articles: POST /api/v1/sources (with text, or fetching the url) and the
import page where proposed claims are accepted, edited or rejected."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tracker.imports.sources import HttpFetcher, allow_any_address
from tracker.models import Claim, Source, User

DATA = Path(__file__).parent / "data"
ARTICLE = (DATA / "reservoir-article.txt").read_text(encoding="utf-8")
PAGE = (
    "<html><head><title>Harbor City | Ledger</title>"
    '<meta property="og:title" content="Harbor City\'s reservoir gamble">'
    '<meta property="og:site_name" content="The Valley Ledger">'
    '<meta property="article:published_time" content="2025-03-10T12:00:00Z">'
    "</head><body><article>"
    + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")[1:])
    + "</article></body></html>"
)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_post_sources_with_text(
    client: FlaskClient, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> None:
    token = api_token(make_user("editor"))
    response = client.post(
        "/api/v1/sources",
        json={"title": "Harbor City", "text": ARTICLE, "published_at": "2025-03-10T12:00:00Z"},
        headers=_bearer(token),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["raw_sha256"] is None and body["raw_url"] is None and body["text"] == ARTICLE
    assert client.get(f"/api/v1/sources/{body['id']}/raw").status_code == 404
    candidates = client.get(f"/api/v1/sources/{body['id']}/candidates").get_json()["data"]
    assert sum(1 for c in candidates if c["kind"] == "forecast") == 12


def test_post_sources_without_text_fetches_the_url(
    app: Flask,
    client: FlaskClient,
    httpserver: HTTPServer,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    token = api_token(make_user("editor"))
    httpserver.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/story")
    refused = client.post("/api/v1/sources", json={"url": url}, headers=_bearer(token))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "fetch_refused"
    app.extensions["tracker.fetcher"] = HttpFetcher(address_allowed=allow_any_address)
    response = client.post("/api/v1/sources", json={"url": url}, headers=_bearer(token))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Harbor City's reservoir gamble"
    assert body["outlet"] == "The Valley Ledger"
    assert body["published_at"] == "2025-03-10T12:00:00Z"
    assert body["raw_sha256"] == hashlib.sha256(PAGE.encode()).hexdigest()
    assert "Regulators will probably approve the river pipeline by 2027." in body["text"]
    raw = client.get(body["raw_url"])
    assert raw.status_code == 200 and raw.data == PAGE.encode()
    assert raw.headers["X-Archived-SHA256"] == body["raw_sha256"]
    assert raw.headers["Content-Type"] == "application/octet-stream"
    assert raw.headers["Content-Disposition"].startswith("attachment")


def test_post_sources_needs_an_editor_token(
    client: FlaskClient, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> None:
    body = {"title": "t", "text": "Prices will rise."}
    assert client.post("/api/v1/sources", json=body).status_code == 401
    reviewer = api_token(make_user("reviewer"))
    assert client.post("/api/v1/sources", json=body, headers=_bearer(reviewer)).status_code == 403
    editor = api_token(make_user("editor"))
    missing = client.post("/api/v1/sources", json={"title": "t"}, headers=_bearer(editor))
    assert missing.status_code == 422 and "url" in missing.get_json()["error"]["fields"]


def test_the_import_page_needs_an_editor(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[[User], FlaskClient]
) -> None:
    assert client.get("/sources/new").status_code == 302
    login(make_user("reviewer"))
    assert client.get("/sources/new").status_code == 403


def _accept_form(page: str, indices: dict[int, dict[str, str]], token: str) -> dict[str, str]:
    """The candidates form as a browser would send it, with some candidates accepted."""
    data: dict[str, str] = {"csrf_token": token}
    for name, value in re.findall(
        r'<input type="hidden" name="(c-\d+-[a-z_]+)" value="([^"]*)"', page
    ):
        data[name] = value
    for name, value in re.findall(r'name="(c-\d+-[a-z_]+)" value="([^"]*)"', page):
        if 'type="radio"' in name:
            continue
        data.setdefault(name, value)
    for name, body in re.findall(
        r'<textarea id="[^"]+" name="(c-\d+-[a-z_]+)"[^>]*>([^<]*)</textarea>', page
    ):
        data[name] = body.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
    for name, option in re.findall(
        r'<select id="[^"]+" name="(c-\d+-[a-z_]+)">.*?<option value="([^"]+)" selected', page, re.S
    ):
        data[name] = option
    for name in list(data):
        if name.endswith("-decision") or name.endswith("-negated"):
            del data[name]
    for index, fields in indices.items():
        data[f"c-{index}-decision"] = "accept"
        for field, value in fields.items():
            data[f"c-{index}-{field}"] = value
    return data


def test_paste_text_then_accept_edit_and_reject(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    editor = make_user("editor")
    for _ in range(2):
        make_user("reviewer")
    login(editor)
    token = csrf_token(client, "/sources/new")
    response = client.post(
        "/sources/new",
        data={
            "csrf_token": token,
            "text": ARTICLE.replace("\n", "\r\n"),
            "title": "Harbor City's reservoir gamble",
            "outlet": "The Valley Ledger",
            "published": "2025-03-10",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    source = session.scalars(select(Source)).one()
    assert source.text == ARTICLE  # CRLF from the browser stored as plain newlines
    assert response.headers["Location"].endswith(f"/sources/{source.id}/candidates")
    page = client.get(f"/sources/{source.id}/candidates").get_data(as_text=True)
    assert '<mark class="forecast"><a href="#candidate-' in page
    assert "Regulators will probably approve the river pipeline by 2027." in page
    quotes = re.findall(r'name="(c-\d+)-quote" rows="3">([^<]*)</textarea>', page)
    index = {quote.replace("&#39;", "'"): int(name[2:]) for name, quote in quotes}
    pipeline = index["Regulators will probably approve the river pipeline by 2027."]
    rationing = index[
        "If the spring rains fail again, the utility will impose mandatory rationing within six"
        " months."
    ]
    fell = index[
        "Last summer the Linden Reservoir fell to 41 percent of capacity, its lowest level since"
        " 1977."
    ]
    form = _accept_form(
        page,
        {
            pipeline: {
                "question": "Will regulators approve the river pipeline by the end of 2027?"
            },
            rationing: {
                "quote": "the utility will impose mandatory rationing",
                "tags": "water",
                "speaker": "Harbor City Water Utility",
                "speaker_kind": "organization",
            },
            fell: {},
        },
        csrf_token(client, f"/sources/{source.id}/candidates"),
    )
    saved = client.post(f"/sources/{source.id}/candidates", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    session.rollback()  # end the test's read transaction to see what the app committed
    claims = {c.quote: c for c in session.scalars(select(Claim)).all()}
    assert len(claims) == 3
    claim = claims["Regulators will probably approve the river pipeline by 2027."]
    assert claim.probability == 0.70 and claim.phrase == "will probably"
    assert claim.deadline_origin == "explicit" and claim.deadline_at is not None
    assert claim.deadline_at.isoformat() == "2027-12-31T23:59:59+00:00"
    assert claim.recorded_by_id == editor.id and len(claim.assignments) == 2
    edited = claims["the utility will impose mandatory rationing"]
    assert edited.condition == "the spring rains fail again" and edited.tag_names == ["water"]
    # The editor named whose forecast it is; the others are the outlet's (the byline is empty).
    assert edited.speaker is not None and claim.speaker is not None
    assert (edited.speaker.name, edited.speaker.kind) == (
        "Harbor City Water Utility",
        "organization",
    )
    assert (claim.speaker.name, claim.speaker.kind) == ("The Valley Ledger", "organization")
    assert ARTICLE[edited.quote_start : edited.quote_end] == edited.quote
    facts = [c for c in claims.values() if c.kind == "fact"]
    assert [c.quote[:30] for c in facts] == ["Last summer the Linden Reservo"]
    again = client.get(f"/sources/{source.id}/candidates").get_data(as_text=True)
    assert again.count("Already recorded as") == 3  # the shortened quote still marks its sentence


def test_a_bad_candidate_saves_nothing_and_keeps_the_form(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    login(make_user("editor"))
    token = csrf_token(client, "/sources/new")
    client.post(
        "/sources/new",
        data={"csrf_token": token, "text": ARTICLE, "title": "T", "published": "2025-03-10"},
    )
    source = session.scalars(select(Source)).one()
    page = client.get(f"/sources/{source.id}/candidates").get_data(as_text=True)
    form = _accept_form(
        page,
        {0: {"question": "Kept question"}, 7: {"quote": "words the article never used"}},
        csrf_token(client, f"/sources/{source.id}/candidates"),
    )
    response = client.post(f"/sources/{source.id}/candidates", data=form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Candidate 8" in body and "does not occur in the source" in body
    assert 'value="Kept question"' in body
    session.rollback()
    assert session.scalars(select(Claim)).all() == []
    nothing = client.post(
        f"/sources/{source.id}/candidates",
        data={"csrf_token": csrf_token(client, f"/sources/{source.id}/candidates")},
    )
    assert nothing.status_code == 422


def test_an_import_that_fails_keeps_what_was_typed(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[[User], FlaskClient]
) -> None:
    login(make_user("editor"))
    response = client.post(
        "/sources/new",
        data={
            "csrf_token": csrf_token(client, "/sources/new"),
            "url": "http://127.0.0.1:9/internal",
            "title": "Typed title",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "not a public address" in body and 'value="Typed title"' in body
