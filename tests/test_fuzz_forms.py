"""Generated posts to every form and write endpoint: answers are 2xx, 3xx or 4xx, never 500."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, examples
from tracker.imports.sources import Fetched
from tracker.models import User
from tracker.review import assignments

FIELDS = {
    "/claims/{claim}/resolve": ["outcome", "verdict", "rationale", "settle", "evidence_rows",
        "evidence-0-url", "evidence-0-title", "evidence-0-publisher", "evidence-0-published",
        "evidence-0-stance", "evidence-1-url"],
    "/claims/{claim}/void": ["reason", "detail"],
    "/claims/{claim}/snooze": ["until", "reason"],
    "/claims/{claim}/edit": ["question", "resolution_criteria", "deadline", "probability",
        "reason"],
    "/claims/{claim}/reopen": ["reason"],
    "/claims/{claim}/reassign": ["from_user", "to_user"],
    "/admin/users": ["email", "role", "display_name"],
    "/admin/users/{user}/role": ["role"],
    "/admin/users/{user}/active": ["active"],
    "/admin/users/{user}/invite": [],
    "/admin/users/{user}/tokens": ["name"],
    "/admin/tokens/{token}/revoke": [],
    "/account/password": ["current_password", "new_password", "confirm_password"],
    "/account/tokens/{token}/revoke": [],
    "/account/logins/end-others": [],
    "/sources/new": ["url", "text", "title", "outlet", "author", "published", "new_version"],
    "/sources/{source}/candidates": ["c-0-decision", "c-0-kind", "c-0-quote", "c-0-start",
        "c-0-end", "c-0-origin", "c-0-probability", "c-0-phrase", "c-0-negated",
        "c-0-condition", "c-0-deadline", "c-0-deadline_origin", "c-0-deadline_reason",
        "c-0-question", "c-0-criteria", "c-0-tags", "c-0-key", "c-1-decision"],
    "/login": ["email", "password", "next"],
}  # fmt: skip
API = {
    "/api/v1/sources": ["url", "title", "outlet", "author", "published_at", "text"],
    "/api/v1/sources/{source}/claims": ["kind", "quote", "key", "question", "deadline",
        "deadline_origin", "deadline_reason", "probability", "phrase", "condition", "tags"],
    "/api/v1/claims/{claim}/resolutions": ["outcome", "verdict", "rationale", "evidence", "settle"],
}  # fmt: skip
MEANINGFUL = st.sampled_from(
    ["true", "false", "ambiguous", "annulled", "mixed", "unverifiable", "admin", "reviewer",
     "editor", "1", "0", "-1", "2", "99999999999999999999", "2020-04-03", "2020-13-45",
     "https://example.org/x", "javascript:alert(1)", "not falsifiable", "duplicate", "50", "nan",
     "inf", "<script>alert(1)</script>", "\u2019", "", " ", "forecast", "fact", "supports"]
)  # fmt: skip
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
VALUE = st.one_of(MEANINGFUL, TEXT)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, MEANINGFUL),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)
IDS = st.sampled_from(["1", "2", "3", "0", "99999"])
FUZZ = settings(
    max_examples=examples(600),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


class _OnePage:
    """A fetcher that answers every address with the same small article."""

    def fetch(self, url: str) -> Fetched:
        body = b"<html><head><title>Outlook</title></head><body><article><p>Rates will fall"
        body += b" by June 2030, the governor said. Prices rose 3% in 2024.</p></article></body>"
        return Fetched(url, "text/html", "utf-8", body + b"</html>", dt.datetime.now(dt.UTC))


def _path(template: str, ident: str) -> str:
    return template.format(claim=ident, user=ident, token=ident, source=ident)


@FUZZ
@given(data=st.data())
def test_forms_never_fail_with_500(
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
    data: st.DataObject,
) -> None:
    if not getattr(client, "_fuzz_ready", False):
        # Imports by address get this page instead of reaching the network.
        client.application.extensions["tracker.fetcher"] = _OnePage()
        admin = make_user("admin")
        make_user("reviewer")
        assignments.fill_assignments(session, 2)
        session.commit()
        login(admin)
        client._fuzz_ready = True  # type: ignore[attr-defined]
        client._fuzz_token = csrf_token(client, "/review")  # type: ignore[attr-defined]
    template = data.draw(st.sampled_from(sorted(FIELDS)), "path")
    path = _path(template, data.draw(IDS, "id"))
    names = data.draw(st.lists(st.sampled_from(FIELDS[template] or ["x"]), unique=True), "fields")
    form = {name: data.draw(VALUE, name) for name in names}
    if data.draw(st.booleans(), "with csrf"):
        form["csrf_token"] = client._fuzz_token  # type: ignore[attr-defined]
    if template == "/login":
        return  # logging in with random data would end the admin's session mid-run
    response = client.post(path, data=form)
    assert response.status_code < 500, (path, form, response.status_code)


@FUZZ
@given(data=st.data())
def test_api_writes_never_fail_with_500(
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
    data: st.DataObject,
) -> None:
    if not getattr(client, "_fuzz_token", None):
        client._fuzz_token = api_token(make_user("admin"))  # type: ignore[attr-defined]
    template = data.draw(st.sampled_from(sorted(API)), "path")
    path = _path(template, data.draw(IDS, "id"))
    names = data.draw(st.lists(st.sampled_from(API[template]), unique=True), "fields")
    body: Any = {name: data.draw(JSON_VALUE, name) for name in names}
    if data.draw(st.integers(0, 9), "shape") == 0:
        body = data.draw(JSON_VALUE, "whole body")
    response = client.post(
        path,
        json=body,
        headers={"Authorization": f"Bearer {client._fuzz_token}"},  # type: ignore[attr-defined]
    )
    assert response.status_code < 500, (path, body, response.status_code)
    assert "error" in response.get_json() or response.status_code == 201
