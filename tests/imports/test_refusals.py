"""What an editor would not want recorded silently: the same article twice, a deadline before
the article was published, the same claim twice. Each is refused on every surface (the import
page, the API, the command line) with a message that names what is there already."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.imports.test_editor import ARTICLE, PAGE, _accept_form, _bearer
from tracker.cli import main
from tracker.imports.sources import HttpFetcher, allow_any_address
from tracker.models import Claim, Source, User

TEXT = "Rates will fall by June. The bank cut them in 2019."


def _sources(session: Session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Source)) or 0


def test_the_same_text_twice_is_refused_with_a_link_to_it(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
    api_token: Callable[[User], str],
) -> None:
    editor = make_user("editor")
    token = api_token(editor)
    first = client.post(
        "/api/v1/sources", json={"title": "T", "text": TEXT}, headers=_bearer(token)
    )
    assert first.status_code == 201
    source_id = first.get_json()["id"]
    # From another address, or none: the text is the same, so it is the same source.
    again = client.post(
        "/api/v1/sources",
        json={"title": "Copy", "text": TEXT, "url": "https://mirror.example/x"},
        headers=_bearer(token),
    )
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert f"already archived as source {source_id}" in error["message"]
    assert error["fields"] == {"text": f"already archived as source {source_id}"}
    login(editor)
    page = client.post(
        "/sources/new",
        data={"csrf_token": csrf_token(client, "/sources/new"), "title": "T", "text": TEXT},
    )
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert f'href="/sources/{source_id}"' in html and f"Open source {source_id}" in html
    assert "new_version" not in html  # a second copy of one text is never wanted
    assert _sources(session) == 1


def test_an_address_twice_asks_whether_the_page_changed(
    app: Flask,
    client: FlaskClient,
    session: Session,
    httpserver: HTTPServer,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
    api_token: Callable[[User], str],
) -> None:
    app.extensions["tracker.fetcher"] = HttpFetcher(address_allowed=allow_any_address)
    editor = make_user("editor")
    token = api_token(editor)
    url = httpserver.url_for("/story")
    httpserver.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    assert client.post("/api/v1/sources", json={"url": url}, headers=_bearer(token)).status_code
    login(editor)
    form = {"csrf_token": csrf_token(client, "/sources/new"), "url": url}
    page = client.post("/sources/new", data=form)
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert "already archived as source 1" in html and 'name="new_version"' in html
    assert len(httpserver.log) == 1  # refused before fetching it again
    # The page changed since: with the box ticked, this version is archived beside the first.
    httpserver.clear()
    changed = PAGE.replace("probably approve", "surely approve")
    httpserver.expect_request("/story").respond_with_data(changed, content_type="text/html")
    done = client.post("/sources/new", data={**form, "new_version": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)
    # Changed again: without new_version the API refuses the address (after fetching it).
    httpserver.clear()
    again = PAGE.replace("probably approve", "never approve")
    httpserver.expect_request("/story").respond_with_data(again, content_type="text/html")
    api = client.post("/api/v1/sources", json={"url": url}, headers=_bearer(token))
    assert api.status_code == 409
    assert api.get_json()["error"]["fields"] == {"url": "already archived as source 1"}
    assert "archive it again as a new version" in api.get_json()["error"]["message"]
    # Even as a new version, a text archived before is refused: nothing new to keep.
    httpserver.clear()
    httpserver.expect_request("/story").respond_with_data(changed, content_type="text/html")
    unchanged = client.post(
        "/api/v1/sources", json={"url": url, "new_version": True}, headers=_bearer(token)
    )
    assert unchanged.status_code == 409
    assert unchanged.get_json()["error"]["fields"] == {"text": "already archived as source 2"}
    assert _sources(session) == 2


def test_the_same_file_imported_twice_names_the_source(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    page = tmp_path / "article.txt"
    page.write_text(TEXT, encoding="utf-8")
    assert runner.invoke(main, ["import", str(page)]).exit_code == 0
    again = runner.invoke(main, ["import", str(page)])
    assert again.exit_code == 1
    assert "this text is already archived as source 1: http://tracker.test/sources/1" in (
        again.output
    )
    with_url = ["import", str(page), "--url", "https://ledger.example/a"]
    other = tmp_path / "other.txt"
    other.write_text("Another text entirely, which will say little.", encoding="utf-8")
    assert (
        runner.invoke(main, ["import", str(other), "--url", "https://ledger.example/a"]).exit_code
        == 0
    )
    same_address = runner.invoke(main, with_url)
    assert same_address.exit_code == 1
    assert "https://ledger.example/a is already archived as source 2" in same_address.output
    assert "--new-version" in same_address.output
    assert _sources(session) == 2


def test_an_empty_file_is_called_empty_not_pasted(runner: FlaskCliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["import", str(empty)])
    assert result.exit_code == 1
    assert "the file is empty" in result.output and "paste" not in result.output
    untitled = tmp_path / "untitled.html"
    untitled.write_text("<html><body><article><p>" + TEXT * 3 + "</p></article></body></html>")
    result = runner.invoke(main, ["import", str(untitled)])
    assert result.exit_code == 1 and "(with --title)" in result.output


def test_a_deadline_before_the_publication_is_refused_on_every_form(
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
    api_token: Callable[[User], str],
) -> None:
    editor = make_user("editor")
    # The seed article was published on 2020-01-03.
    api = client.post(
        f"/api/v1/sources/{seeded}/claims",
        json={
            "kind": "forecast",
            "quote": "it will unleash Iranian retaliation",
            "question": "Did Iran retaliate by the end of 2019?",
            "deadline": "2019-12-31T23:59:59Z",
        },
        headers=_bearer(api_token(editor)),
    )
    assert api.status_code == 422
    assert "not after the source's publication" in api.get_json()["error"]["message"]
    assert "deadline" in api.get_json()["error"]["fields"]
    login(editor)
    token = csrf_token(client, "/sources/new")
    client.post(
        "/sources/new",
        data={"csrf_token": token, "text": ARTICLE, "title": "T", "published": "2025-03-10"},
    )
    source = session.scalars(select(Source).where(Source.id != seeded)).one()
    path = f"/sources/{source.id}/candidates"
    page = client.get(path).get_data(as_text=True)
    first_forecast = int(re.findall(r"<legend>(\d+)\. forecast", page)[0]) - 1
    form = _accept_form(
        page, {first_forecast: {"deadline": "2024-12-31"}}, csrf_token(client, path)
    )
    accepted = client.post(path, data=form)
    assert accepted.status_code == 422
    assert "is not after the source&#39;s publication" in accepted.get_data(as_text=True)
    # Editing a recorded claim's deadline to before the publication is refused the same way.
    claim = session.scalars(select(Claim).where(Claim.kind == "forecast")).first()
    assert claim is not None
    edit = client.post(
        f"/claims/{claim.id}/edit",
        data={
            "csrf_token": csrf_token(client, f"/claims/{claim.id}/resolve"),
            "deadline": "2019-06-30",
            "reason": "typo",
        },
    )
    assert edit.status_code == 422
    assert "is not after the source&#39;s publication" in edit.get_data(as_text=True)


def test_the_same_claim_twice_is_409_naming_it(
    client: FlaskClient, seeded: int, make_user: Callable[..., User], api_token: Callable
) -> None:
    headers = _bearer(api_token(make_user("editor")))
    body = {
        "kind": "fact",
        "quote": "The U.S. killing of Qassim Soleimani",
        "question": "Did the U.S. kill Soleimani?",
    }
    first = client.post(f"/api/v1/sources/{seeded}/claims", json=body, headers=headers)
    assert first.status_code == 201
    again = client.post(f"/api/v1/sources/{seeded}/claims", json=body, headers=headers)
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert re.search(rf"as claim {first.get_json()['id']} \(", error["message"])
    other_question = {**body, "question": "Was it in Baghdad?"}
    assert (
        client.post(f"/api/v1/sources/{seeded}/claims", json=other_question, headers=headers)
    ).status_code == 201
