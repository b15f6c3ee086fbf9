"""Reminders' HTML views: the public deadlines calendar, each reviewer's private calendar, and
the admins' outbox of reminder messages with retry."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from tracker import audit
from tracker.accounts.auth import (
    check_token_failures,
    record_token_failure,
    require_role,
    require_user,
)
from tracker.errors import NotFound, TrackerError
from tracker.models import MESSAGE_STATUSES
from tracker.reminders import calendars
from tracker.reminders import services as reminders
from tracker.web import get_session, now, recent

bp = Blueprint("reminders", __name__)

_ICS = "text/calendar; charset=utf-8"


# The public feed holds up to 5,000 events (3 MB, 2 s to build): built at most once a minute
# per process, whoever asks and however often.
FEED_SECONDS = 60.0


@bp.get("/deadlines.ics")
def deadlines_ics() -> Any:
    current = now()
    base_url = current_app.config["BASE_URL"]
    body = recent(
        "deadlines.ics",
        (base_url, current.replace(second=0, microsecond=0)),
        FEED_SECONDS,
        lambda: calendars.public_feed(get_session(), current, base_url),
    )
    response = Response(body, content_type=_ICS, headers={"Cache-Control": "public, max-age=300"})
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


@bp.get("/calendar/<token>.ics")
def private_ics(token: str) -> Any:
    # The token is a credential: guessing addresses counts as failed authentication.
    check_token_failures()
    try:
        body = calendars.private_feed(get_session(), token, now(), current_app.config["BASE_URL"])
    except NotFound:
        record_token_failure()
        raise
    # The address is the secret: keep it out of shared caches and referrers.
    return Response(
        body,
        content_type=_ICS,
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )


@bp.get("/admin/outbox")
@require_role("admin")
def outbox() -> Any:
    session = get_session()
    status = request.args.get("status") or None
    if status is not None and status not in MESSAGE_STATUSES:
        status = None
    return render_template(
        "reminders/outbox.html",
        messages=reminders.list_outbox(session, status=status, limit=200),
        counts=reminders.count_outbox(session),
        statuses=MESSAGE_STATUSES,
        status=status,
    )


@bp.post("/admin/outbox/<id:message_id>/retry")
@require_role("admin")
def retry_message(message_id: int) -> Any:
    session = get_session()
    actor = require_user()
    try:
        message = reminders.retry_message(session, message_id, now())
        audit.record(
            session, "outbox.retried", "outbox", message.id, {"uid": message.uid}, actor.id
        )
    except TrackerError as error:
        session.rollback()
        flash(error.message)
        return redirect(url_for("reminders.outbox"))
    session.commit()
    flash(f"Message {message_id} goes out again at the next tick.")
    return redirect(url_for("reminders.outbox", status=request.args.get("status")))
