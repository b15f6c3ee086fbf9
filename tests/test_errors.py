"""Error answers of the HTML pages: ids out of range are 404 on every route that takes one, and
a fault of the server says it is the server's, and whether anything sent was saved."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from tests.conftest import csrf_token
from tracker.models import Source, User
from tracker.record import services
from tracker.web import get_session

OUT_OF_RANGE = ("99999999999999999999", "2147483648", "0", "-1")


def _id_routes(app: Flask) -> list[tuple[str, str, list[str]]]:
    """(method, rule, names of its integer segments) of every route with one."""
    routes = []
    for rule in app.url_map.iter_rules():
        names = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if names:
                routes.append((method, rule.rule, names))
    return routes


def test_every_integer_segment_out_of_range_is_404(
    app: Flask, client: FlaskClient, seeded: int, make_user: Callable[..., User], login: Callable
) -> None:
    routes = _id_routes(app)
    html = [r for r in routes if not r[1].startswith("/api/")]
    assert len(html) >= 15, html  # every admin, review, record and import route with an id
    login(make_user("admin"))
    token = csrf_token(client, "/review")
    for method, rule, names in routes:
        for value in OUT_OF_RANGE:
            path = rule
            for name in names:
                path = path.replace(f"<int:{name}>", value).replace(f"<id:{name}>", value)
            response = client.open(path, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (method, path, response.status_code)


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The app with two routes that fail as a bug would: one before saving, one after."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise

    @app.get("/fail-before-saving")
    def fail_before() -> str:
        get_session().get(User, 1)
        raise RuntimeError("a bug")

    @app.post("/fail-after-saving")
    def fail_after() -> str:
        session = get_session()
        services.record_source(session, title="Saved", text="It was saved.")
        session.commit()
        raise RuntimeError("a bug after the commit")

    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_a_server_fault_says_it_is_the_servers_and_nothing_was_saved(
    failing_app: Flask, session: Session
) -> None:
    client = failing_app.test_client()
    page = client.get("/fail-before-saving")
    assert page.status_code == 500
    html = page.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "the server's fault, not yours" in html
    assert "Nothing you sent was saved" in html
    assert "Something is wrong with this request" not in html

    saved = client.post("/fail-after-saving")
    assert saved.status_code == 500
    assert "Part of what you sent was saved" in saved.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Source)) == 1


def test_a_server_fault_in_the_api_is_json_that_says_so(failing_app: Flask) -> None:
    @failing_app.get("/api/v1/fail")
    def api_fail() -> str:
        raise RuntimeError("a bug")

    answer = failing_app.test_client().get("/api/v1/fail")
    assert answer.status_code == 500
    error = answer.get_json()["error"]
    assert error["code"] == "internal_error"
    assert "the fault is the server's" in error["message"]
    assert "nothing of it was saved" in error["message"]
