"""What the words meant: /wording and /api/v1/wording against an independent count of
generated forecasts, with Wilson intervals from scipy, on both databases."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from scipy.stats import binomtest
from sqlalchemy.orm import Session

from tests.conftest import Snapshots
from tests.scorecard.scorecard_data import resolve
from tracker.models import User
from tracker.record import services, wep, wording
from tracker.review import changes

# Spellings of the same phrases (case, runs of whitespace, typographic apostrophes) and the
# phrase each counts as.
SPELLINGS = {
    "likely": "likely",
    "Likely": "likely",
    "very  likely": "very likely",
    "Very likely": "very likely",
    "will": "will",
    "WILL": "will",
    "might": "might",
    "may": "may",
    "won\u2019t": "won't",
    "won't": "won't",
    "almost certainly": "almost certainly",
    "unlikely": "unlikely",
    "is going to": "is going to",
}
OUTLETS = ("The Daily", "The Weekly", "Evening Post")
SPEAKERS = ("Ann Analyst", "Bob Pundit", "Cy Columnist", "Di Diplomat")
LAST_DEADLINE = dt.datetime(2022, 12, 31, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Made:
    phrase: str  # as counted
    outlet: str
    speaker: str
    counted: bool  # read from the wording (by the record or a reviewer's correction)
    negated: bool
    outcome: str | None
    deadline: dt.datetime


def _generate(session: Session, reviewer: User, n: int = 150, seed: int = 15) -> list[Made]:
    rng = random.Random(seed)
    made = []
    for i in range(n):
        spelling = rng.choice(list(SPELLINGS))
        outlet = rng.choice(OUTLETS)
        speaker = rng.choice(SPEAKERS)
        stated = rng.random() < 0.1
        negated = not stated and rng.random() < 0.2
        outcome = rng.choice(["true", "false", "true", "false", "ambiguous", None])
        deadline = dt.datetime(2020, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(900))
        text = f"Item {i}: officials said the talks {spelling} fail by the summer."
        source = services.record_source(
            session,
            title=f"Article {i}",
            text=text,
            url=f"https://news.example/wording/{i}",
            outlet=outlet,
            author=f"Writer {i % 5}",
            published_at=dt.datetime(2020, 1, 3, tzinfo=dt.UTC),
        )
        claim = services.record_claim(
            session,
            source.id,
            kind="forecast",
            quote=f"the talks {spelling} fail by the summer",
            question=f"Will talks {i} {'hold' if negated else 'fail'}?",
            deadline=deadline,
            probability=0.7 if stated else None,
            phrase=spelling,
            negated=negated,
            speaker=speaker,
        )
        if not stated and rng.random() < 0.15:
            # A reviewer's correction on the same side of 50% as the wording.
            assert claim.probability is not None
            nudged = claim.probability + (0.03 if claim.probability > 0.5 else -0.03)
            changes.edit_claim(
                session, claim, reviewer, reason="context says a little more", probability=nudged
            )
            assert claim.probability_origin == "reviewer"
        if outcome is not None:
            resolve(session, claim, outcome)
        made.append(
            Made(SPELLINGS[spelling], outlet, speaker, not stated, negated, outcome, deadline)
        )
    session.commit()
    return made


def _expected(made: list[Made]) -> dict[str, tuple[int, int, int]]:
    """phrase -> (n_forecasts, n_scored, n_true), counted straight from what was generated."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for m in made:
        if not m.counted:
            continue
        row = totals[m.phrase]
        row[0] += 1
        if m.outcome in ("true", "false"):
            row[1] += 1
            row[2] += (m.outcome == "true") != m.negated
    return {phrase: (a, b, c) for phrase, (a, b, c) in totals.items()}


def _check(answer: dict[str, object], expected: dict[str, tuple[int, int, int]]) -> None:
    items = answer["items"]
    assert isinstance(items, list)
    assert {item["phrase"] for item in items} == set(expected)
    for item in items:
        n_forecasts, n_scored, n_true = expected[item["phrase"]]
        assert (item["n_forecasts"], item["n_scored"], item["n_true"]) == (
            n_forecasts,
            n_scored,
            n_true,
        ), item
        assert item["probability"] == wep.read_phrase(item["phrase"]).probability
        assert item["too_few_to_judge"] == (n_scored < wording.MIN_SCORED)
        if n_scored == 0:
            assert item["observed_rate"] is None and item["interval"] is None
            continue
        assert item["observed_rate"] == pytest.approx(n_true / n_scored)
        low, high = binomtest(n_true, n_scored).proportion_ci(
            confidence_level=0.90, method="wilson"
        )
        assert item["interval"]["lower"] == pytest.approx(low, abs=1e-9)
        assert item["interval"]["upper"] == pytest.approx(high, abs=1e-9)


@pytest.fixture
def made(session: Session, make_user: Callable[..., User], snapshots: Snapshots) -> list[Made]:
    return snapshots.keep(
        "wording.made",
        session,
        lambda: _generate(session, make_user("reviewer", email="wording@newsroom.test")),
    )


def test_numbers_equal_an_independent_count(client: FlaskClient, made: list[Made]) -> None:
    answer = client.get("/api/v1/wording").get_json()
    _check(answer, _expected(made))
    assert answer["level"] == 0.9 and answer["min_scored"] == wording.MIN_SCORED
    assert answer["n_scored"] == sum(v[1] for v in _expected(made).values())
    # The hedged phrases are there, and marked.
    hedged = {item["phrase"]: item["hedged"] for item in answer["items"]}
    assert hedged["might"] and hedged["may"] and not hedged["likely"]
    # Some phrase has enough forecasts to judge and some has too few.
    flags = {item["too_few_to_judge"] for item in answer["items"]}
    assert flags == {True, False}


def test_per_outlet_and_speaker(client: FlaskClient, made: list[Made]) -> None:
    for name, value in [
        ("outlet", "The Weekly"),
        ("outlet", "evening-post"),
        ("speaker", "Bob Pundit"),
        ("speaker", "di-diplomat"),
    ]:
        answer = client.get(f"/api/v1/wording?{name}={value}").get_json()
        slug = answer["filters"][name]
        chosen = [m for m in made if getattr(m, name).lower().replace(" ", "-") == slug]
        assert chosen and len(chosen) < len(made)
        _check(answer, _expected(chosen))
        assert answer["name"] in (OUTLETS + SPEAKERS)


def test_date_range(client: FlaskClient, made: list[Made]) -> None:
    answer = client.get("/api/v1/wording?from=2021-01-01&to=2021-06-30").get_json()
    start = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2021, 7, 1, tzinfo=dt.UTC)
    _check(answer, _expected([m for m in made if start <= m.deadline < end]))


def test_page_shows_the_same_numbers_with_a_chart(client: FlaskClient, made: list[Made]) -> None:
    response = client.get("/wording")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected = _expected(made)
    rows = re.findall(
        r"<th scope=\"row\">“([^”]+)”(.*?)</th>\s*<td>[^<]*</td>\s*<td>(\d+)</td>", page
    )
    shown = {
        phrase.replace("&#39;", "'"): (int(n), "too few to judge" in rest)
        for phrase, rest, n in rows
    }
    assert shown == {phrase: (v[1], v[1] < wording.MIN_SCORED) for phrase, v in expected.items()}
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and 'class="diagonal"' in svg
    scored = sum(1 for v in expected.values() if v[1])
    assert svg.count("<circle") == scored
    assert svg.count('stroke-dasharray="3 2"') == sum(
        1 for v in expected.values() if 0 < v[1] < wording.MIN_SCORED
    )
    assert "<script" not in page
    front = client.get("/").get_data(as_text=True)
    assert 'href="/wording"' in front


def test_answers_are_conditional_and_follow_changes(
    client: FlaskClient, session: Session, made: list[Made]
) -> None:
    first = client.get("/api/v1/wording?outlet=The Daily")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/wording?outlet=the-daily", headers={"If-None-Match": etag})
    assert again.status_code == 304
    page = client.get("/wording")
    assert (
        client.get("/wording", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    )
    # A resolution changes the numbers at once in this process.
    from sqlalchemy import select

    from tracker.models import Claim

    claim = session.scalars(
        select(Claim).where(Claim.status == "open", Claim.probability_origin == "phrase")
    ).first()
    assert claim is not None and claim.phrase is not None
    key = wording.normal_phrase(claim.phrase)
    before = {i["phrase"]: i for i in client.get("/api/v1/wording").get_json()["items"]}[key]
    resolve(session, claim, "true")
    session.commit()
    after = {i["phrase"]: i for i in client.get("/api/v1/wording").get_json()["items"]}[key]
    assert after["n_scored"] == before["n_scored"] + 1


@pytest.mark.parametrize(
    ("query", "status", "fields"),
    [
        ("?speaker=nobody-at-all", 404, set()),
        ("?outlet=No Such Outlet", 404, set()),
        ("?tag=no-such-tag", 404, set()),
        ("?source_id=99999", 404, set()),
        ("?speaker=Ann Analyst&outlet=The Daily", 400, {"speaker", "outlet"}),
        ("?from=2021-13-01", 400, {"from"}),
        ("?from=2022-01-01&to=2021-01-01", 400, {"from", "to"}),
        ("?source_id=abc", 400, {"source_id"}),
        ("?outlet=%21%21%21", 400, {"outlet"}),
        ("?include_hedged=true", 400, {"include_hedged"}),
    ],
)
def test_bad_and_unknown_filters(
    client: FlaskClient, query: str, status: int, fields: set[str]
) -> None:
    response = client.get("/api/v1/wording" + query)
    assert response.status_code == status, response.get_data(as_text=True)
    assert set(response.get_json()["error"]["fields"]) == fields
    if "include_hedged" not in query:
        assert client.get("/wording" + query).status_code == status


def test_an_empty_record_says_so(client: FlaskClient) -> None:
    answer = client.get("/api/v1/wording").get_json()
    assert answer["items"] == [] and answer["n_scored"] == 0
    assert "No forecast has a probability read from its wording" in client.get("/wording").get_data(
        as_text=True
    )


def test_wilson_interval_edges() -> None:
    assert wording.wilson_interval(0, 0) is None
    for k, n in [(0, 1), (1, 1), (0, 10), (10, 10), (3, 7), (500, 1000)]:
        low, high = binomtest(k, n).proportion_ci(confidence_level=0.9, method="wilson")
        got = wording.wilson_interval(k, n)
        assert got is not None
        assert got == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
        assert 0 <= got[0] <= k / n <= got[1] <= 1
