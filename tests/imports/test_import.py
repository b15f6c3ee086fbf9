"""Importing from the outside: the candidates API and `tracker import URL|FILE`."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cli import main
from tracker.models import Source

DATA = Path(__file__).parent / "data"


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
