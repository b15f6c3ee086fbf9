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
    Question,
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
                    Question,
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
            """A claim on a question of its own; the machine then acts on the question."""
            users = [self.session.get(User, self.users[i]) for i in sorted(reviewers)]
            claim = make_claim(self.session, self.clock.at + hours * HOUR, users)  # type: ignore[arg-type]
            self.session.commit()
            return claim.question_id

        @rule()
        def plan(self) -> None:
            reminders.plan(self.session, self.clock.at, ("email",))
            self.session.commit()

        @rule(claim_id=claims, hours=st.integers(min_value=1, max_value=500), act=st.booleans())
        def snooze(self, claim_id: int, hours: int, act: bool) -> None:
            question = self.session.get(Question, claim_id)
            assert question is not None
            if question.status != "open":
                return
            question.snoozed_until = self.clock.at + hours * HOUR
            question.snooze_reason = "waiting for the data"
            if act:  # the service tells the scheduler at once; otherwise the tick finds out
                scheduler.replan(self.session, question, self.clock.at)
            self.session.commit()

        @rule(claim_id=claims, reviewer=st.integers(0, 3), act=st.booleans())
        def judge(self, claim_id: int, reviewer: int, act: bool) -> None:
            """One judgement that leaves the question pending; the judge is assigned by it."""
            question = self.session.get(Question, claim_id)
            assert question is not None
            user_id = self.users[reviewer]
            if question.status != "open" or any(
                r.reviewer_id == user_id and r.version == question.resolution_version
                for r in question.resolutions
            ):
                return
            if user_id not in {a.user_id for a in question.assignments}:
                self.session.add(Assignment(question_id=question.id, user_id=user_id))
            self.session.add(
                Resolution(
                    question_id=question.id, version=question.resolution_version,
                    reviewer_id=user_id, outcome="true", rationale="as reported",
                    created_at=self.clock.at,
                )
            )  # fmt: skip
            self.session.flush()
            if act:
                scheduler.replan(self.session, question, self.clock.at)
            self.session.commit()
            judge = self.session.get(User, user_id)
            assert judge is not None
            self.judged.add((question.id, judge.email))

        @rule(claim_id=claims, act=st.booleans())
        def resolve(self, claim_id: int, act: bool) -> None:
            question = self.session.get(Question, claim_id)
            assert question is not None
            if question.status != "open":
                return
            question.status, question.outcome = "resolved", "true"
            if act:
                scheduler.cancel_pending(self.session, question.id, self.clock.at)
            self.session.commit()

        @rule(claim_id=claims)
        def void(self, claim_id: int) -> None:
            question = self.session.get(Question, claim_id)
            assert question is not None
            if question.status != "open":
                return
            question.status, question.void_reason = "void", "duplicate"
            self.session.commit()

        @rule(hours=st.sampled_from([0, 1, 24, 72, 240, 24 * 30]))
        def tick(self, hours: int) -> None:
            self.clock.advance(hours * HOUR)
            sent_before = len(self.receiver.calls)
            self.ticker.tick()
            # Nobody is prompted about a question after judging it.
            for message in self.receiver.calls[sent_before:]:
                for item in message.items:
                    assert (item.question_id, message.recipient_email) not in self.judged
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
                    select(Reminder.question_id, Reminder.kind, Reminder.user_id).where(
                        Reminder.status != "cancelled"
                    )
                )
            )
            for question in session.scalars(select(Question)):
                assert question.deadline_at is not None
                judged = {
                    r.reviewer_id
                    for r in question.resolutions
                    if r.version == question.resolution_version
                }
                waiting = {a.user_id for a in question.assignments} - judged
                is_due = question.status == "open" and question.deadline_at <= now
                snoozed = question.snoozed_until is not None and question.snoozed_until > now
                if is_due and not snoozed:
                    for kind in OFFSETS:
                        wanted = set(waiting) if waiting else admins - judged
                        if kind == "escalation":
                            wanted |= admins - judged
                        for user in wanted:
                            assert live[(question.id, kind, user)] == 1, (question.id, kind, user)
                for user in judged:
                    pending = session.scalar(
                        select(Reminder.id).where(
                            Reminder.question_id == question.id,
                            Reminder.user_id == user,
                            Reminder.status == "pending",
                        )
                    )
                    assert pending is None, (question.id, user)
                if question.status != "open":
                    pending = session.scalar(
                        select(Reminder.id).where(
                            Reminder.question_id == question.id, Reminder.status == "pending"
                        )
                    )
                    assert pending is None
            # Nothing went out twice, and nothing went out for a question not yet due.
            assert max(self.receiver.attempts_per_uid.values(), default=0) <= 1

        @invariant()
        def unique_live_rows(self) -> None:
            rows = self.session.execute(
                select(Reminder.question_id, Reminder.kind, Reminder.user_id, Reminder.channel)
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
