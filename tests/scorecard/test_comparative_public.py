"""Baseline and peer scores wherever the scorecard is shown: the front page, group pages, the
API (with the `speaker` filter and the `speakers` list), the CSV export and `tracker score`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

import tracker.cli
from tests.scorecard.scorecard_data import resolve_question
from tracker.models import Claim
from tracker.record import services as record

UTC = dt.UTC


def _baseline(q: float) -> float:
    return 100 * math.log2(q / 0.5)


def _claim(session: Session, n: int, sentence: str, **fields: object) -> Claim:
    source = record.record_source(
        session,
        title=f"View {n}",
        text=f"{sentence}.",
        url=f"https://news.example/view/{n}",
        outlet="The Daily" if n % 2 else "The Weekly",
        author=f"Writer {n}",
        published_at=dt.datetime(2019, 12, 1, tzinfo=UTC),
    )
    return record.record_claim(
        session,
        source.id,
        kind="forecast",
        quote=sentence,
        deadline=dt.datetime(2020, 6, 1, tzinfo=UTC),
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def question(session: Session) -> dict[str, float]:
    """One question, three speakers: 90% for, 80% against (a named speaker), 60% for; it
    happened. Returns each speaker's expected baseline."""
    first = _claim(
        session,
        1,
        "The embargo will almost certainly be lifted by June",
        question="Will the embargo be lifted by June?",
        probability=0.9,
    )
    _claim(
        session,
        2,
        "Analysts expect the embargo to stay in place",
        probability=0.8,
        question_id=first.question_id,
        stance="against",
        speaker="Kay Bank Research",
        speaker_kind="organization",
    )
    _claim(
        session,
        3,
        "The embargo will probably be lifted by June",
        probability=0.6,
        question_id=first.question_id,
    )
    resolve_question(session, first.question_id, "true")
    session.commit()
    return {
        "writer-1": _baseline(0.9),
        "kay-bank-research": _baseline(0.2),
        "writer-3": _baseline(0.6),
    }


def _peers(baselines: dict[str, float]) -> dict[str, float]:
    mean = sum(baselines.values()) / len(baselines)
    return {k: v - mean for k, v in baselines.items()}


def test_api_gives_baseline_and_peer_per_speaker(
    client: FlaskClient, question: dict[str, float]
) -> None:
    data = client.get("/api/v1/scorecard").get_json()
    peers = _peers(question)
    overall = data["group"]
    assert overall["n_peer"] == 3 and overall["peer"] == pytest.approx(0.0, abs=1e-5)
    assert overall["baseline"] == pytest.approx(sum(question.values()) / 3, abs=1e-5)
    speakers = {g["key"]: g for g in data["speakers"]}
    assert set(speakers) == set(question)
    assert speakers["kay-bank-research"]["name"] == "Kay Bank Research"
    for slug, group in speakers.items():
        assert group["baseline"] == pytest.approx(question[slug], abs=1e-5)
        assert group["peer"] == pytest.approx(peers[slug], abs=1e-5)
        assert group["n_peer"] == 1
    # An author's forecasts are the quotes of their sources; a quote naming someone else is
    # that speaker's, not the author's.
    authors = {g["key"]: g for g in data["authors"]}
    assert authors["writer-2"]["baseline"] == pytest.approx(question["kay-bank-research"])

    one = client.get("/api/v1/scorecard?speaker=Kay Bank Research").get_json()
    assert one["filters"]["speaker"] == "kay-bank-research"
    assert one["group"]["peer"] == pytest.approx(peers["kay-bank-research"], abs=1e-5)
    assert "speakers" not in one
    assert client.get("/api/v1/scorecard?speaker=nobody").status_code == 404
    both = client.get("/api/v1/scorecard?speaker=writer-1&author=writer-1")
    assert both.status_code == 400


def test_csv_carries_the_comparative_columns(
    client: FlaskClient, question: dict[str, float]
) -> None:
    response = client.get("/scorecard.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {"baseline", "peer", "n_peer", "brier", "n_scored"} <= set(rows[0])
    by_key = {(r["dimension"], r["key"]): r for r in rows}
    peers = _peers(question)
    for slug in question:
        row = by_key[("speaker", slug)]
        assert float(row["baseline"]) == pytest.approx(question[slug], rel=1e-3)
        assert float(row["peer"]) == pytest.approx(peers[slug], rel=1e-3)
        assert row["n_peer"] == "1"


def test_pages_show_baseline_and_peer(client: FlaskClient, question: dict[str, float]) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<h2 id="speakers">Speakers</h2>' in page
    assert 'href="/speakers/kay-bank-research"' in page
    assert '<th scope="col">Peer</th>' in page and "a coin toss" in page
    peers = _peers(question)
    speaker = client.get("/speakers/kay-bank-research").get_data(as_text=True)
    assert "<h1>Kay Bank Research</h1>" in speaker
    assert f"{peers['kay-bank-research']:+.1f}" in speaker  # the speaker's mean peer score
    assert client.get("/speakers/nobody").status_code == 404
    # An author's page is their speaker's page now.
    author = client.get("/authors/writer-1", follow_redirects=True).get_data(as_text=True)
    assert f"{peers['writer-1']:+.1f}" in author


def test_score_command_shows_baseline_and_peer(
    runner: FlaskCliRunner, question: dict[str, float]
) -> None:
    result = runner.invoke(tracker.cli.main, ["score", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {g["key"] for g in data["speakers"]} == set(question)
    one = runner.invoke(tracker.cli.main, ["score", "--speaker", "writer-3", "--json"])
    assert json.loads(one.output)["group"]["baseline"] == pytest.approx(question["writer-3"])
    table = runner.invoke(tracker.cli.main, ["score"])
    assert table.exit_code == 0, table.output
    assert "peer" in table.output.splitlines()[0]
    line = next(x for x in table.output.splitlines() if "Kay Bank Research" in x)
    assert f"{_peers(question)['kay-bank-research']:.1f}" in line
