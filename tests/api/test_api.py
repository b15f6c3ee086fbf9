"""The read API: sources and claims with every field of the specification."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.record import services

CLAIM_FIELDS = {
    "id", "source_id", "key", "kind", "quote", "quote_start", "quote_end", "question",
    "resolution_criteria", "deadline", "deadline_origin", "deadline_reason", "probability",
    "probability_origin", "probability_reason", "phrase", "hedged", "condition", "status",
    "tags", "author", "outlet", "resolutions", "outcome", "verdict", "created_at",
}  # fmt: skip


def _claims(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/claims{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    data: list[dict[str, Any]] = response.get_json()["data"]
    return data


def test_claims_carry_every_field(client: FlaskClient, seeded: int) -> None:
    claims = _claims(client, "?limit=200")
    assert len(claims) == 17
    for claim in claims:
        assert claim.keys() >= CLAIM_FIELDS
    hormuz = next(c for c in claims if c["key"] == "hormuz-disruption")
    assert hormuz["probability"] == 0.4 and hormuz["hedged"] is True
    assert hormuz["deadline"] == "2020-07-03T23:59:59Z"
    assert hormuz["deadline_origin"] == "inferred"
    assert hormuz["probability_origin"] == "phrase"
    one = client.get(f"/api/v1/claims/{hormuz['id']}").get_json()
    assert one == hormuz


@pytest.mark.parametrize(
    ("query", "count"),
    [("?kind=fact", 7), ("?kind=forecast", 10), ("?status=due", 10), ("?key=drone-downed", 1),
     ("?tag=iraq", 6), ("?outlet=washington-examiner", 17), ("?source_id=999", 0)],
)  # fmt: skip
def test_claim_filters(client: FlaskClient, seeded: int, query: str, count: int) -> None:
    assert len(_claims(client, query + "&limit=200")) == count


def test_cursor_paging_walks_every_claim_once(client: FlaskClient, seeded: int) -> None:
    seen: list[int] = []
    url: str | None = "/api/v1/claims?limit=5"
    while url:
        body = client.get(url).get_json()
        seen += [c["id"] for c in body["data"]]
        url = body["next"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 17


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [("?limit=0", 422, "limit"), ("?limit=201", 422, "limit"), ("?limit=x", 400, "limit"),
     ("?cursor=%%%", 400, "cursor"), ("?status=finished", 422, "status"),
     ("?kind=opinion", 422, "kind"), ("?source_id=abc", 400, "source_id")],
)  # fmt: skip
def test_bad_queries_get_json_errors(
    client: FlaskClient, seeded: int, query: str, status: int, field: str
) -> None:
    response = client.get(f"/api/v1/claims{query}")
    assert response.status_code == status
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and field in error["fields"]


def test_sources(client: FlaskClient, seeded: int) -> None:
    listing = client.get("/api/v1/sources").get_json()
    assert [s["id"] for s in listing["data"]] == [seeded] and listing["next"] is None
    source = client.get(f"/api/v1/sources/{seeded}").get_json()
    assert source["title"] == "What Qassim Soleimani's killing means"
    assert source["author"] is None and source["outlet"] == "Washington Examiner"
    assert source["published_at"] == "2020-01-03T05:00:00Z"
    assert len(source["text_sha256"]) == 64 and source["text"].startswith("What Qassim")
    assert len(source["claims"]) == 17 and source["claims_next"] is None


def test_a_source_with_many_claims_pages_them(client: FlaskClient, session: Session) -> None:
    """The source's answer carries at most 200 claims; the rest come from /claims by cursor."""
    text = " ".join(f"Claim number {n} will come true." for n in range(201))
    source = services.record_source(session, title="Many", text=text)
    for n in range(201):
        services.record_claim(
            session, source.id, kind="fact", quote=f"Claim number {n} will come true."
        )
    session.commit()
    detail = client.get(f"/api/v1/sources/{source.id}").get_json()
    assert len(detail["claims"]) == 200 and detail["claims_next"] is not None
    rest = client.get(detail["claims_next"]).get_json()
    assert [c["quote"] for c in rest["data"]] == ["Claim number 200 will come true."]
    assert {c["id"] for c in detail["claims"]}.isdisjoint({c["id"] for c in rest["data"]})


def test_missing_things_are_json_404(client: FlaskClient) -> None:
    for path in ("/api/v1/claims/4040", "/api/v1/sources/4040", "/api/v1/nothing"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
