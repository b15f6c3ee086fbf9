"""The API records a claim under a named speaker and on a recorded question, and answers with
both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tracker.models import User

TEXT = (
    "The central bank will cut rates by March 2027, the columnist writes. "
    "Analysts at Northbank expect no cut before June 2027."
)


@pytest.fixture
def headers(make_user: Callable[..., User], api_token: Callable[[User], str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(make_user('editor'))}"}


def _source(client: FlaskClient, headers: dict[str, str], **fields: Any) -> int:
    body = {"title": "Rates", "text": TEXT, "published_at": "2026-01-05", **fields}
    response = client.post("/api/v1/sources", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    source_id: int = response.get_json()["id"]
    return source_id


def _claim(client: FlaskClient, headers: dict[str, str], source_id: int, **fields: Any) -> Any:
    body = {
        "kind": "forecast",
        "quote": "The central bank will cut rates by March 2027",
        "deadline": "2027-03-31",
        "question": "Will the central bank cut rates by 31 March 2027?",
        **fields,
    }
    return client.post(f"/api/v1/sources/{source_id}/claims", json=body, headers=headers)


def test_a_claim_is_its_authors_or_its_named_speakers_and_joins_a_question(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    source_id = _source(client, headers, author="Ann O'Neil", outlet="The Example")
    own = _claim(client, headers, source_id)
    assert own.status_code == 201, own.get_json()
    first = own.get_json()
    assert (first["speaker"], first["speaker_slug"]) == ("Ann O'Neil", "ann-o-neil")
    assert first["stance"] == "for" and isinstance(first["question_id"], int)
    quoted = _claim(
        client,
        headers,
        source_id,
        quote="Analysts at Northbank expect no cut before June 2027",
        question=None,
        speaker="Northbank",
        speaker_kind="organization",
        question_id=first["question_id"],
        stance="against",
    )
    assert quoted.status_code == 201, quoted.get_json()
    second = quoted.get_json()
    assert (second["speaker"], second["speaker_slug"]) == ("Northbank", "northbank")
    assert (second["question_id"], second["stance"]) == (first["question_id"], "against")
    one = client.get(f"/api/v1/claims/{second['id']}").get_json()
    assert one == {k: v for k, v in second.items() if k != "question_matches"}
    listed = client.get(f"/api/v1/claims?source_id={source_id}").get_json()["data"]
    assert [c["speaker_slug"] for c in listed] == ["ann-o-neil", "northbank"]
    assert listed == [
        {k: v for k, v in c.items() if k != "question_matches"} for c in (first, second)
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"question_id": 999_999}, "question_id"),
        ({"question_id": 0}, "question_id"),
        ({"stance": "against"}, "stance"),
        ({"stance": "maybe"}, "stance"),
        ({"speaker_kind": "robot", "speaker": "X"}, "speaker_kind"),
        ({"speaker": "x" * 201}, "speaker"),
    ],
)
def test_bad_links_are_refused_with_the_field_named(
    client: FlaskClient, headers: dict[str, str], fields: dict[str, Any], field: str
) -> None:
    source_id = _source(client, headers, outlet="The Example")
    refused = _claim(client, headers, source_id, **fields)
    assert refused.status_code == 422, refused.get_json()
    assert field in str(refused.get_json()), refused.get_json()
    assert client.get(f"/api/v1/claims?source_id={source_id}").get_json()["data"] == []


def test_a_fact_claim_cannot_join_a_forecast_question(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    source_id = _source(client, headers, outlet="The Example")
    forecast = _claim(client, headers, source_id).get_json()
    fact = client.post(
        f"/api/v1/sources/{source_id}/claims",
        json={
            "kind": "fact",
            "quote": "Analysts at Northbank expect no cut",
            "question_id": forecast["question_id"],
        },
        headers=headers,
    )
    assert fact.status_code == 422
    assert "forecast question" in fact.get_json()["error"]["message"]
