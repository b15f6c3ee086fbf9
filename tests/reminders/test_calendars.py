"""Calendar feeds and the scheduler's place in readiness, through the HTTP client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
import time_machine
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.reminders.factories import T0, make_claim, make_user
from tracker.models import ReminderSettings, SchedulerHeartbeat
from tracker.reminders import calendars


def test_public_deadline_feed_is_valid_icalendar_with_stable_uids(
    client: FlaskClient, session: Session
) -> None:
    claim = make_claim(session, T0 + dt.timedelta(days=3))
    session.commit()
    with time_machine.travel(T0, tick=False):
        first = client.get("/deadlines.ics")
        second = client.get("/deadlines.ics")
    assert first.status_code == 200
    assert first.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(first.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"question-{claim.question_id}-deadline@tracker.test"
    assert event.decoded("dtstart") == T0 + dt.timedelta(days=3)
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert "dtstamp" in event
    assert str(event["url"]) == f"http://tracker.test/claims/{claim.id}"
    assert first.data == second.data  # nothing changes between fetches: clients update in place
    assert b"\r\n" in first.data


def test_private_feed_lists_only_assigned_deadlines_behind_a_secret_token(
    client: FlaskClient, session: Session
) -> None:
    alice = make_user(session, "alice@example.org")
    mine = make_claim(session, T0 + dt.timedelta(days=1), [alice])
    make_claim(session, T0 + dt.timedelta(days=2))
    token = calendars.issue_token(session, alice)
    session.commit()
    stored = session.scalar(select(ReminderSettings.calendar_token_sha256))
    assert stored is not None and token not in stored and len(stored) == 64
    with time_machine.travel(T0, tick=False):
        response = client.get(f"/calendar/{token}.ics")
        wrong = client.get("/calendar/not-the-token.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["url"]) for e in events] == [
        f"http://tracker.test/questions/{mine.question_id}/resolve"
    ]
    assert wrong.status_code == 404
    # A new token replaces the old one.
    calendars.issue_token(session, alice)
    session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_readiness_reports_a_scheduler_silent_for_three_ticks(
    client: FlaskClient, session: Session
) -> None:
    assert client.get("/readyz").get_json()["checks"]["scheduler"].startswith("no scheduler")
    session.add(SchedulerHeartbeat(name="one", started_at=T0, last_tick_at=T0))
    session.commit()
    with time_machine.travel(T0 + dt.timedelta(seconds=89), tick=False):
        assert client.get("/readyz").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(seconds=91), tick=False):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["scheduler"].startswith("silent for 91 s")
    beat = session.get(SchedulerHeartbeat, "one")
    assert beat is not None
    beat.last_error = "OperationalError: disk full"
    session.commit()
    with time_machine.travel(T0 + dt.timedelta(seconds=1), tick=False):
        failing = client.get("/readyz")
    assert failing.status_code == 503
    assert "failed: OperationalError: disk full" in failing.get_json()["checks"]["scheduler"]


def test_calendar_token_from_the_command_line(runner: object, session: Session) -> None:
    import tracker.cli

    make_user(session, "alice@example.org")
    session.commit()
    result = runner.invoke(  # type: ignore[attr-defined]
        tracker.cli.main, ["calendar", "token", "--email", "Alice@example.org"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("http://tracker.test/calendar/")
    missing = runner.invoke(  # type: ignore[attr-defined]
        tracker.cli.main, ["calendar", "token", "--email", "nobody@example.org"]
    )
    assert missing.exit_code == 1 and "no user" in missing.output


def test_calendar_token_says_when_its_address_is_only_the_default(
    runner: FlaskCliRunner, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run PORT=8080`, then the command by hand: the address printed would lead to port
    5000. The command says where its addresses come from when nothing set TRACKER_BASE_URL."""
    import tracker.cli

    make_user(session, "alice@example.org")
    session.commit()
    args = ["calendar", "token", "--email", "alice@example.org"]
    monkeypatch.delenv("TRACKER_BASE_URL", raising=False)
    runner.app.config["BASE_URL"] = "http://127.0.0.1:5000"
    default = runner.invoke(tracker.cli.main, args)
    assert default.exit_code == 0, default.output
    assert default.stdout.startswith("http://127.0.0.1:5000/calendar/")
    assert "set TRACKER_BASE_URL" in default.stderr
    monkeypatch.setenv("TRACKER_BASE_URL", "http://127.0.0.1:5000")
    chosen = runner.invoke(tracker.cli.main, args)
    assert chosen.exit_code == 0 and chosen.stderr == ""
    monkeypatch.delenv("TRACKER_BASE_URL")
    runner.app.config["BASE_URL"] = "http://127.0.0.1:8080"  # set in the configuration
    other = runner.invoke(tracker.cli.main, args)
    assert other.stdout.startswith("http://127.0.0.1:8080/calendar/") and other.stderr == ""


def test_the_public_feed_is_built_once_a_minute_whoever_asks(
    client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to 5,000 events take seconds to write: a crowd asking costs one build a minute."""
    make_claim(session, T0 + dt.timedelta(days=3))
    session.commit()
    builds = []
    original = calendars.public_feed

    def counted(*args: Any) -> bytes:
        builds.append(args[1])
        return original(*args)

    monkeypatch.setattr(calendars, "public_feed", counted)
    with time_machine.travel(T0, tick=False):
        first = client.get("/deadlines.ics")
        for _ in range(5):
            assert client.get("/deadlines.ics").data == first.data
        cached = client.get("/deadlines.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304
    assert len(builds) == 1
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        client.get("/deadlines.ics")
    assert len(builds) == 2
