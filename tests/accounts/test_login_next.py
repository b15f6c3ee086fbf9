"""Where a login goes next: a path on this site, else the review queue. A `next` with CR/LF or
any other control character, or one that points at another site, is ignored; the login
itself either happens whole (a redirect and a session) or not at all, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PASSWORD, csrf_token, examples
from tracker.models import User

UNSAFE = [
    "/review\r\nSet-Cookie: stolen=1",
    "/review\nX: y",
    "/review\r",
    "/claims/1\x00",
    "/a\tb",
    "/a\x7fb",
    "/a\x85b",  # NEL, a C1 control
    "/a\u2028b",  # LINE SEPARATOR
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " /review",
    "review",
    "/" + "a" * 2100,
]


def _login(client: FlaskClient, user: User, next_value: str) -> object:
    return client.post(
        "/login",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": next_value,
            "csrf_token": csrf_token(client),
        },
    )


@pytest.mark.parametrize("next_value", UNSAFE)
def test_an_unsafe_next_is_ignored_and_the_login_completes(
    client: FlaskClient, make_user: Callable[..., User], next_value: str
) -> None:
    response = _login(client, make_user(), next_value)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.headers["Location"] == "/review"  # type: ignore[attr-defined]
    assert client.get("/review").status_code == 200


@pytest.mark.parametrize(
    ("next_value", "location"),
    [
        ("/claims/3?tab=history", "/claims/3?tab=history"),
        ("/authors/ann-author#scores", "/authors/ann-author#scores"),
        ("/review?q=caf\u00e9 au lait", "/review?q=caf%C3%A9%20au%20lait"),
    ],
)
def test_a_path_on_this_site_is_followed(
    client: FlaskClient, make_user: Callable[..., User], next_value: str, location: str
) -> None:
    response = _login(client, make_user(), next_value)
    assert response.headers["Location"] == location  # type: ignore[attr-defined]


@settings(
    max_examples=examples(300),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(next_value=st.text(max_size=40).map(lambda s: "/" + s))
def test_any_next_gives_a_whole_login_or_none(
    client: FlaskClient, make_user: Callable[..., User], next_value: str
) -> None:
    if not hasattr(client, "_user"):
        client._user = make_user()  # type: ignore[attr-defined]
    client.delete_cookie("session")
    response = _login(client, client._user, next_value)  # type: ignore[attr-defined]
    assert response.status_code == 302, next_value  # type: ignore[attr-defined]
    location = response.headers["Location"]  # type: ignore[attr-defined]
    assert location.isascii() and location.isprintable() and " " not in location
    assert location.startswith("/") and not location.startswith("//")
    assert client.get("/review").status_code == 200
