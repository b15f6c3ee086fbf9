"""The reminder scheduler: planning, cancelling, snoozing, retries, dead letters, digests after
downtime. Time is a FixedClock; nothing sleeps."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import random
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from tests.conftest import csrf_token
from tests.reminders.factories import T0, RecordingNotifier, make_claim, make_user
from tracker.models import OutboxMessage, Reminder, User
from tracker.reminders import scheduler
from tracker.reminders import services as reminders
from tracker.reminders.notify import Delivery, WebhookNotifier
from tracker.reminders.scheduler import Scheduler
from tracker.reminders.timing import FixedClock, Settings

DAY = dt.timedelta(days=1)
SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def _scheduler(app: Flask, notifier: object, clock: FixedClock, **settings: object) -> Scheduler:
    return Scheduler(
        app.extensions["tracker.engine"],
        {"email": notifier},  # type: ignore[dict-item]
        Settings(base_url="http://tracker.test", **settings),  # type: ignore[arg-type]
        clock,
        rng=random.Random(5),
    )


def _fresh(session: Session) -> None:
    """End the test's read transaction (SQLite would keep its snapshot) and forget loaded rows."""
    session.commit()
    session.expire_all()


def _reminders(session: Session) -> list[tuple[int, str, int, str, str]]:
    _fresh(session)
    return [
        tuple(row)  # type: ignore[misc]
        for row in session.execute(
            select(
                Reminder.question_id,
                Reminder.kind,
                Reminder.user_id,
                Reminder.channel,
                Reminder.status,
            ).order_by(Reminder.id)
        )
    ]


def test_a_due_claim_prompts_its_reviewers_then_overdue_then_escalation_to_admins(
    app: Flask, session: Session
) -> None:
    alice = make_user(session, "alice@example.org")
    admin = make_user(session, "admin@example.org", role="admin")
    claim = make_claim(session, T0, [alice])
    make_claim(session, T0 + 30 * DAY, [alice])  # not due: nothing planned
    session.commit()
    clock = FixedClock(T0 + dt.timedelta(minutes=1))
    notifier = RecordingNotifier()
    result = _scheduler(app, notifier, clock).tick()
    assert result.planned == 4 and result.sent == 1
    assert sorted(_reminders(session)) == sorted(
        [
            (claim.question_id, "due", alice.id, "email", "sent"),
            (claim.question_id, "overdue", alice.id, "email", "pending"),
            (claim.question_id, "escalation", alice.id, "email", "pending"),
            (claim.question_id, "escalation", admin.id, "email", "pending"),
        ]
    )
    (message,) = notifier.calls
    assert message.recipient_email == "alice@example.org"
    resolve_url = f"http://tracker.test/questions/{claim.question_id}/resolve"
    assert message.items[0].resolve_url == resolve_url
    assert resolve_url in message.text and "is due" in message.subject

    clock.advance(3 * DAY)
    assert _scheduler(app, notifier, clock).tick().sent == 1
    assert notifier.calls[-1].items[0].kind == "overdue"
    clock.advance(7 * DAY)
    assert _scheduler(app, notifier, clock).tick().sent == 2
    assert {m.recipient_email for m in notifier.calls[-2:]} == {
        "alice@example.org",
        "admin@example.org",
    }
    # Nothing is sent twice, however often the scheduler ticks.
    clock.advance(DAY)
    assert _scheduler(app, notifier, clock).tick().sent == 0
    assert len(notifier.calls) == 4


def test_a_claim_nobody_is_assigned_to_prompts_the_admins(app: Flask, session: Session) -> None:
    admin = make_user(session, "admin@example.org", role="admin")
    claim = make_claim(session, T0)
    session.commit()
    _scheduler(app, RecordingNotifier(), FixedClock(T0 + DAY)).tick()
    kinds = {(kind, user) for c, kind, user, _, _ in _reminders(session) if c == claim.question_id}
    assert kinds == {("due", admin.id), ("overdue", admin.id), ("escalation", admin.id)}
    # Assigning a reviewer later moves the due and overdue prompts to them.
    bob = make_user(session, "bob@example.org")
    from tracker.models import Assignment

    session.add(Assignment(question_id=claim.question_id, user_id=bob.id))
    session.commit()
    _scheduler(app, RecordingNotifier(), FixedClock(T0 + DAY)).tick()
    live = {
        (kind, user) for _, kind, user, _, status in _reminders(session) if status != "cancelled"
    }
    assert ("overdue", admin.id) not in live
    assert {("overdue", bob.id), ("escalation", bob.id), ("escalation", admin.id)} <= live


def test_resolving_cancels_and_snoozing_moves_without_the_services_calling_in(
    app: Flask, session: Session
) -> None:
    alice = make_user(session, "alice@example.org")
    resolved = make_claim(session, T0, [alice])
    snoozed = make_claim(session, T0, [alice])
    session.commit()
    clock = FixedClock(T0 + dt.timedelta(minutes=1))
    notifier = RecordingNotifier()
    _scheduler(app, notifier, clock).tick()
    assert len(notifier.calls) == 2  # on time: one message each, no digest
    resolved.linked_question.status, resolved.linked_question.outcome = "resolved", "true"
    snoozed.linked_question.snoozed_until = T0 + 20 * DAY
    snoozed.linked_question.snooze_reason = "the report is due on the 21st"
    session.commit()
    clock.advance(5 * DAY)  # past the overdue prompt's time
    result = _scheduler(app, notifier, clock).tick()
    assert result.cancelled == 2 and result.sent == 0
    assert all(
        status == "cancelled"
        for c, kind, _, _, status in _reminders(session)
        if c == resolved.question_id and kind != "due"
    )
    # The snooze ends: the first prompt still to send comes at its end, the rest keep spacing.
    clock.at = T0 + 20 * DAY
    _scheduler(app, notifier, clock).tick()
    assert [m.items[0].kind for m in notifier.calls[2:]] == ["overdue"]
    _fresh(session)
    due_at = session.scalar(
        select(Reminder.due_at).where(
            Reminder.question_id == snoozed.question_id, Reminder.kind == "escalation"
        )
    )
    assert due_at == T0 + 27 * DAY


def test_cancel_pending_and_replan_act_at_once(app: Flask, session: Session) -> None:
    alice = make_user(session, "alice@example.org")
    claim = make_claim(session, T0, [alice])
    session.commit()
    now = T0 + DAY
    assert reminders.plan(session, now, ("email",)) == 3
    question = claim.linked_question
    question.snoozed_until, question.snooze_reason = T0 + 9 * DAY, "waiting for figures"
    assert scheduler.replan(session, question, now) == 3
    due = dict(
        session.execute(
            select(Reminder.kind, Reminder.due_at).where(Reminder.question_id == question.id)
        ).all()
    )
    assert due == {"due": T0 + 9 * DAY, "overdue": T0 + 12 * DAY, "escalation": T0 + 19 * DAY}
    assert scheduler.cancel_pending(session, question.id, now) == 3
    session.commit()
    # Re-opened and due again (no snooze): the cancelled reminders come back, not new rows.
    question.snoozed_until = question.snooze_reason = None
    session.commit()
    _scheduler(app, RecordingNotifier(), FixedClock(now)).tick()
    assert session.scalar(select(func.count()).select_from(Reminder)) == 3
    assert [s for _, k, *_, s in _reminders(session) if k != "due"] == ["pending", "pending"]


def _verify_signature(request: Request) -> None:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    signed = (
        f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
        + request.get_data()
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert request.headers["webhook-signature"] == f"v1,{expected}"


def test_webhook_failing_three_times_then_200_is_delivered_under_one_id(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    alice = make_user(session, "alice@example.org")
    claim = make_claim(session, T0, [alice])
    session.commit()
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        _verify_signature(request)
        return Response("busy", status=503 if len(seen) <= 3 else 200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    notifier = WebhookNotifier(httpserver.url_for("/hook"), SECRET)
    clock = FixedClock(T0)
    ticker = Scheduler(
        app.extensions["tracker.engine"],
        {"webhook": notifier},
        Settings(base_url="http://tracker.test"),
        clock,
        rng=random.Random(1),
    )
    for _ in range(4):
        ticker.tick()
        _fresh(session)
        message = session.scalars(select(OutboxMessage)).one()
        clock.at = max(clock.at, message.next_attempt_at)
    _fresh(session)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.status == "sent" and message.attempts == 4
    assert len({r.headers["webhook-id"] for r in seen}) == 1
    assert seen[0].headers["webhook-id"] == message.uid
    body = json.loads(seen[-1].get_data())
    assert f"/questions/{claim.question_id}/resolve" in body["text"]
    assert body["reminders"][0]["question_id"] == claim.question_id
    assert body["reminders"][0]["claim_id"] == claim.id  # for receivers that know claims only


def test_backoff_grows_with_jitter_and_gives_up_after_72_hours(
    app: Flask, session: Session
) -> None:
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    clock = FixedClock(T0)
    notifier = RecordingNotifier(answers=[Delivery.retry("timeout")] * 1000)
    ticker = _scheduler(app, notifier, clock)
    waits = []
    for _ in range(100):
        ticker.tick()
        _fresh(session)
        message = session.scalars(select(OutboxMessage)).one()
        if message.status == "dead":
            break
        waits.append(message.next_attempt_at - clock.at)
        clock.at = message.next_attempt_at
    assert waits[0] < waits[3] < waits[6]
    assert len(set(waits)) == len(waits)  # jitter: no two waits alike
    assert clock.at - T0 <= dt.timedelta(hours=72)
    assert "72 hours" in (message.last_error or "")
    assert {s for *_, s in _reminders(session) if _[1] == "due"} == {"dead"}


def test_410_is_dead_at_once(app: Flask, session: Session, httpserver: HTTPServer) -> None:
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    ticker = Scheduler(
        app.extensions["tracker.engine"],
        {"webhook": WebhookNotifier(httpserver.url_for("/hook"), SECRET)},
        Settings(),
        FixedClock(T0),
    )
    assert ticker.tick().dead == 1
    _fresh(session)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.status == "dead" and message.attempts == 1
    assert message.last_error == "HTTP 410 GONE"


def test_429_with_retry_after_waits_as_told(
    app: Flask, session: Session, httpserver: HTTPServer
) -> None:
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    answers = [Response("slow down", status=429, headers={"Retry-After": "120"})]

    def handler(request: Request) -> Response:
        return answers.pop(0) if answers else Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(handler)
    clock = FixedClock(T0)
    ticker = Scheduler(
        app.extensions["tracker.engine"],
        {"webhook": WebhookNotifier(httpserver.url_for("/hook"), None)},
        Settings(),
        clock,
    )
    assert ticker.tick().failed == 1
    _fresh(session)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=120)
    clock.advance(dt.timedelta(seconds=119))
    assert ticker.tick().sent == 0
    clock.advance(dt.timedelta(seconds=1))
    assert ticker.tick().sent == 1


def test_webhook_refuses_redirects(app: Flask, session: Session, httpserver: HTTPServer) -> None:
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/"}
    )
    ticker = Scheduler(
        app.extensions["tracker.engine"],
        {"webhook": WebhookNotifier(httpserver.url_for("/hook"), None)},
        Settings(),
        FixedClock(T0),
    )
    assert ticker.tick().dead == 1
    assert len(httpserver.log) == 1


def test_thirty_days_of_downtime_give_one_digest_per_recipient(
    app: Flask, session: Session
) -> None:
    alice = make_user(session, "alice@example.org")
    bob = make_user(session, "bob@example.org")
    admin = make_user(session, "admin@example.org", role="admin")
    for day in range(25):
        make_claim(session, T0 + day * DAY, [alice, bob] if day % 2 else [alice])
    session.commit()
    notifier = RecordingNotifier()
    later = FixedClock(T0 + 30 * DAY + dt.timedelta(hours=1))
    result = _scheduler(app, notifier, later).tick()
    assert result.sent == 3
    by_recipient = {m.recipient_email: m for m in notifier.calls}
    assert set(by_recipient) == {"alice@example.org", "bob@example.org", "admin@example.org"}
    alice_digest = by_recipient["alice@example.org"]
    assert alice_digest.is_digest and len(alice_digest.items) == 25  # each question once
    assert "25 questions" in alice_digest.subject
    assert len(by_recipient["bob@example.org"].items) == 12
    # Every reminder that fell due is accounted for, and none goes out again.
    _fresh(session)
    sent = session.scalar(select(func.count()).where(Reminder.status == "sent"))
    assert sent == len(notifier.reminder_ids)
    assert _scheduler(app, notifier, later).tick().sent == 0
    del admin


def test_user_channel_preferences(app: Flask, session: Session) -> None:
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    reminders.set_channels(session, alice.id, email=False)
    session.commit()
    chat = RecordingNotifier(channel="webhook")
    ticker = Scheduler(
        app.extensions["tracker.engine"],
        {"email": RecordingNotifier(), "webhook": chat},
        Settings(),
        FixedClock(T0),
    )
    ticker.tick()
    assert {channel for *_, channel, _ in _reminders(session)} == {"webhook"}
    assert len(chat.calls) == 1


def test_retry_of_a_dead_message(app: Flask, session: Session) -> None:
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    notifier = RecordingNotifier(answers=[Delivery.refused("550 no such user")])
    clock = FixedClock(T0)
    _scheduler(app, notifier, clock).tick()
    _fresh(session)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.status == "dead"
    reminders.retry_message(session, message.id, clock.at)
    session.commit()
    assert _scheduler(app, notifier, clock).tick().sent == 1
    assert notifier.attempts_per_uid[message.uid] == 2


@pytest.mark.parametrize("value", ["2026-13-01T00:00Z", "yesterday", "2026-02-30"])
def test_tick_refuses_a_bad_now(runner: object, value: str) -> None:
    import tracker.cli

    result = runner.invoke(tracker.cli.main, ["scheduler", "tick", "--now", value])  # type: ignore[attr-defined]
    assert result.exit_code == 2
    assert "--now" in result.output


def test_tick_from_the_command_line(runner: object, session: Session) -> None:
    import tracker.cli

    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    result = runner.invoke(  # type: ignore[attr-defined]
        tracker.cli.main, ["scheduler", "tick", "--now", "2026-01-02T00:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert "planned 3" in result.output and "sent 1" in result.output
    listed = runner.invoke(tracker.cli.main, ["outbox", "list"])  # type: ignore[attr-defined]
    assert "sent" in listed.output and "alice@example.org" in listed.output


def test_the_outbox_page_shows_a_dead_message_with_its_reason_and_retries_it(
    app: Flask,
    session: Session,
    httpserver: HTTPServer,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    admin = make_user("admin")
    reviewer = make_user("reviewer")
    claim = make_claim(session, T0, [reviewer])
    session.commit()
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    ticker = Scheduler(
        app.extensions["tracker.engine"],
        {"webhook": WebhookNotifier(httpserver.url_for("/hook"), None)},
        Settings(),
        FixedClock(T0),
    )
    assert ticker.tick().dead == 1
    assert client.get("/admin/outbox").status_code == 302  # anonymous: to the login page
    login(reviewer)
    assert client.get("/admin/outbox").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/review")})
    login(admin)
    page = client.get("/admin/outbox?status=dead").get_data(as_text=True)
    assert "HTTP 410 GONE" in page and reviewer.email in page
    assert f'href="/questions/{claim.question_id}/resolve"' in page
    message = session.scalars(select(OutboxMessage)).one()
    token = csrf_token(client, "/admin/outbox")
    answer = client.post(f"/admin/outbox/{message.id}/retry", data={"csrf_token": token})
    assert answer.status_code == 302
    _fresh(session)
    assert session.get(OutboxMessage, message.id).status == "pending"  # type: ignore[union-attr]
    refused = client.post(f"/admin/outbox/{message.id}/retry", data={"csrf_token": token})
    assert refused.status_code == 302
    assert "only failed or dead" in client.get("/admin/outbox").get_data(as_text=True)
