"""Channels that carry reminders out: email over SMTP, signed chat webhooks, and a log.

Every notifier takes one `Message` and answers with a `Delivery`: delivered, or failed with a
reason, whether trying again can help, and how long the receiver asked us to wait."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import html
import json
import logging
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import requests

from tracker.text import plural

log = logging.getLogger(__name__)

KIND_WORDS = {
    "due": "is due for review",
    "overdue": "is overdue for review",
    "escalation": "has waited 10 days for review",
}


@dataclass(frozen=True)
class Item:
    """One reminder inside a message."""

    reminder_ids: tuple[int, ...]
    question_id: int
    claim_id: int  # the question's first claim, for receivers that know claims only
    kind: str
    question: str
    deadline_at: dt.datetime
    resolve_url: str


@dataclass(frozen=True)
class Message:
    """What a notifier sends: `uid` is stable across attempts (webhook-id, Message-ID)."""

    uid: str
    channel: str
    recipient_email: str
    recipient_name: str
    items: tuple[Item, ...]
    is_digest: bool

    @property
    def subject(self) -> str:
        if len(self.items) == 1 and not self.is_digest:
            item = self.items[0]
            return (
                f"Question {item.question_id} {KIND_WORDS[item.kind]}: {_short(item.question, 80)}"
            )
        waiting = "is" if len(self.items) == 1 else "are"
        return f"{plural(len(self.items), 'question')} {waiting} waiting for your review"

    @property
    def text(self) -> str:
        lines = []
        if len(self.items) == 1 and not self.is_digest:
            item = self.items[0]
            lines.append(f"Question {item.question_id} {KIND_WORDS[item.kind]}.")
            lines.append("")
            lines.append(item.question)
            lines.append(f"Deadline: {_utc(item.deadline_at)}")
            lines.append(f"Resolve it: {item.resolve_url}")
        else:
            lines.append(
                f"While reminders were held up, {plural(len(self.items), 'prompt')} for you"
                f" fell due."
                " Each question is listed once:"
            )
            lines.append("")
            for item in self.items:
                lines.append(
                    f"- Question {item.question_id} {KIND_WORDS[item.kind]}: {item.question}"
                )
                lines.append(f"  Deadline {_utc(item.deadline_at)}; resolve: {item.resolve_url}")
        return "\n".join(lines) + "\n"

    @property
    def html(self) -> str:
        rows = "".join(
            f'<li><a href="{html.escape(item.resolve_url)}">Question {item.question_id}</a> '
            f"{html.escape(KIND_WORDS[item.kind])}: {html.escape(item.question)} "
            f"<small>(deadline {html.escape(_utc(item.deadline_at))})</small></li>"
            for item in self.items
        )
        return (
            "<!doctype html><html><body>"
            f"<p>{html.escape(self.subject)}</p><ul>{rows}</ul>"
            "<p><small>Claim tracker</small></p></body></html>"
        )


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _short(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Delivery:
    """The answer of one attempt."""

    ok: bool
    reason: str = ""
    permanent: bool = False
    retry_after: dt.timedelta | None = None

    @classmethod
    def delivered(cls) -> Delivery:
        return cls(ok=True)

    @classmethod
    def retry(cls, reason: str, retry_after: dt.timedelta | None = None) -> Delivery:
        return cls(ok=False, reason=reason, retry_after=retry_after)

    @classmethod
    def refused(cls, reason: str) -> Delivery:
        return cls(ok=False, reason=reason, permanent=True)


class Notifier(Protocol):
    channel: str

    def deliver(self, message: Message) -> Delivery:
        """Send one message; never raise for a failure of the receiver."""
        ...


@dataclass
class LogNotifier:
    """Writes messages to the log: for development, and for a channel with nothing configured."""

    channel: str
    sent: list[Message] = field(default_factory=list)

    def deliver(self, message: Message) -> Delivery:
        log.info(
            "reminder %s to %s over %s: %s",
            message.uid,
            message.recipient_email,
            self.channel,
            message.subject,
        )
        return Delivery.delivered()


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> dt.timedelta | None:
    """Retry-After as seconds or an HTTP date (RFC 9110 10.2.3); None when absent or garbled."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(dt.timedelta(0), when - (now or dt.datetime.now(dt.UTC)))


def decode_webhook_secret(secret: str) -> bytes:
    """The key of a Standard Webhooks secret `whsec_<base64>`."""
    if not secret.startswith("whsec_"):
        raise ValueError("TRACKER_WEBHOOK_SECRET must have the form whsec_<base64 key>")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError as error:
        raise ValueError("TRACKER_WEBHOOK_SECRET is not valid base64 after whsec_") from error
    if len(key) < 24:
        raise ValueError("TRACKER_WEBHOOK_SECRET is too short: use at least 24 random bytes")
    return key


def sign_webhook(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: v1, then base64 HMAC-SHA256 of id.timestamp.body."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class WebhookNotifier:
    """Posts a Slack-compatible `{"text": ...}` body signed with Standard Webhooks headers.

    The body also lists the reminders (`reminders`), which chat services ignore and
    receivers that dedupe or automate can read."""

    channel = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | None,
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("TRACKER_WEBHOOK_URL must be an http(s) address")
        self.url = url
        self.key = decode_webhook_secret(secret) if secret else None
        self.timeouts = (connect_timeout, read_timeout)
        self.session = session or requests.Session()

    def body(self, message: Message) -> bytes:
        payload = {
            "text": f"{message.recipient_name}: {message.text}",
            "reminders": [
                {
                    "ids": list(item.reminder_ids),
                    "question_id": item.question_id,
                    "claim_id": item.claim_id,
                    "kind": item.kind,
                    "resolve_url": item.resolve_url,
                }
                for item in message.items
            ],
            "recipient": message.recipient_email,
        }
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()

    def deliver(self, message: Message) -> Delivery:
        body = self.body(message)
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": message.uid,
            "webhook-timestamp": str(timestamp),
        }
        if self.key is not None:
            headers["webhook-signature"] = sign_webhook(self.key, message.uid, timestamp, body)
        try:
            response = self.session.post(
                self.url,
                data=body,
                headers=headers,
                timeout=self.timeouts,
                allow_redirects=False,
            )
        except requests.Timeout:
            return Delivery.retry("the receiver did not answer in time")
        except requests.RequestException as error:
            return Delivery.retry(f"could not reach the receiver: {type(error).__name__}")
        status = response.status_code
        response.close()
        if 200 <= status < 300:
            return Delivery.delivered()
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        reason = f"HTTP {status} {response.reason or ''}".strip()
        if 300 <= status < 400:
            return Delivery.refused(f"{reason}: redirects are not followed")
        if status in (408, 429) or status >= 500:
            return Delivery.retry(reason, retry_after)
        return Delivery.refused(reason)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    username: str | None
    password: str | None
    sender: str
    timeout: float

    @classmethod
    def from_url(cls, url: str, default_sender: str) -> SmtpSettings:
        """smtp://host:25 (plain), smtp+starttls://user:pass@host:587, smtps://host:465;
        `?from=address` sets the sender, `?timeout=seconds` the socket timeout."""
        parts = urlsplit(url)
        security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}.get(parts.scheme)
        if security is None or not parts.hostname:
            raise ValueError(
                "TRACKER_SMTP_URL must look like smtp+starttls://user:password@host:587,"
                " smtps://host:465 or smtp://host:25"
            )
        query = parse_qs(parts.query)
        port = parts.port or {"plain": 25, "starttls": 587, "tls": 465}[security]
        return cls(
            host=parts.hostname,
            port=port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            sender=query.get("from", [default_sender])[0],
            timeout=float(query.get("timeout", ["15"])[0]),
        )


class EmailNotifier:
    """Sends one multipart (plain text and HTML) email per message over SMTP."""

    channel = "email"

    def __init__(self, settings: SmtpSettings, message_domain: str) -> None:
        self.settings = settings
        self.domain = message_domain

    def compose(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = email.utils.formataddr((message.recipient_name, message.recipient_email))
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.formatdate(usegmt=True)
        # The same id on every attempt: mail systems drop the second copy of a message.
        mail["Message-ID"] = f"<{message.uid}@{self.domain}>"
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        return mail

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if s.security == "tls":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                client.starttls(context=context)
        if s.username:
            client.login(s.username, s.password or "")
        return client

    def deliver(self, message: Message) -> Delivery:
        mail = self.compose(message)
        try:
            client = self._connect()
        except smtplib.SMTPAuthenticationError as error:
            return Delivery.retry(f"SMTP login refused: {error.smtp_code}")
        except smtplib.SMTPResponseException as error:
            return _smtp_failure(error.smtp_code, error.smtp_error)
        except (OSError, smtplib.SMTPException) as error:
            return Delivery.retry(f"could not reach the mail server: {type(error).__name__}")
        try:
            refused = client.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            return _smtp_failure(code, text)
        except smtplib.SMTPResponseException as error:
            return _smtp_failure(error.smtp_code, error.smtp_error)
        except (OSError, smtplib.SMTPException) as error:
            return Delivery.retry(f"mail server connection failed: {type(error).__name__}")
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        if refused:
            code, text = next(iter(refused.values()))
            return _smtp_failure(code, text)
        return Delivery.delivered()


def _smtp_failure(code: int, text: bytes | str) -> Delivery:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    reason = f"SMTP {code} {detail}".strip()
    # RFC 5321 4.2.1: 4yz is transient, 5yz permanent.
    if 400 <= code < 500:
        return Delivery.retry(reason)
    return Delivery.refused(reason)


def notifiers_from_config(
    smtp_url: str | None, webhook_url: str | None, webhook_secret: str | None, base_url: str
) -> dict[str, Notifier]:
    """The notifier per channel. Without an SMTP server, email goes to the log (so a
    development setup shows its reminders); without a webhook URL, no chat reminders."""
    domain = urlsplit(base_url).hostname or socket.getfqdn()
    result: dict[str, Notifier] = {}
    if smtp_url:
        result["email"] = EmailNotifier(
            SmtpSettings.from_url(smtp_url, f"claim-tracker@{domain}"), domain
        )
    else:
        result["email"] = LogNotifier("email")
    if webhook_url:
        result["webhook"] = WebhookNotifier(webhook_url, webhook_secret)
    return result
