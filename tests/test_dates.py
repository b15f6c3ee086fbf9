"""Dates read alike everywhere: a bare date is a whole day (a deadline its end, a publication
or a command's --now its start, UTC), and instants are written in UTC with a Z by the API and
the command line alike."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cli import main
from tracker.models import SchedulerHeartbeat, User


def test_the_api_takes_a_date_as_the_end_or_start_of_that_day(
    client: FlaskClient, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> None:
    headers = {"Authorization": f"Bearer {api_token(make_user('editor'))}"}
    source = client.post(
        "/api/v1/sources",
        json={"title": "Outlook", "text": "Rates will fall by June.", "published_at": "2025-03-10"},
        headers=headers,
    )
    assert source.status_code == 201, source.get_json()
    assert source.get_json()["published_at"] == "2025-03-10T00:00:00Z"
    claim = client.post(
        f"/api/v1/sources/{source.get_json()['id']}/claims",
        json={
            "kind": "forecast",
            "quote": "Rates will fall by June.",
            "question": "Will the central bank cut by 30 June 2027?",
            "deadline": "2027-06-30",
        },
        headers=headers,
    )
    assert claim.status_code == 201, claim.get_json()
    assert claim.get_json()["deadline"] == "2027-06-30T23:59:59Z"
    for bad in ("2027-02-30", "2027-06-30T23:59:59", "June 2027"):
        refused = client.post(
            f"/api/v1/sources/{source.get_json()['id']}/claims",
            json={"kind": "forecast", "quote": "Rates will fall", "deadline": bad},
            headers=headers,
        )
        assert refused.status_code == 422 and "deadline" in refused.get_json()["error"]["fields"]


def test_the_openapi_document_says_what_a_date_means(client: FlaskClient) -> None:
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    deadline = schemas["ClaimIn"]["properties"]["deadline"]
    assert {"type": "string", "format": "date"} in deadline["anyOf"]
    assert "end of that day, 23:59:59 UTC" in deadline["description"]
    published = schemas["SourceIn"]["properties"]["published_at"]
    assert "start of that day, 00:00 UTC" in published["description"]


def test_the_command_line_takes_a_date_for_now_and_writes_z(
    runner: FlaskCliRunner, session: Session, seeded: int, client: FlaskClient
) -> None:
    tick = runner.invoke(main, ["scheduler", "tick", "--now", "2026-01-31"])
    assert tick.exit_code == 0, tick.output
    beat = session.scalars(select(SchedulerHeartbeat)).one()
    assert beat.last_tick_at == dt.datetime(2026, 1, 31, tzinfo=dt.UTC)  # the start of the day
    listed = runner.invoke(main, ["claims", "list", "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines() if line.startswith("{")]
    api = {c["id"]: c for c in client.get("/api/v1/claims?limit=200").get_json()["data"]}
    assert rows and all(r["deadline"] == api[r["id"]]["deadline"] for r in rows)
    assert all(r["deadline"].endswith("Z") for r in rows if r["deadline"])
