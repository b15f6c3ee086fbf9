"""/claims.csv costs one pass over the claims per state of the data, however many ask: the export
is written once, kept, and sent from its file; a client holding it gets 304; while one export is
being written, another waits its turn or is asked to come back (503, Retry-After)."""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.record import exports, services


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The after_id of every batch read for an export."""
    read: list[int] = []
    original = exports.export_batch

    def counted(*args: Any, **kwargs: Any) -> Any:
        read.append(kwargs["after_id"])
        return original(*args, **kwargs)

    monkeypatch.setattr(exports, "export_batch", counted)
    return read


def _rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_export_is_written_once_per_state_of_the_data(
    app: Flask, client: FlaskClient, session: Session, seeded: int, passes: list[int]
) -> None:
    app.config["SCORECARD_FRESHNESS_SECONDS"] = 0  # a change is seen at once, not within 1 s
    first = _rows(client.get("/claims.csv"))
    written = len(passes)
    assert written >= 1 and len(first) == 17
    # Again, and with parameters that change nothing: sent from the kept file.
    assert _rows(client.get("/claims.csv")) == first
    assert _rows(client.get("/claims.csv?utm_source=feed&status=")) == first
    assert len(passes) == written
    services.record_claim(session, seeded, kind="fact", quote="Qassim Soleimani")
    session.commit()
    assert len(_rows(client.get("/claims.csv"))) == 18
    assert len(passes) > written


def test_a_client_holding_the_export_gets_304(client: FlaskClient, seeded: int) -> None:
    response = client.get("/claims.csv")
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    again = client.get("/claims.csv", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_while_one_export_is_written_another_is_asked_to_come_back(
    app: Flask, client: FlaskClient, seeded: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["EXPORT_WAIT_SECONDS"] = 0.2
    started, release = threading.Event(), threading.Event()
    original = exports.export_batch

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(exports, "export_batch", slow)
    answers: list[Any] = []
    writer = threading.Thread(target=lambda: answers.append(app.test_client().get("/claims.csv")))
    writer.start()
    try:
        assert started.wait(10)
        busy = client.get("/claims.csv?kind=fact")
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "0"
        assert "another export is being written" in busy.get_data(as_text=True)
    finally:
        release.set()
        writer.join(10)
    assert len(_rows(answers[0])) == 17
    assert len(_rows(client.get("/claims.csv?kind=fact"))) == 7
