"""Building users, claims and assignments straight through the models, fast, for the
scheduler tests; and a notifier that records what it was given."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from tracker.models import Assignment, Claim, Question, Source, User
from tracker.reminders.notify import Delivery, Message

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def make_source(session: Session) -> int:
    source = session.scalar(select(Source).limit(1))
    if source is None:
        source = Source(
            title="Forecasts of 2025",
            text="x",
            text_sha256="0" * 64,
            fetched_at=T0,
            outlet="Example",
            author="A. Writer",
        )
        session.add(source)
        session.flush()
    return source.id


def make_user(session: Session, email: str, role: str = "reviewer", active: bool = True) -> User:
    user = User(email=email, display_name=email.split("@")[0], role=role, is_active=active)
    session.add(user)
    session.flush()
    return user


def make_claim(
    session: Session,
    deadline: dt.datetime,
    reviewers: Sequence[User] = (),
    key: str | None = None,
) -> Claim:
    source_id = make_source(session)
    question = Question(
        kind="forecast", text=f"Will it happen by {deadline:%Y-%m-%d}?", deadline_at=deadline
    )
    session.add(question)
    session.flush()
    claim = Claim(
        source_id=source_id,
        question_id=question.id,
        key=key or f"c-{uuid.uuid4().hex[:12]}",
        kind="forecast",
        quote="x",
        quote_start=0,
        quote_end=1,
        question=f"Will it happen by {deadline:%Y-%m-%d}?",
        deadline_at=deadline,
        deadline_origin="explicit",
        probability=0.6,
        probability_origin="stated",
        status="open",
    )
    session.add(claim)
    session.flush()
    for user in reviewers:
        session.add(Assignment(question_id=claim.question_id, user_id=user.id))
    session.flush()
    return claim


def bulk_due_claims(engine: Engine, count: int, deadline: dt.datetime) -> None:
    """`count` due claims, each assigned to a reviewer of its own (so each reminder is a
    message of its own), written with bulk inserts."""
    with Session(engine) as session, session.begin():
        source_id = make_source(session)
        session.execute(
            insert(User),
            [
                {
                    "email": f"r{i}@example.org",
                    "display_name": f"R {i}",
                    "role": "reviewer",
                    "is_active": True,
                    "session_version": 1,
                    "created_at": T0,
                }
                for i in range(count)
            ],
        )
        session.execute(
            insert(Question),
            [
                {
                    "kind": "forecast",
                    "text": f"Question {i}?",
                    "deadline_at": deadline,
                    "created_at": T0,
                    "updated_at": T0,
                }
                for i in range(count)
            ],
        )
        questions = session.scalars(select(Question.id).order_by(Question.id)).all()[-count:]
        session.execute(
            insert(Claim),
            [
                {
                    "source_id": source_id,
                    "question_id": questions[i],
                    "stance": "for",
                    "key": f"bulk-{i}",
                    "kind": "forecast",
                    "quote": "x",
                    "quote_start": 0,
                    "quote_end": 1,
                    "question": f"Question {i}?",
                    "deadline_at": deadline,
                    "deadline_origin": "explicit",
                    "probability": 0.5,
                    "probability_origin": "stated",
                    "hedged": False,
                    "status": "open",
                    "resolution_version": 1,
                    "created_at": T0,
                    "updated_at": T0,
                }
                for i in range(count)
            ],
        )
        users = session.scalars(select(User.id).order_by(User.id)).all()[-count:]
        session.execute(
            insert(Assignment),
            [
                {"question_id": q, "user_id": u, "assigned_at": T0}
                for q, u in zip(questions, users, strict=True)
            ],
        )


@dataclass
class RecordingNotifier:
    """A receiver that dedupes: `effects` counts each message id once, `calls` every attempt."""

    channel: str = "email"
    answers: list[Delivery] = field(default_factory=list)
    calls: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, message: Message) -> Delivery:
        with self.lock:
            self.calls.append(message)
            if self.answers:
                return self.answers.pop(0)
        return Delivery.delivered()

    @property
    def attempts_per_uid(self) -> Counter[str]:
        return Counter(m.uid for m in self.calls)

    @property
    def reminder_ids(self) -> list[int]:
        return [rid for m in self.calls for item in m.items for rid in item.reminder_ids]
