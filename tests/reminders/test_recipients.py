"""Who is prompted after judgements: only assigned reviewers whose judgement of the current
version is missing; a judgement cancels the judge's pending prompts at once; the admins take
over when nobody assigned is left to judge; a new version prompts everyone again."""

from __future__ import annotations

import datetime as dt
import random

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.reminders.factories import T0, RecordingNotifier, make_claim, make_user
from tracker.models import Claim, Reminder, User
from tracker.reminders import services as reminders
from tracker.reminders.scheduler import Scheduler
from tracker.reminders.timing import FixedClock, Settings
from tracker.review import changes, resolutions

DAY = dt.timedelta(days=1)
EVIDENCE = [resolutions.EvidenceItem(url="https://example.org/report")]


def _judge(session: Session, claim: Claim, user: User, now: dt.datetime) -> str:
    decision = resolutions.resolve_claim(
        session, claim, user, rationale="As reported.", outcome="true", evidence=EVIDENCE,
        quorum=2, now=now,
    )  # fmt: skip
    session.commit()
    return decision.state


def _live(session: Session, claim: Claim) -> set[tuple[str, int, str]]:
    """(kind, user, status) of the claim's reminders that are not cancelled."""
    session.commit()
    session.expire_all()
    return {
        (kind, user, status)
        for kind, user, status in session.execute(
            select(Reminder.kind, Reminder.user_id, Reminder.status).where(
                Reminder.question_id == claim.question_id, Reminder.status != "cancelled"
            )
        )
    }


def test_a_judgement_stops_the_judges_prompts_at_once_and_for_good(
    app: Flask, session: Session
) -> None:
    alice, bob = make_user(session, "alice@example.org"), make_user(session, "bob@example.org")
    admin = make_user(session, "admin@example.org", role="admin")
    claim = make_claim(session, T0, [alice, bob])
    session.commit()
    now = T0 + dt.timedelta(minutes=1)
    assert reminders.plan(session, now, ("email",)) == 7
    assert _judge(session, claim, alice, now) == "pending"
    # At once, without a tick: alice's prompts are cancelled, bob's and the admin's stay.
    assert {(k, u) for k, u, _ in _live(session, claim)} == {
        ("due", bob.id), ("overdue", bob.id), ("escalation", bob.id), ("escalation", admin.id),
    }  # fmt: skip
    notifier = RecordingNotifier()
    clock = FixedClock(now)
    ticker = Scheduler(
        app.extensions["tracker.engine"], {"email": notifier}, Settings(), clock,
        rng=random.Random(1),
    )  # fmt: skip
    for _ in range(4):
        ticker.tick()
        clock.advance(4 * DAY)
    prompted = sorted((m.recipient_email, i.kind) for m in notifier.calls for i in m.items)
    assert prompted == [
        ("admin@example.org", "escalation"),
        ("bob@example.org", "due"), ("bob@example.org", "escalation"),
        ("bob@example.org", "overdue"),
    ]  # fmt: skip


def test_the_admins_are_prompted_when_no_assigned_reviewer_is_left_to_judge(
    session: Session,
) -> None:
    alice = make_user(session, "alice@example.org")
    admin = make_user(session, "admin@example.org", role="admin")
    claim = make_claim(session, T0, [alice])  # too few people for a quorum of two
    session.commit()
    now = T0 + DAY
    assert _judge(session, claim, alice, now) == "pending"
    reminders.plan(session, now, ("email",))
    assert _live(session, claim) == {
        ("due", admin.id, "pending"), ("overdue", admin.id, "pending"),
        ("escalation", admin.id, "pending"),
    }  # fmt: skip
    # An admin who judges is not prompted either.
    assert _judge(session, claim, admin, now) == "final"
    reminders.plan(session, now, ("email",))
    assert _live(session, claim) == set()


def test_a_judge_who_takes_a_place_ends_the_prompts_of_the_one_replaced(
    session: Session,
) -> None:
    alice, bob = make_user(session, "alice@example.org"), make_user(session, "bob@example.org")
    carol = make_user(session, "carol@example.org")
    claim = make_claim(session, T0, [alice, bob])
    session.commit()
    now = T0 + DAY
    reminders.plan(session, now, ("email",))
    assert _judge(session, claim, carol, now) == "pending"
    assert [a.user_id for a in claim.assignments] == [alice.id, carol.id]
    reminders.plan(session, now, ("email",))
    assert {u for _, u, _ in _live(session, claim)} == {alice.id}


def test_a_new_version_prompts_its_earlier_judges_again(session: Session) -> None:
    alice, bob = make_user(session, "alice@example.org"), make_user(session, "bob@example.org")
    admin = make_user(session, "admin@example.org", role="admin")
    claim = make_claim(session, T0, [alice, bob])
    session.commit()
    now = T0 + DAY
    assert _judge(session, claim, alice, now) == "pending"
    reminders.plan(session, now, ("email",))
    assert alice.id not in {u for _, u, _ in _live(session, claim)}
    changes.reopen_claim(session, claim, admin, "The criteria could not decide it.")
    session.commit()
    reminders.plan(session, now, ("email",))
    assert {("due", alice.id), ("due", bob.id)} <= {(k, u) for k, u, _ in _live(session, claim)}
