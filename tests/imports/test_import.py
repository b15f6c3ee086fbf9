"""Importing from the outside: the candidates API and `tracker import URL|FILE`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cli import main
from tracker.imports import candidates as proposals
from tracker.imports.extract import PAGE_CHARS, extract_candidates, extract_page
from tracker.models import Source
from tracker.record import services
from tracker.record.services import MAX_TEXT_CHARS

DATA = Path(__file__).parent / "data"
NAMES = ("reservoir", "ferry")


def test_candidates_of_the_seed_article(client: FlaskClient, seeded: int) -> None:
    response = client.get(f"/api/v1/sources/{seeded}/candidates")
    assert response.status_code == 200
    body = response.get_json()
    assert body["source_id"] == seeded
    forecasts = [c for c in body["data"] if c["kind"] == "forecast"]
    likely = next(c for c in forecasts if c["phrase"] == "is likely")
    assert likely["quote"] == "A global terrorist campaign of uncertain duration is likely."
    assert likely["sentence"] == likely["quote"]
    assert likely["probability"] == 0.675 and likely["probability_origin"] == "phrase"
    assert likely["deadline"] == "2021-01-03T23:59:59Z" and likely["deadline_origin"] == "inferred"
    assert likely["recorded_claim_id"] is not None  # the seed recorded this one already
    conditional = next(c for c in forecasts if c["condition"])
    assert conditional["hedged"] is True and conditional["phrase"] == "can"
    for candidate in body["data"]:
        assert set(candidate) >= {
            "kind",
            "quote",
            "sentence",
            "quote_start",
            "quote_end",
            "phrase",
            "probability",
            "hedged",
            "negated",
            "condition",
            "deadline",
            "deadline_origin",
            "deadline_reason",
            "reason",
        }


def test_candidates_of_a_missing_source(client: FlaskClient) -> None:
    response = client.get("/api/v1/sources/999/candidates")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def _article_text(size: int) -> str:
    """The labelled articles, paragraph after paragraph, to `size` characters."""
    articles = [(DATA / f"{name}-article.txt").read_text(encoding="utf-8") for name in NAMES]
    text = "\n\n".join(articles) + "\n\n"
    return (text * (size // len(text) + 1))[: size - 1].rstrip() + "."


def _walk(client: FlaskClient, source_id: int) -> list[dict[str, Any]]:
    """Every page of a source's candidates, following `next`."""
    pages = []
    url: str | None = f"/api/v1/sources/{source_id}/candidates"
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response.get_json())
        url = pages[-1]["next"]
        assert len(pages) < 100
    return pages


def test_candidates_of_the_largest_source_come_a_bounded_page_at_a_time(
    client: FlaskClient, session: Session
) -> None:
    """An anonymous reader never makes the server read a two-million-character text at once:
    each answer covers one stretch of it (one answer used to hold all 12,000 candidates)."""
    text = _article_text(MAX_TEXT_CHARS)
    source = services.record_source(session, title="Everything at once", text=text)
    session.commit()
    response = client.get(f"/api/v1/sources/{source.id}/candidates")
    assert response.status_code == 200
    assert len(response.get_data()) < 400_000
    first = response.get_json()
    assert first["data"] and first["next"] is not None
    assert all(c["quote_end"] <= PAGE_CHARS for c in first["data"])
    second = client.get(first["next"]).get_json()
    assert second["data"] and second["next"] is not None
    assert second["data"][0]["quote_start"] >= first["data"][-1]["quote_end"]
    assert all(
        c["quote_end"] - first["data"][-1]["quote_end"] <= PAGE_CHARS for c in second["data"]
    )


def test_following_next_gives_every_candidate_once_in_text_order(
    client: FlaskClient, session: Session
) -> None:
    text = _article_text(3 * PAGE_CHARS)
    source = services.record_source(session, title="Three pages", text=text)
    session.commit()
    pages = _walk(client, source.id)
    assert len(pages) >= 3
    walked = [c for page in pages for c in page["data"]]
    whole = proposals.list_candidates(session, source.id)
    assert [(c["kind"], c["quote_start"], c["quote_end"]) for c in walked] == [
        (p.candidate.kind, p.candidate.quote_start, p.candidate.quote_end) for p in whole
    ]
    # The pages read the text as one reading of it would: paragraphs are read apart.
    assert len(walked) == len(extract_candidates(text, None, page_chars=10**7))


def test_a_page_is_worked_out_once_and_then_read_from_memory(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A text of its own: pages are kept by the text's sha256, whichever test read it first.
    text = _article_text(5_000) + f"\n\nRun {uuid.uuid4()}."
    source = services.record_source(session, title="Twice", text=text)
    session.commit()
    calls = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return extract_page(*args, **kwargs)

    monkeypatch.setattr(proposals, "extract_page", counted)
    first = client.get(f"/api/v1/sources/{source.id}/candidates").get_json()
    again = client.get(f"/api/v1/sources/{source.id}/candidates").get_json()
    assert first == again and len(calls) == 1


def test_candidates_name_the_claim_recorded_over_their_words(
    client: FlaskClient, session: Session
) -> None:
    text = "Prices will rise in 2027. Rates will fall by 2028. Wages might stall next year."
    source = services.record_source(session, title="Three forecasts", text=text)
    both = services.record_claim(
        session, source.id, kind="fact", quote="Prices will rise in 2027. Rates will fall"
    )
    rates = services.record_claim(session, source.id, kind="fact", quote="Rates will fall")
    session.commit()
    data = client.get(f"/api/v1/sources/{source.id}/candidates").get_json()["data"]
    recorded = {c["quote"]: c["recorded_claim_id"] for c in data if c["kind"] == "forecast"}
    assert recorded == {
        "Prices will rise in 2027.": both.id,
        "Rates will fall by 2028.": both.id,  # the first by where its quote starts
        "Wages might stall next year.": None,
    }
    assert rates.id != both.id


@pytest.mark.parametrize("cursor", ["nonsense!", "OTk5OTk5OTk5", "LTE", "eA"])
def test_a_cursor_not_given_out_is_refused(client: FlaskClient, seeded: int, cursor: str) -> None:
    response = client.get(f"/api/v1/sources/{seeded}/candidates?cursor={cursor}")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"cursor": "invalid"}


def test_import_a_text_file(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        main,
        [
            "import",
            str(DATA / "reservoir-article.txt"),
            "--published",
            "2025-03-10T12:00:00Z",
            "--outlet",
            "The Valley Ledger",
            "--url",
            "https://ledger.example/reservoir",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Regulators will probably approve the river pipeline by 2027." in result.output
    assert "70% 'will probably' by 2027-12-31 (explicit)" in result.output
    assert "if: the spring rains fail again" in result.output
    source = session.scalars(select(Source)).one()
    assert source.title == "Harbor City's reservoir gamble"  # the first line
    assert source.outlet == "The Valley Ledger" and source.url == "https://ledger.example/reservoir"
    assert source.raw_sha256 is not None


def test_import_a_url_prints_json_lines(
    app: Flask, runner: FlaskCliRunner, httpserver: HTTPServer
) -> None:
    text = (DATA / "reservoir-article.txt").read_text(encoding="utf-8")
    httpserver.expect_request("/story").respond_with_data(
        text, content_type="text/plain; charset=utf-8"
    )
    url = httpserver.url_for("/story")
    refused = runner.invoke(main, ["import", url])
    assert refused.exit_code == 1 and "not a public address" in refused.output
    app.config["ALLOW_PRIVATE_FETCH"] = True
    result = runner.invoke(main, ["import", url, "--published", "2025-03-10", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    stated = [r for r in rows if r["probability_origin"] == "stated"]
    assert [r["probability"] for r in stated] == [0.6, 0.25]
    assert all(text[r["quote_start"] : r["quote_end"]] == r["quote"] for r in rows)


def test_import_refuses_what_it_cannot_read(runner: FlaskCliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(main, ["import", str(tmp_path / "nothing.txt")])
    assert missing.exit_code == 2 and "neither an http(s) URL nor a file" in missing.output
    page = tmp_path / "a.txt"
    page.write_text("Prices will rise.", encoding="utf-8")
    bad_date = runner.invoke(main, ["import", str(page), "--published", "last Tuesday"])
    assert bad_date.exit_code == 2 and "ISO 8601" in bad_date.output
