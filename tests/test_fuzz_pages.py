"""Every HTML route of the app (read from its URL map) with hostile path segments and query
strings: the answer is never 500 (a 503 of /readyz is its answer, not a fault), for anonymous
readers and for an admin.
(The forms' bodies and the API have fuzzers of their own: test_fuzz_forms.py and
tests/api/test_api_contract.py.)"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, urlencode

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from tests.conftest import csrf_token, examples
from tracker.models import User
from tracker.review import assignments

# What a path segment or a query value may hold that the code did not expect.
HOSTILE = [
    "99999999999999999999",
    "2147483648",
    "-1",
    "0",
    "1",
    "1.5",
    "\uff11\uff12",  # full-width digits: int() reads them
    "é",
    "💥",
    "\x00",
    "a\x00b",
    "%00",
    "..",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    " ",
    "x" * 3000,
    "9" * 5000,  # more digits than int() takes
    "2020-13-45",
    "2020-01-03|1",
    "2020-01-03T00:00:00+00:00|99999999999999999999",  # the queue's `after`, id too large
    "\ud800",  # a lone surrogate: not UTF-8 at all
]
# Every parameter a page reads, and some it does not.
QUERY_NAMES = [
    "source_id", "status", "kind", "author", "outlet", "tag", "from", "to", "include_hedged",
    "tab", "after", "next", "cursor", "limit", "key", "q", "page", "format", "speaker", "x",
]  # fmt: skip


def _pages(app: Flask) -> list[tuple[str, Rule]]:
    """(method, rule) of every route but the JSON API's."""
    return [
        (method, rule)
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/v1/")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]


def _segment(value: str) -> str:
    # Lone surrogates cannot be UTF-8-encoded: send their bytes as a browser would not, raw.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _fill(rule: Rule, value: str) -> str:
    path = rule.rule
    for name in rule.arguments:
        for prefix in ("<id:", "<int:", "<string:", "<path:", "<"):
            path = path.replace(f"{prefix}{name}>", _segment(value))
    return path


def _query(pairs: list[tuple[str, str]]) -> str:
    return urlencode([(n, v.encode("utf-8", "surrogatepass")) for n, v in pairs])


def _setup(
    client: FlaskClient, session: Session, make_user: Callable[..., User], login: Callable
) -> str:
    admin = make_user("admin")
    make_user("reviewer")
    assignments.fill_assignments(session, 2)
    session.commit()
    login(admin)
    return csrf_token(client, "/review")


def test_hostile_path_segments_never_give_500(
    app: Flask,
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
) -> None:
    anonymous = app.test_client()
    token = _setup(client, session, make_user, login)
    pages = _pages(app)
    assert len([p for p in pages if p[1].arguments]) >= 20, pages
    failures = []
    for method, rule in pages:
        if rule.endpoint in ("accounts.logout", "accounts.login"):
            continue  # would end the admin's session mid-run
        values = HOSTILE if rule.arguments else [""]
        for value in values:
            path = _fill(rule, value)
            for who in (client, anonymous):
                response = who.open(path, method=method, data={"csrf_token": token})
                if response.status_code == 500:
                    failures.append((method, path[:120], response.status_code))
    assert failures == []


READ: set[str] = set()  # query (and form) names the request in flight has looked up


class _RecordingArgs(ImmutableMultiDict[str, str]):
    """The query string as pages see it, noting each name they look up."""

    def __getitem__(self, key: str) -> str:
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: object = None, type: object = None) -> object:  # type: ignore[override]
        READ.add(key)
        return super().get(key, default, type)  # type: ignore[call-overload]

    def __contains__(self, key: object) -> bool:
        READ.add(str(key))
        return super().__contains__(key)


def test_every_query_name_a_page_reads_survives_hostile_values(
    app: Flask,
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
) -> None:
    """Each page is asked once to learn which query names it reads; then each of those names
    gets every hostile value."""
    app.request_class = type(  # type: ignore[misc]
        "RecordingRequest", (app.request_class,), {"parameter_storage_class": _RecordingArgs}
    )
    _setup(client, session, make_user, login)
    reads: dict[str, set[str]] = {}
    for method, rule in _pages(app):
        if method == "GET" and rule.endpoint != "accounts.logout":
            READ.clear()
            path = _fill(rule, "1")
            client.get(path + "?unread=1")  # some pages read nothing from an empty query
            reads[path] = set(READ) - {"csrf_token", "unread"}
    assert reads["/review"] >= {"tab", "after"} and reads["/"] >= {"source_id", "from"}
    failures = []
    for path, names in reads.items():
        for name in sorted(names):
            for value in HOSTILE:
                url = f"{path}?{_query([(name, value)])}"
                if client.get(url).status_code == 500:
                    failures.append(url[:160])
    assert failures == []


FUZZ = settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@FUZZ
@given(data=st.data())
def test_hostile_query_strings_never_give_500(
    app: Flask,
    client: FlaskClient,
    session: Session,
    seeded: int,
    make_user: Callable[..., User],
    login: Callable[..., FlaskClient],
    data: st.DataObject,
) -> None:
    if not getattr(client, "_fuzz_ready", False):
        client._fuzz_token = _setup(client, session, make_user, login)  # type: ignore[attr-defined]
        client._fuzz_ready = True  # type: ignore[attr-defined]
    pages = [
        (m, r)
        for m, r in _pages(app)
        if r.endpoint not in ("accounts.logout", "accounts.login", "accounts.accept_invite")
    ]
    method, rule = data.draw(st.sampled_from(pages), "page")
    ident = data.draw(st.sampled_from(["1", "2", "3", "99999", "seed"]), "segment")
    path = _fill(rule, ident)
    names = data.draw(st.lists(st.sampled_from(QUERY_NAMES), max_size=4), "names")
    value = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
    pairs = [(name, data.draw(value, name)) for name in names]
    url = f"{path}?{_query(pairs)}"
    response = client.open(
        url,
        method=method,
        data={"csrf_token": client._fuzz_token},  # type: ignore[attr-defined]
    )
    assert response.status_code != 500, (method, url[:300], response.status_code)
