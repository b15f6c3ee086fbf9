"""A hypothesis state machine over recording, planning, snoozing, judging, resolving, voiding
and ticking: after every tick, each due, unresolved, unsnoozed claim has exactly one live
reminder per kind and recipient who still owes it a judgement, none pending for one who has
judged it, and no message went out twice."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.reminders.factories import T0, RecordingNotifier, make_claim, make_user
from tracker.db import make_engine
from tracker.models import (
    Assignment,
    Claim,
    OutboxMessage,
    Reminder,
    ReminderSettings,
    Resolution,
    User,
)
from tracker.reminders import scheduler
from tracker.reminders import services as reminders
from tracker.reminders.scheduler import Scheduler
from tracker.reminders.services import OFFSETS
from tracker.reminders.timing import FixedClock, Settings

HOUR = dt.timedelta(hours=1)


def test_every_due_claim_keeps_one_live_reminder_per_kind_and_recipient(
    database_url: str,
) -> None:
    engine = make_engine(database_url)

    class Reminders(RuleBasedStateMachine):
        claims = Bundle("claims")

        @initialize()
        def start(self) -> None:
            with Session(engine) as session, session.begin():
                for model in (
                    Reminder, OutboxMessage, Assignment, ReminderSettings, Resolution, Claim,
                ):  # fmt: skip
                    session.execute(delete(model))
                session.execute(delete(User))
            self.session = Session(engine)
            self.users = [make_user(self.session, f"r{i}@example.org").id for i in range(3)] + [
                make_user(self.session, "admin@example.org", role="admin").id
            ]
            self.session.commit()
            self.clock = FixedClock(T0)
            self.receiver = RecordingNotifier()
            self.judged: set[tuple[int, str]] = set()  # (claim, email): nothing more to send
            self.ticker = Scheduler(engine, {"email": self.receiver}, Settings(), self.clock)

        def teardown(self) -> None:
            self.session.close()

        @rule(
            target=claims,
            hours=st.integers(min_value=-400, max_value=400),
            reviewers=st.sets(st.integers(0, 2), max_size=3),
        )
        def record(self, hours: int, reviewers: set[int]) -> int:
            users = [self.session.get(User, self.users[i]) for i in sorted(reviewers)]
            claim = make_claim(self.session, self.clock.at + hours * HOUR, users)  # type: ignore[arg-type]
            self.session.commit()
            return claim.id

        @rule()
        def plan(self) -> None:
            reminders.plan(self.session, self.clock.at, ("email",))
            self.session.commit()

        @rule(claim_id=claims, hours=st.integers(min_value=1, max_value=500), act=st.booleans())
        def snooze(self, claim_id: int, hours: int, act: bool) -> None:
            claim = self.session.get(Claim, claim_id)
            assert claim is not None
            if claim.status != "open":
                return
            claim.snoozed_until = self.clock.at + hours * HOUR
            claim.snooze_reason = "waiting for the data"
            if act:  # the service tells the scheduler at once; otherwise the tick finds out
                scheduler.replan(self.session, claim, self.clock.at)
            self.session.commit()

        @rule(claim_id=claims, reviewer=st.integers(0, 3), act=st.booleans())
        def judge(self, claim_id: int, reviewer: int, act: bool) -> None:
            """One judgement that leaves the claim pending; the judge is assigned by it."""
            claim = self.session.get(Claim, claim_id)
            assert claim is not None
            user_id = self.users[reviewer]
            if claim.status != "open" or any(
                r.reviewer_id == user_id and r.version == claim.resolution_version
                for r in claim.resolutions
            ):
                return
            if user_id not in {a.user_id for a in claim.assignments}:
                self.session.add(Assignment(claim_id=claim.id, user_id=user_id))
            self.session.add(
                Resolution(
                    claim_id=claim.id, version=claim.resolution_version, reviewer_id=user_id,
                    outcome="true", rationale="as reported", created_at=self.clock.at,
                )
            )  # fmt: skip
            self.session.flush()
            if act:
                scheduler.replan(self.session, claim, self.clock.at)
            self.session.commit()
            judge = self.session.get(User, user_id)
            assert judge is not None
            self.judged.add((claim.id, judge.email))

        @rule(claim_id=claims, act=st.booleans())
        def resolve(self, claim_id: int, act: bool) -> None:
            claim = self.session.get(Claim, claim_id)
            assert claim is not None
            if claim.status != "open":
                return
            claim.status, claim.outcome = "resolved", "true"
            if act:
                scheduler.cancel_pending(self.session, claim.id, self.clock.at)
            self.session.commit()

        @rule(claim_id=claims)
        def void(self, claim_id: int) -> None:
            claim = self.session.get(Claim, claim_id)
            assert claim is not None
            if claim.status != "open":
                return
            claim.status, claim.void_reason = "void", "duplicate"
            self.session.commit()

        @rule(hours=st.sampled_from([0, 1, 24, 72, 240, 24 * 30]))
        def tick(self, hours: int) -> None:
            self.clock.advance(hours * HOUR)
            sent_before = len(self.receiver.calls)
            self.ticker.tick()
            # Nobody is prompted about a claim after judging it.
            for message in self.receiver.calls[sent_before:]:
                for item in message.items:
                    assert (item.claim_id, message.recipient_email) not in self.judged
            self.check_after_tick()

        def check_after_tick(self) -> None:
            session = self.session
            session.commit()
            session.expire_all()
            now = self.clock.at
            admins = set(
                session.scalars(select(User.id).where(User.role == "admin", User.is_active))
            )
            live = Counter(
                (c, k, u)
                for c, k, u in session.execute(
                    select(Reminder.claim_id, Reminder.kind, Reminder.user_id).where(
                        Reminder.status != "cancelled"
                    )
                )
            )
            for claim in session.scalars(select(Claim)):
                assert claim.deadline_at is not None
                judged = {
                    r.reviewer_id
                    for r in claim.resolutions
                    if r.version == claim.resolution_version
                }
                waiting = {a.user_id for a in claim.assignments} - judged
                is_due = claim.status == "open" and claim.deadline_at <= now
                snoozed = claim.snoozed_until is not None and claim.snoozed_until > now
                if is_due and not snoozed:
                    for kind in OFFSETS:
                        wanted = set(waiting) if waiting else admins - judged
                        if kind == "escalation":
                            wanted |= admins - judged
                        for user in wanted:
                            assert live[(claim.id, kind, user)] == 1, (claim.id, kind, user)
                for user in judged:
                    pending = session.scalar(
                        select(Reminder.id).where(
                            Reminder.claim_id == claim.id,
                            Reminder.user_id == user,
                            Reminder.status == "pending",
                        )
                    )
                    assert pending is None, (claim.id, user)
                if claim.status != "open":
                    pending = session.scalar(
                        select(Reminder.id).where(
                            Reminder.claim_id == claim.id, Reminder.status == "pending"
                        )
                    )
                    assert pending is None
            # Nothing went out twice, and nothing went out for a claim not yet due.
            assert max(self.receiver.attempts_per_uid.values(), default=0) <= 1

        @invariant()
        def unique_live_rows(self) -> None:
            rows = self.session.execute(
                select(Reminder.claim_id, Reminder.kind, Reminder.user_id, Reminder.channel)
            ).all()
            assert len(rows) == len(set(rows))

    run_state_machine_as_test(
        Reminders,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    engine.dispose()
