"""Email over SMTP (an aiosmtpd server on localhost) and the webhook signature."""

from __future__ import annotations

import base64
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.reminders.factories import T0, make_claim, make_user
from tracker.models import OutboxMessage
from tracker.reminders.notify import (
    EmailNotifier,
    SmtpSettings,
    decode_webhook_secret,
    parse_retry_after,
    sign_webhook,
)
from tracker.reminders.scheduler import Scheduler
from tracker.reminders.timing import FixedClock, Settings


@dataclass
class Handler:
    """Answers DATA with the queued replies first, then 250; keeps what it accepted."""

    replies: list[str] = field(default_factory=list)
    accepted: list[bytes] = field(default_factory=list)
    attempts: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.attempts += 1
        if self.replies:
            return self.replies.pop(0)
        self.accepted.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _ticker(app: Flask, port: int, clock: FixedClock) -> Scheduler:
    settings = SmtpSettings.from_url(
        f"smtp://127.0.0.1:{port}?from=reminders@tracker.test&timeout=5", "x@y"
    )
    return Scheduler(
        app.extensions["tracker.engine"],
        {"email": EmailNotifier(settings, "tracker.test")},
        Settings(base_url="http://tracker.test"),
        clock,
    )


def test_smtp_451_is_retried_under_the_same_message_id(
    app: Flask, session: Session, smtp: tuple[Handler, int]
) -> None:
    handler, port = smtp
    handler.replies = ["451 4.3.0 try again later"]
    alice = make_user(session, "alice@example.org")
    claim = make_claim(session, T0, [alice])
    session.commit()
    clock = FixedClock(T0)
    ticker = _ticker(app, port, clock)
    assert ticker.tick().failed == 1
    session.commit()
    message = session.scalars(select(OutboxMessage)).one()
    assert message.status == "failed" and message.last_error == "SMTP 451 4.3.0 try again later"
    clock.at = message.next_attempt_at
    assert ticker.tick().sent == 1
    (raw,) = handler.accepted
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Message-ID"] == f"<{message.uid}@tracker.test>"
    assert mail["To"] == "alice <alice@example.org>"
    assert mail["From"] == "reminders@tracker.test"
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",))
    rich = mail.get_body(("html",))
    assert plain is not None and rich is not None
    link = f"http://tracker.test/questions/{claim.question_id}/resolve"
    assert link in plain.get_content() and f'href="{link}"' in rich.get_content()


def test_smtp_550_is_permanent(app: Flask, session: Session, smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    handler.replies = ["550 5.1.1 no such mailbox"]
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    assert _ticker(app, port, FixedClock(T0)).tick().dead == 1
    session.commit()
    message = session.scalars(select(OutboxMessage)).one()
    assert message.status == "dead" and message.last_error == "SMTP 550 5.1.1 no such mailbox"
    assert handler.attempts == 1


def test_unreachable_mail_server_is_retried(app: Flask, session: Session) -> None:
    alice = make_user(session, "alice@example.org")
    make_claim(session, T0, [alice])
    session.commit()
    assert _ticker(app, _free_port(), FixedClock(T0)).tick().failed == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp+starttls://me%40x.org:p%2Fw@mail.x.org",
            ("mail.x.org", 587, "starttls", "me@x.org", "p/w"),
        ),
        ("smtps://mail.x.org", ("mail.x.org", 465, "tls", None, None)),
        ("smtp://localhost:2525", ("localhost", 2525, "plain", None, None)),
    ],
)
def test_smtp_url_forms(url: str, expected: tuple[object, ...]) -> None:
    s = SmtpSettings.from_url(url, "tracker@x.org")
    assert (s.host, s.port, s.security, s.username, s.password) == expected
    assert s.sender == "tracker@x.org"


def test_bad_configuration_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="TRACKER_SMTP_URL"):
        SmtpSettings.from_url("http://mail.x.org", "a@b")
    with pytest.raises(ValueError, match="whsec_"):
        decode_webhook_secret("not-a-secret")
    with pytest.raises(ValueError, match="too short"):
        decode_webhook_secret("whsec_" + base64.b64encode(b"short").decode())


def test_signature_matches_the_standard_webhooks_example() -> None:
    # The test vector of the Standard Webhooks reference libraries.
    key = decode_webhook_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    signature = sign_webhook(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_retry_after_as_seconds_or_date() -> None:
    assert parse_retry_after("120") is not None and parse_retry_after("120").total_seconds() == 120  # type: ignore[union-attr]
    later = parse_retry_after("Thu, 01 Jan 2026 12:01:00 GMT", now=T0)
    assert later is not None and later.total_seconds() == 60
    assert parse_retry_after("soon") is None
