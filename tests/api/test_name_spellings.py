"""A name typed with straight apostrophes and dashes and printed with curly ones is one author,
one outlet, one speaker and one tag; authors, speakers and tags recorded when such punctuation
did not part words keep their addresses, and either spelling finds them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.models import User

TEXT = "The central bank will cut rates by March 2027, the columnist writes."
QUOTE = "The central bank will cut rates by March 2027"


@pytest.fixture
def headers(make_user: Callable[..., User], api_token: Callable[[User], str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(make_user('editor'))}"}


def _recorded(client: FlaskClient, headers: dict[str, str], n: int, **fields: Any) -> Any:
    """A source of its own (its text made distinct by `n`) and one claim on it."""
    source = client.post(
        "/api/v1/sources",
        json={"title": "Rates", "text": f"{TEXT} ({n})", "published_at": "2026-01-05", **fields},
        headers=headers,
    )
    assert source.status_code == 201, source.get_json()
    claim = client.post(
        f"/api/v1/sources/{source.get_json()['id']}/claims",
        json={"kind": "forecast", "quote": QUOTE, "deadline": "2027-03-31",
              "question": f"Will the central bank cut rates by 31 March 2027 ({n})?",
              "tags": ["Rock\u2019n\u2019roll"]},
        headers=headers,
    )  # fmt: skip
    assert claim.status_code == 201, claim.get_json()
    return source.get_json(), claim.get_json()


def test_either_spelling_is_one_author_outlet_speaker_and_tag(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    typed = {"author": "Ann O'Neil", "outlet": "Smith-Jones Weekly"}
    printed = {"author": "Ann O\u2019Neil", "outlet": "Smith\u2013Jones Weekly"}
    first_source, first = _recorded(client, headers, 1, **typed)
    second_source, second = _recorded(client, headers, 2, **printed)
    for source in (first_source, second_source):
        assert (source["author_slug"], source["outlet_slug"]) == (
            "ann-o-neil",
            "smith-jones-weekly",
        )
    assert first["speaker_slug"] == second["speaker_slug"] == "ann-o-neil"
    assert first["tags"] == second["tags"] == ["rock-n-roll"]
    page = client.get("/speakers/ann-o-neil")
    assert page.status_code == 200 and page.get_data(as_text=True).count(QUOTE) == 2


def test_a_name_recorded_before_keeps_its_address_whichever_way_it_is_spelt(
    client: FlaskClient, headers: dict[str, str], session: Session
) -> None:
    old_source, old = _recorded(client, headers, 1, author="Ann O\u2019Neil")
    # As the record held them before: the curly apostrophe dropped, not parting words.
    session.execute(text("UPDATE sources SET author_slug = 'ann-oneil'"))
    session.execute(text("UPDATE speakers SET slug = 'ann-oneil' WHERE slug = 'ann-o-neil'"))
    session.execute(text("UPDATE claim_tags SET tag = 'rocknroll'"))
    session.commit()
    for n, author in enumerate(("Ann O\u2019Neil", "Ann O'Neil"), 2):
        source, claim = _recorded(client, headers, n, author=author)
        assert source["author_slug"] == "ann-oneil"
        assert claim["speaker_slug"] == "ann-oneil"
        assert claim["tags"] == ["rocknroll"]
    assert client.get("/speakers/ann-oneil").get_data(as_text=True).count(QUOTE) == 3
    assert client.get("/speakers/ann-o-neil").status_code == 404
    assert old_source["id"] and old["id"]
