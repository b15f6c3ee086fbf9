"""The API's contract: the generated OpenAPI document, errors for every kind of bad request,
ETags, the /api page, and schemathesis fuzzing against the app's own document."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from pydantic import Field
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import examples
from tracker.accounts.auth import csrf
from tracker.api import openapi
from tracker.api.schemas import Answer, Body
from tracker.models import Claim, Resolution, User

READ_PATHS = {
    "/api/v1/claims",
    "/api/v1/claims/{claim_id}",
    "/api/v1/sources",
    "/api/v1/sources/{source_id}",
}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    error: dict[str, Any] = body["error"]
    assert error["message"] and isinstance(error["fields"], dict)
    return error


def test_openapi_document_is_generated_from_the_routes(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    validate(doc)  # a valid OpenAPI 3.1 document
    assert set(doc["paths"]) >= READ_PATHS
    claims = doc["paths"]["/api/v1/claims"]["get"]
    names = {p["name"] for p in claims["parameters"]}
    assert {"limit", "cursor", "status", "kind", "source_id", "author", "tag", "key"} <= names
    limit = next(p for p in claims["parameters"] if p["name"] == "limit")
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
    assert set(claims["responses"]) >= {"200", "304", "400", "422"}
    page = claims["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/ClaimPage"}
    schemas = doc["components"]["schemas"]
    assert {"ClaimOut", "ResolutionOut", "EvidenceOut", "ErrorAnswer"} <= set(schemas)
    assert schemas["ClaimOut"]["properties"]["deadline"]["anyOf"][0]["format"] == "date-time"
    one = doc["paths"]["/api/v1/claims/{claim_id}"]["get"]
    assert "404" in one["responses"] and one["parameters"][0]["in"] == "path"
    # Every documented route exists in the app, and every JSON route is documented.
    app_rules = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api_docs.openapi_json"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(path, m.upper()) for path, ms in doc["paths"].items() for m in ms}
    assert app_rules == documented


def test_api_page_is_rendered_from_the_document(client: FlaskClient) -> None:
    response = client.get("/api")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for path in READ_PATHS:
        assert path in page
    assert "curl -sS -X POST" in page and "import requests" in page
    assert "/resolutions" in page and "/claims" in page and "Idempotency-Key" in page
    assert "ClaimOut" in page and "one of open, due, disputed, resolved, void" in page
    # The document's descriptions are Markdown: code spans are shown as code, never as
    # backticks, and everything else is escaped.
    assert "`" not in page
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in page
    assert "<code>due</code>: deadline passed, not resolved." in page
    assert "<p>Needs the token of an editor or above.</p>" in page
    assert "<p>Needs the token of a reviewer or above.</p>" in page


def test_api_page_escapes_what_the_descriptions_hold(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openapi, "REGISTRY", list(openapi.REGISTRY))
    bp = Blueprint("markup_probe", __name__, url_prefix="/api/v1")

    @openapi.route(bp, "GET", "/markup-probe", answers={200: None})
    def markup_probe() -> dict[str, Any]:
        """Read `<b>x</b>` <script>alert(1)</script>

        First `a & b`.

        Second <img src=x onerror=alert(1)>."""
        return {}

    app.register_blueprint(bp)
    page = app.test_client().get("/api").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "<code>&lt;b&gt;x&lt;/b&gt;</code> &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<p>First <code>a &amp; b</code>.</p>" in page
    assert "<p>Second &lt;img src=x onerror=alert(1)&gt;.</p>" in page


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("?limit=-1", 422, "limit"),
        ("?limit=99999999999999999999999", 422, "limit"),
        ("?limit=1.5", 400, "limit"),
        ("?limit=", 200, None),
        ("?cursor=LTE", 400, "cursor"),
        ("?cursor=OTk5OTk5OTk5OTk5OTk5OTk5OTk5", 400, "cursor"),
        ("?source_id=-5", 422, "source_id"),
        ("?source_id=99999999999", 422, "source_id"),
        ("?tag=" + "x" * 101, 422, "tag"),
        ("?status=", 200, None),
        ("?unknown=1", 400, "unknown"),
        ("?stauts=due", 400, "stauts"),
        ("?status=due&status=open", 400, "status"),
        ("?limit=1&limit=2", 400, "limit"),
    ],
)
def test_paging_and_filter_values(
    client: FlaskClient, query: str, status: int, field: str | None
) -> None:
    response = client.get("/api/v1/claims" + query)
    if field is None:
        assert response.status_code == status
    else:
        assert field in _error(response, status)["fields"]


def test_every_route_refuses_query_parameters_it_does_not_take(
    client: FlaskClient, make_user: MakeUser, api_token: Callable[[User], str], seeded: int
) -> None:
    """A misspelt filter must not answer as if it had been applied: every API route (the
    document's too) answers 400 naming the parameter and what the route takes."""
    headers = {"Authorization": f"Bearer {api_token(make_user('admin'))}"}
    for op in openapi.REGISTRY:
        path = re.sub(r"\{\w+\}", "1", op.path)
        response = client.open(path + "?colour=red", method=op.method, json={}, headers=headers)
        error = _error(response, 400)
        assert error["fields"] == {"colour": "unknown parameter"}, (path, error)
        takes = openapi.query_names(op.query)
        assert error["message"].endswith(", ".join(takes) or "no query parameters"), error
        documented = client.get("/api/v1/openapi.json").get_json()["paths"][op.path]
        assert "400" in documented[op.method.lower()]["responses"], op.path
    assert _error(client.get("/api/v1/openapi.json?v=2"), 400)["fields"] == {
        "v": "unknown parameter"
    }
    # The scorecard's dates are spelt `from` and `to`, and only so.
    assert client.get("/api/v1/scorecard?from=2020-01-01&to=2021-12-31").status_code == 200
    wrong = _error(client.get("/api/v1/scorecard?date_from=2020-01-01"), 400)
    assert wrong["fields"] == {"date_from": "unknown parameter"} and "from, to" in wrong["message"]


def test_path_ids_out_of_range_are_404(client: FlaskClient) -> None:
    for path in ("/api/v1/claims/0", "/api/v1/claims/99999999999", "/api/v1/sources/-1"):
        assert _error(client.get(path), 404)["code"] == "not_found"


def test_wrong_method_is_json_405_with_allow(client: FlaskClient, seeded: int) -> None:
    response = client.delete("/api/v1/claims/1")
    assert _error(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_etag_and_304(client: FlaskClient, session: Session, seeded: int) -> None:
    first = client.get("/api/v1/claims?limit=3")
    for item in first.get_json()["data"]:
        assert item["html_url"] == f"http://tracker.test/claims/{item['id']}"
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "no-cache"
    again = client.get("/api/v1/claims?limit=3", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    other = client.get("/api/v1/claims?limit=4", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag
    from tracker.models import Claim

    claim = session.get(Claim, first.get_json()["data"][0]["id"])
    assert claim is not None
    claim.question = "A sharper question?"
    session.commit()
    changed = client.get("/api/v1/claims?limit=3", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    source = client.get(f"/api/v1/sources/{seeded}")
    assert (
        client.get(
            f"/api/v1/sources/{seeded}", headers={"If-None-Match": source.headers["ETag"]}
        ).status_code
        == 304
    )
    assert (
        _error(client.get("/api/v1/claims/4040"), 404)
        and "ETag" not in client.get("/api/v1/claims/4040").headers
    )


class Probe(Body):
    """A body for testing the plumbing every write endpoint shares."""

    name: str = Field(min_length=1, max_length=50)
    probability: float = Field(gt=0, lt=1)
    tags: list[str] = Field(default_factory=list)


class ProbeOut(Answer):
    name: str


@pytest.fixture
def probe_client(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[FlaskClient]:
    """The app with one more JSON write route, made with the same decorator as the real ones."""
    monkeypatch.setattr(openapi, "REGISTRY", list(openapi.REGISTRY))
    bp = Blueprint("probe", __name__, url_prefix="/api/v1")
    csrf.exempt(bp)

    @openapi.route(bp, "POST", "/probes", body=Probe, answers={201: ProbeOut})
    def create_probe(body: Probe) -> tuple[dict[str, Any], int]:
        """Create a probe."""
        return {"name": body.name}, 201

    app.register_blueprint(bp)
    yield app.test_client()


def test_body_errors(probe_client: FlaskClient) -> None:
    url = "/api/v1/probes"
    ok = probe_client.post(url, json={"name": "a", "probability": 0.5})
    assert ok.status_code == 201 and ok.get_json() == {"name": "a"}

    def post(data: bytes | str, content_type: str | None = "application/json") -> Any:
        headers = {"Content-Type": content_type} if content_type else {}
        return probe_client.post(url, data=data, headers=headers)

    assert "body" in _error(post('{"name": "a", '), 400)["fields"]
    assert "body" in _error(post(b"\xff\xfe{}"), 400)["fields"]
    assert "content-type" in _error(post('{"name": "a"}', "text/plain"), 400)["fields"]
    assert (
        "content-type" in _error(post("name=a", "application/x-www-form-urlencoded"), 400)["fields"]
    )
    assert "content-type" in _error(post('{"name": "a"}', None), 400)["fields"]
    assert "body" in _error(post("[1, 2]"), 422)["fields"]
    unknown = _error(post('{"name": "a", "probability": 0.5, "colour": "red"}'), 422)
    assert unknown["code"] == "invalid" and "colour" in unknown["fields"]
    wrong = _error(post('{"name": 5, "probability": "high", "tags": "x"}'), 422)["fields"]
    assert {"name", "probability", "tags"} <= set(wrong)
    assert "probability" in _error(post('{"name": "a", "probability": 1.5}'), 422)["fields"]
    assert "name" in _error(post('{"probability": 0.5}'), 422)["fields"]
    huge = post(b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}')
    error = _error(huge, 413)
    assert error["code"] == "too_large" and "5,242,880 bytes" in error["message"]
    # The document now has the route, with its body model and error answers.
    doc = probe_client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/probes"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("Probe")
    assert {"201", "400", "413", "422"} <= set(op["responses"])
    # Idempotency-Key belongs to the token-authenticated writes only.
    assert not any(p["name"] == "Idempotency-Key" for p in op["parameters"])
    write = doc["paths"]["/api/v1/sources/{source_id}/claims"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in write["parameters"])
    assert write["security"] == [{"bearer": []}] and {"401", "403", "429"} <= set(
        write["responses"]
    )
    assert doc["components"]["schemas"]["Probe"]["additionalProperties"] is False


# About 10 generated requests per operation and database (40 under `make thorough`), bounded
# so the suite stays quick; the derandomized seed keeps runs repeatable. Writes are sent with
# an admin's token, so they reach the services rather than stopping at 401.
EXAMPLES_PER_OPERATION = examples(40)


def test_schemathesis_finds_no_5xx_and_every_answer_matches(
    app: Flask, seeded: int, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> None:
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    token = api_token(make_user("admin"))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        negative_data_rejection,
    ]
    tested = calls = 0
    statuses: set[int] = set()
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            sent = {"Authorization": f"Bearer {token}"} if case.method in ("POST", "PUT") else None
            statuses.add(case.call_and_validate(checks=checks, headers=sent).status_code)

        run()
        tested += 1
    assert tested >= len(READ_PATHS) + 3
    # The fuzzing reached both the answers and the errors. Whether a generated POST happens to
    # be valid (201) depends on Hypothesis' derandomized draws, so created answers are checked
    # against their schema by the write tests instead (API_CHECK_ANSWERS in conftest).
    assert calls >= tested * EXAMPLES_PER_OPERATION // 2
    assert {200, 404, 422} <= statuses and 400 in statuses


MakeUser = Callable[..., User]


@pytest.fixture
def editor_headers(make_user: MakeUser, api_token: Callable[[User], str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(make_user('editor'))}"}


def _source(client: FlaskClient, headers: dict[str, str]) -> int:
    response = client.post(
        "/api/v1/sources",
        json={"title": "Forecasts", "text": "It will rain in Paris tomorrow. Prices rose."},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    source_id: int = response.get_json()["id"]
    return source_id


def test_write_endpoints_refuse_bad_bodies(
    client: FlaskClient, editor_headers: dict[str, str]
) -> None:
    url = "/api/v1/sources"
    # No token: 401 before the body is even looked at.
    assert _error(client.post(url, data="{", content_type="application/json"), 401)
    h = editor_headers
    assert (
        "body"
        in _error(
            client.post(url, data='{"title":', headers=h, content_type="application/json"), 400
        )["fields"]
    )
    assert _error(
        client.post(
            url, data="title=T", headers=h, content_type="application/x-www-form-urlencoded"
        ),
        400,
    )
    big = client.post(url, json={"title": "T", "text": "x" * (10 * 1024 * 1024)}, headers=h)
    assert _error(big, 413)["code"] == "too_large"
    unknown = client.post(url, json={"title": "T", "text": "x y", "colour": "red"}, headers=h)
    assert "colour" in _error(unknown, 422)["fields"]
    wrong = client.post(url, json={"title": 5, "text": ["x"], "published_at": "soon"}, headers=h)
    assert {"title", "text", "published_at"} <= set(_error(wrong, 422)["fields"])
    source_id = _source(client, h)
    claims = f"/api/v1/sources/{source_id}/claims"
    missing = client.post(claims, json={"kind": "fact", "quote": "It will snow"}, headers=h)
    assert _error(missing, 422)["code"] == "invalid"
    nowhere = client.post(
        "/api/v1/sources/99999/claims", json={"kind": "fact", "quote": "x"}, headers=h
    )
    assert _error(nowhere, 404)


@pytest.mark.parametrize("levels", [65, 1_000, 100_000])
def test_json_nested_too_deep_is_refused_before_it_is_parsed(
    client: FlaskClient, make_user: MakeUser, api_token: Callable[[User], str], levels: int
) -> None:
    """Every route that reads JSON answers 400 with a clear message, never 500: a thousand
    levels used to exhaust the parser's recursion."""
    headers = {"Authorization": f"Bearer {api_token(make_user('admin'))}"}
    routes = [op for op in openapi.REGISTRY if op.body is not None]
    assert len(routes) >= 3
    for op in routes:
        path = re.sub(r"\{\w+\}", "1", op.path)
        for body in ("[" * levels + "]" * levels, '{"title": ' + "[" * levels + "]" * levels + "}"):
            response = client.open(
                path, method=op.method, data=body, content_type="application/json", headers=headers
            )
            error = _error(response, 400)
            assert error["fields"] == {"body": "nested too deep"}, (path, error)
            assert error["message"] == (
                "the JSON body nests deeper than 64 levels of arrays and objects"
            )


def test_json_nested_64_levels_is_read(client: FlaskClient, editor_headers: dict[str, str]) -> None:
    nested = "[" * 63 + "]" * 63
    response = client.post(
        "/api/v1/sources",
        data='{"title": "T", "text": ' + nested + "}",
        content_type="application/json",
        headers=editor_headers,
    )
    assert _error(response, 422)["fields"].keys() == {"text"}  # parsed, then judged


def test_idempotency_key_replays_the_first_answer(
    client: FlaskClient,
    session: Session,
    editor_headers: dict[str, str],
    make_user: MakeUser,
    api_token: Callable[[User], str],
) -> None:
    source_id = _source(client, editor_headers)
    url = f"/api/v1/sources/{source_id}/claims"
    body = {"kind": "fact", "quote": "Prices rose", "key": "prices"}
    headers = {**editor_headers, "Idempotency-Key": "3b0c1d7e-retry-1"}
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post(url, json=dict(reversed(body.items())), headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Claim)) == 1
    session.rollback()  # end the read, so this session can write (make_user) later
    other = client.post(url, json={**body, "key": "other"}, headers=headers)
    assert "Idempotency-Key" in _error(other, 409)["fields"]
    # Without a key, a second identical request is a real second request (and a conflict).
    assert client.post(url, json=body, headers=editor_headers).status_code == 409
    # A failed request does not use up its key: the corrected retry goes through.
    retry = {**editor_headers, "Idempotency-Key": "fix-and-retry"}
    bad = {"kind": "fact", "quote": "It will snow"}
    assert client.post(url, json=bad, headers=retry).status_code == 422
    fixed = client.post(url, json={"kind": "fact", "quote": "It will rain"}, headers=retry)
    assert fixed.status_code == 201
    # Keys belong to one user: another editor may use the same string.
    colleague = {"Authorization": f"Bearer {api_token(make_user('editor'))}"}
    mine = client.post(
        url,
        json={"kind": "fact", "quote": "in Paris"},
        headers={**colleague, "Idempotency-Key": "3b0c1d7e-retry-1"},
    )
    assert mine.status_code == 201
    long_key = {**editor_headers, "Idempotency-Key": "k" * 201}
    assert "Idempotency-Key" in _error(client.post(url, json=body, headers=long_key), 422)["fields"]
    assert session.scalar(select(func.count()).select_from(Claim)) == 3


def test_resolutions_are_idempotent_too(
    client: FlaskClient,
    session: Session,
    editor_headers: dict[str, str],
    make_user: MakeUser,
    api_token: Callable[[User], str],
) -> None:
    source_id = _source(client, editor_headers)
    claim = client.post(
        f"/api/v1/sources/{source_id}/claims",
        json={"kind": "fact", "quote": "Prices rose"},
        headers=editor_headers,
    )
    reviewer = {
        "Authorization": f"Bearer {api_token(make_user('reviewer'))}",
        "Idempotency-Key": "resolve-1",
    }
    url = f"/api/v1/claims/{claim.get_json()['id']}/resolutions"
    body = {
        "verdict": "true",
        "rationale": "The statistics office says so.",
        "evidence": [{"url": "https://stats.example.org/cpi", "stance": "supports"}],
    }
    first = client.post(url, json=body, headers=reviewer)
    assert first.status_code == 201, first.get_json()
    assert client.post(url, json=body, headers=reviewer).get_json() == first.get_json()
    assert session.scalar(select(func.count()).select_from(Resolution)) == 1
    # The list (read as plain rows) and the single claim (ORM) answer the same.
    listed = client.get("/api/v1/claims").get_json()["data"]
    one = client.get(f"/api/v1/claims/{claim.get_json()['id']}").get_json()
    assert listed == [one] and one["resolutions"][0]["evidence"][0]["stance"] == "supports"


def test_writes_are_rate_limited_per_token(
    app: Flask,
    client: FlaskClient,
    editor_headers: dict[str, str],
    make_user: MakeUser,
    api_token: Callable[[User], str],
) -> None:
    app.config["API_RATE_LIMIT"] = "3 per minute"
    answers = [
        client.post(
            "/api/v1/sources", json={"title": "T", "text": f"Text {i}."}, headers=editor_headers
        ).status_code
        for i in range(4)
    ]
    assert answers == [201, 201, 201, 429]
    limited = client.post(
        "/api/v1/sources", json={"title": "T", "text": "More."}, headers=editor_headers
    )
    assert _error(limited, 429)["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    colleague = {"Authorization": f"Bearer {api_token(make_user('editor'))}"}
    assert (
        client.post(
            "/api/v1/sources", json={"title": "T", "text": "Mine."}, headers=colleague
        ).status_code
        == 201
    )
