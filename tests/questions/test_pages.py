"""Question and speaker pages, the claim page's proposals and link buttons, and the question
API: every claim on a question with its probability for the event, scores after resolution,
peer scores that sum to zero, and editors' links and merges."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token
from tests.questions.factories import PUBLISHED, make_forecast, settle
from tracker import audit
from tracker.models import Claim, Question, User
from tracker.questions import links
from tracker.record import services
from tracker.scorecard import scoring

FED = "The Federal Reserve will cut interest rates at its September meeting."
FED2 = "Economists expect the Federal Reserve to cut rates in September."
FED3 = "The Federal Reserve will not cut rates in September, one strategist says."


def _three_on_one(session: Session) -> list[Claim]:
    a = make_forecast(session, FED, 1, probability=0.8)
    b = make_forecast(session, FED2, 2, probability=0.6, speaker="Ann Economist")
    c = make_forecast(session, FED3, 3, probability=0.7)
    links.link_claim(session, b, a.question_id, "for", None)
    links.link_claim(session, c, a.question_id, "against", None)
    session.commit()
    return [a, b, c]


def test_a_question_page_shows_every_claim_and_after_resolution_their_scores(
    client: FlaskClient, session: Session
) -> None:
    a = _three_on_one(session)[0]
    page = client.get(f"/questions/{a.question_id}").get_data(as_text=True)
    assert page.count('href="/claims/') == 3
    assert 'href="/speakers/ann-economist"' in page and 'href="/speakers/author-3"' in page
    # c says it will not happen at 70%: 30% for the event.
    assert all(p in page for p in ("80%", "60%", "30%"))
    svg = re.search(r"<svg id=\"strip-\d+\".*?</svg>", page, re.S)
    assert svg is not None and 'role="img"' in svg.group(0)
    assert svg.group(0).count("<circle") == 2 and svg.group(0).count("<rect") == 1
    assert "Author 3: 30%" in svg.group(0)
    assert '<th scope="col">Peer</th>' not in page
    settle(session, a.question_id, "true")
    session.commit()
    page = client.get(f"/questions/{a.question_id}").get_data(as_text=True)
    # The event happened: a gave it 0.8, b 0.6, c 0.3 (its own 0.7 was against).
    baselines = [scoring.baseline_score(q) for q in (0.8, 0.6, 0.3)]
    mean = sum(baselines) / 3
    peers = [bl - mean for bl in baselines]
    assert math.isclose(sum(peers), 0.0, abs_tol=1e-9)
    assert '<th scope="col">Peer</th>' in page
    for bl, peer in zip(baselines, peers, strict=True):
        assert f"{bl:.1f}" in page and f"{peer:+.1f}" in page
    assert "0.040" in page and "0.160" in page and "0.490" in page  # Brier of each
    assert "the event happened" in page


def test_listing_filters_and_redirects(client: FlaskClient, session: Session) -> None:
    a, b, _ = _three_on_one(session)
    other = make_forecast(session, "The Bank of Japan will raise rates in July.", 4)
    session.commit()
    page = client.get("/questions").get_data(as_text=True)
    assert f'href="/questions/{a.question_id}"' in page
    assert f'href="/questions/{other.question_id}"' in page
    left = b.question_id  # b's first question, merged into a's when b moved
    assert f'href="/questions/{left}"' not in page.replace(f"/questions/{a.question_id}", "")
    only = client.get("/questions?speaker=Ann Economist").get_data(as_text=True)
    assert f'href="/questions/{a.question_id}"' in only
    assert f'href="/questions/{other.question_id}"' not in only
    assert client.get("/questions?status=bogus").status_code == 422
    assert client.get("/questions?before=x").status_code == 400
    session.refresh(b)
    claim_page = client.get(f"/claims/{b.id}").get_data(as_text=True)
    assert f'href="/questions/{a.question_id}"' in claim_page
    assert 'href="/speakers/ann-economist"' in claim_page
    assert "question-matches" not in claim_page  # proposals are for editors
    speaker = client.get("/speakers/ann-economist").get_data(as_text=True)
    assert "<h1>Ann Economist</h1>" in speaker and f'href="/claims/{b.id}"' in speaker
    assert client.get("/speakers/nobody").status_code == 404
    assert client.get("/authors/author-1").headers["Location"] == "/speakers/author-1"


def test_editors_link_from_the_proposals_and_merge_from_the_pages(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    a = make_forecast(session, FED, 1)
    b = make_forecast(session, FED2, 2)
    session.commit()
    login(make_user("editor"))
    page = client.get(f"/claims/{b.id}").get_data(as_text=True)
    assert 'id="question-matches"' in page
    assert f'name="question_id" value="{a.question_id}"' in page
    assert "likely the same" in page
    token = csrf_token(client, f"/claims/{b.id}")
    old = b.question_id
    response = client.post(
        f"/claims/{b.id}/question",
        data={"csrf_token": token, "question_id": a.question_id, "stance": "against"},
    )
    assert response.status_code == 302
    session.rollback()
    session.expire_all()
    claim = session.get_one(Claim, b.id)
    assert (claim.question_id, claim.stance) == (a.question_id, "against")
    assert client.get(f"/questions/{old}").headers["Location"] == f"/questions/{a.question_id}"
    # A new question of its own, then a merge back from the question page.
    split = client.post(f"/claims/{b.id}/question", data={"csrf_token": token, "action": "new"})
    assert split.status_code == 302, split.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    own = session.get_one(Claim, b.id).question_id
    assert own not in (old, a.question_id)
    response = client.post(
        f"/questions/{own}/merge",
        data={"csrf_token": token, "into": a.question_id, "reason": "same decision"},
    )
    assert response.headers["Location"] == f"/questions/{a.question_id}"
    bad = client.post(f"/questions/{a.question_id}/merge", data={"csrf_token": token,
                      "into": a.question_id, "reason": "x"})  # fmt: skip
    assert bad.status_code == 422 and "into itself" in bad.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get_one(Question, own).merged_into_id == a.question_id
    # A speaker merged into another spelling: the old address redirects.
    response = client.post(
        "/speakers/author-2/merge",
        data={"csrf_token": token, "into": "Author 1", "reason": "one person"},
    )
    assert response.headers["Location"] == "/speakers/author-1"
    assert client.get("/speakers/author-2").headers["Location"] == "/speakers/author-1"
    assert audit.verify(session).ok


def _api(client: FlaskClient, method: str, path: str, token: str, body: Any) -> Any:
    return client.open(path, method=method, json=body,
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip


def test_question_api(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    a, b, c = _three_on_one(session)
    fresh = make_forecast(session, "Economists expect the Federal Reserve to cut in September.", 5)
    session.commit()
    listed = client.get("/api/v1/questions?speaker=ann-economist").get_json()
    assert [q["id"] for q in listed["data"]] == [a.question_id]
    one = client.get(f"/api/v1/questions/{a.question_id}").get_json()
    assert [(x["id"], x["stance"]) for x in one["claims"]] == [
        (a.id, "for"), (b.id, "for"), (c.id, "against")
    ]  # fmt: skip
    assert one["status"] == "open" and one["merged_into"] is None
    matches = client.get(f"/api/v1/claims/{fresh.id}/question-matches?limit=2").get_json()
    assert matches["items"][0]["question_id"] == a.question_id
    assert matches["items"][0]["score"] > matches["threshold"]
    assert fresh.question_id not in [m["question_id"] for m in matches["items"]]
    assert client.get(f"/api/v1/claims/{fresh.id}/question-matches?limit=0").status_code == 422
    token = api_token(make_user("editor"))
    reviewer = api_token(make_user("reviewer"))
    # Recording a claim by API proposes the questions it may be about.
    text = "Markets expect the Federal Reserve to cut interest rates in September."
    source = services.record_source(session, title="Markets", text=text, published_at=PUBLISHED)
    session.commit()
    created = _api(client, "POST", f"/api/v1/sources/{source.id}/claims", token,
                   {"kind": "forecast", "quote": text, "deadline": "2027-03-31"})  # fmt: skip
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["question_matches"][0]["question_id"] == a.question_id
    linked_at_once = _api(client, "POST", f"/api/v1/sources/{source.id}/claims", token,
                          {"kind": "forecast", "quote": "Markets expect", "deadline": "2027-03-31",
                           "question_id": a.question_id, "stance": "against",
                           "speaker": "Bond traders", "speaker_kind": "organization"})  # fmt: skip
    assert linked_at_once.status_code == 201, linked_at_once.get_json()
    assert linked_at_once.get_json()["question_id"] == a.question_id
    assert linked_at_once.get_json()["speaker_slug"] == "bond-traders"
    path = f"/api/v1/claims/{fresh.id}/question"
    assert _api(client, "PUT", path, reviewer, {"question_id": a.question_id}).status_code == 403
    both = _api(client, "PUT", path, token, {"question_id": 1, "new": {}})
    assert both.status_code == 422
    linked = _api(client, "PUT", path, token, {"question_id": a.question_id, "stance": "for"})
    assert linked.status_code == 200, linked.get_json()
    assert linked.get_json()["question_id"] == a.question_id
    split = _api(client, "PUT", path, token, {"new": {"text": "Will the Fed cut by 50bp?"}})
    own = split.get_json()["question_id"]
    assert own != a.question_id
    merged = _api(client, "POST", f"/api/v1/questions/{own}/merge", token,
                  {"into": a.question_id, "reason": "same"})  # fmt: skip
    assert merged.status_code == 200 and merged.get_json()["id"] == a.question_id
    assert len(merged.get_json()["claims"]) == 5
    assert client.get(f"/api/v1/questions/{own}").get_json()["merged_into"] == a.question_id
    settle(session, a.question_id, "false")
    session.commit()
    refused = _api(client, "PUT", path, token, {"new": {}})
    assert refused.status_code == 409
    assert "re-open it" in refused.get_json()["error"]["message"]
    kept = _api(client, "POST", "/api/v1/speakers/author-3/merge", token,
                {"into": "ann-economist", "reason": "pen name"})  # fmt: skip
    assert kept.status_code == 200 and kept.get_json()["slug"] == "ann-economist"
    assert client.get("/api/v1/speakers/author-3").get_json()["merged_into"] == "ann-economist"


def test_the_import_page_proposes_each_candidate_s_question_and_links_it(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    fed = make_forecast(session, FED, 1)
    text = "Economists expect the Federal Reserve will cut interest rates at its September meeting."
    source = services.record_source(session, title="Rates", text=text, outlet="The Daily",
                                    published_at=PUBLISHED)  # fmt: skip
    session.commit()
    login(make_user("editor"))
    page = client.get(f"/sources/{source.id}/candidates").get_data(as_text=True)
    assert f'href="/questions/{fed.question_id}"' in page and "likely the same event" in page
    assert f'<option value="for:{fed.question_id}" selected>' in page
    token = csrf_token(client, f"/sources/{source.id}/candidates")
    response = client.post(
        f"/sources/{source.id}/candidates",
        data={
            "csrf_token": token,
            "c-0-decision": "accept",
            "c-0-kind": "forecast",
            "c-0-quote": text,
            "c-0-origin": "phrase",
            "c-0-deadline": "2027-03-31",
            "c-0-deadline_origin": "explicit",
            "c-0-link": f"against:{fed.question_id}",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    claim = session.scalars(select(Claim).where(Claim.source_id == source.id)).one()
    assert (claim.question_id, claim.stance) == (fed.question_id, "against")
