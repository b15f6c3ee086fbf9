"""Reviewers' HTML views: the queue, the resolve page and the actions beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from tracker.accounts import services as accounts
from tracker.accounts.auth import require_role, require_user
from tracker.db import MAX_ID
from tracker.errors import BadRequest, Invalid, TrackerError
from tracker.models import OUTCOMES, STANCES, VERDICTS, Claim, claim_status
from tracker.record import services
from tracker.record.quotes import Span, context
from tracker.review import assignments, changes, queue, resolutions, rules
from tracker.web import begin_write, get_session, now, parse_date

bp = Blueprint("review", __name__)
EVIDENCE_ROWS = 3


def quorum() -> int:
    return int(current_app.config["RESOLUTION_QUORUM"])


def _evidence(form: MultiDict[str, str]) -> list[resolutions.EvidenceItem]:
    items = []
    try:
        rows = max(0, min(int(form.get("evidence_rows", "")), 20))
    except ValueError:
        rows = EVIDENCE_ROWS
    for index in range(rows):
        url = form.get(f"evidence-{index}-url", "").strip()
        title = form.get(f"evidence-{index}-title", "")
        publisher = form.get(f"evidence-{index}-publisher", "")
        date = form.get(f"evidence-{index}-published", "")
        if not (url or title.strip() or publisher.strip() or date.strip()):
            continue
        items.append(
            resolutions.EvidenceItem(
                url=url,
                title=title,
                publisher=publisher,
                published_at=parse_date(date, f"evidence[{index}].published_at"),
                stance=form.get(f"evidence-{index}-stance", "supports"),
            )
        )
    return items


@bp.get("/review", endpoint="queue")
@require_role("reviewer")
def queue_page() -> Any:
    user = require_user()
    tab = request.args.get("tab", "mine")
    after = None
    if request.args.get("after"):
        try:
            stamp, _, ident = request.args["after"].rpartition("|")
            after = (dt.datetime.fromisoformat(stamp).astimezone(dt.UTC), int(ident))
        except (ValueError, OverflowError):
            raise BadRequest("this page link is broken", {"after": "not a position"}) from None
        if not 0 <= after[1] <= MAX_ID:
            raise BadRequest("this page link is broken", {"after": "not a position"})
    session = get_session()
    current = now()
    claims = queue.list_tab(session, tab, current, user.id, after)
    return render_template(
        "review/queue.html",
        next_after=queue.position(claims[-1]) if len(claims) == queue.PER_PAGE else None,
        tab=tab,
        tabs=queue.TABS,
        counts=queue.counts(session, current, user.id),
        claims=claims,
        now=current,
        status_of=lambda c: claim_status(c, current),
    )


def _page_context(claim: Claim) -> dict[str, Any]:
    before, quote, after = context(claim.source.text, Span(claim.quote_start, claim.quote_end), 600)
    user = require_user()
    session = get_session()
    judged = rules.current_judgements(session, claim)
    assigned = {a.user_id for a in claim.assignments}
    return {
        "claim": claim,
        "source": claim.source,
        "before": before,
        "quote": quote,
        "after": after,
        "status": claim_status(claim, now()),
        "outcomes": [o for o in OUTCOMES if o != "annulled" or claim.condition],
        "verdicts": VERDICTS,
        "stances": STANCES,
        "void_reasons": changes.VOID_REASONS,
        "judged": judged,
        "refused": rules.standing(claim, user, judged),
        "is_assigned": user.id in assigned,
        "already_judged": any(j.reviewer_id == user.id for j in judged),
        "successor_of": assignments.successor_of(claim, user, judged, quorum()),
        "waiting": rules.waiting_assignees(claim, judged),
        "quorum": quorum(),
        "evidence_rows": EVIDENCE_ROWS,
        "can_edit": accounts.role_at_least(user.role, "editor"),
        "is_admin": accounts.role_at_least(user.role, "admin"),
        "reviewers": [
            u
            for u in accounts.list_users(session)
            if u.is_active and u.id not in assigned and u.id != claim.recorded_by_id
        ],
    }


def _render(claim: Claim, status: int = 200, **extra: Any) -> Any:
    values = _page_context(claim)
    values.update(extra)
    return render_template("review/resolve.html", **values), status


@bp.route("/claims/<id:claim_id>/resolve", methods=["GET", "POST"])
@require_role("reviewer")
def resolve(claim_id: int) -> Any:
    session = get_session() if request.method == "GET" else begin_write()
    claim = services.get_claim(session, claim_id)
    if request.method == "GET":
        return _render(claim, form={})
    user = require_user()
    form = request.form
    try:
        decision = resolutions.resolve_claim(
            session,
            claim,
            user,
            rationale=form.get("rationale", ""),
            outcome=form.get("outcome") or None if claim.kind == "forecast" else None,
            verdict=form.get("verdict") or None if claim.kind == "fact" else None,
            evidence=_evidence(form),
            quorum=quorum(),
            now=now(),
            settle=form.get("settle") == "1",
        )
    except TrackerError as error:
        session.rollback()
        session.expire_all()
        claim = services.get_claim(session, claim_id)
        return _render(claim, error.status, form=form, error=error)
    session.commit()
    messages = {
        "final": "Final: the reviewers agree. The claim's page shows the resolution.",
        "pending": f"Recorded. {decision.agreeing} of {decision.quorum} reviewers needed so far.",
        "disputed": "Recorded. The reviewers disagree: the claim goes to the disputed queue "
        "for an admin to settle.",
    }
    flash(messages[decision.state])
    return redirect(url_for("review.queue"))


def _action(claim_id: int, run: Any, done: str) -> Any:
    session = begin_write()
    claim = services.get_claim(session, claim_id)
    try:
        run(session, claim, require_user())
    except TrackerError as error:
        session.rollback()
        session.expire_all()
        claim = services.get_claim(session, claim_id)
        return _render(claim, error.status, form=request.form, error=error)
    session.commit()
    flash(done)
    return redirect(url_for("review.resolve", claim_id=claim_id))


@bp.post("/claims/<id:claim_id>/void")
@require_role("reviewer")
def void(claim_id: int) -> Any:
    form = request.form
    return _action(
        claim_id,
        lambda s, c, u: changes.void_claim(s, c, u, form.get("reason", ""), form.get("detail", "")),
        "The claim is void and left out of every score.",
    )


@bp.post("/claims/<id:claim_id>/snooze")
@require_role("reviewer")
def snooze(claim_id: int) -> Any:
    form = request.form

    def run(session: Any, claim: Claim, user: Any) -> None:
        until = parse_date(form.get("until", ""), "until")
        if until is None:
            raise Invalid("give the date to snooze to", {"until": "required"})
        changes.snooze_claim(session, claim, user, until, form.get("reason", ""), now())

    return _action(claim_id, run, "Snoozed: no reminders until that date.")


@bp.post("/claims/<id:claim_id>/edit")
@require_role("reviewer")
def edit(claim_id: int) -> Any:
    form = request.form

    def run(session: Any, claim: Claim, user: Any) -> None:
        probability = None
        if form.get("probability", "").strip():
            try:
                probability = float(form["probability"]) / 100
            except ValueError:
                raise Invalid(
                    "the probability is a percentage like 65", {"probability": "not a number"}
                ) from None
        changes.edit_claim(
            session,
            claim,
            user,
            reason=form.get("reason", ""),
            question=form.get("question") or None,
            resolution_criteria=form.get("resolution_criteria") or None,
            deadline=parse_date(form.get("deadline", ""), "deadline", end_of_day=True),
            probability=probability,
        )

    return _action(claim_id, run, "Changed. The earlier wording stays on the claim's page.")


@bp.post("/claims/<id:claim_id>/reopen")
@require_role("admin")
def reopen(claim_id: int) -> Any:
    form = request.form
    return _action(
        claim_id,
        lambda s, c, u: changes.reopen_claim(s, c, u, form.get("reason", "")),
        "Re-opened as a new resolution version; the earlier one stays visible.",
    )


@bp.post("/claims/<id:claim_id>/reassign")
@require_role("admin")
def reassign(claim_id: int) -> Any:
    form = request.form

    def run(session: Any, claim: Claim, user: Any) -> None:
        try:
            from_id, to_id = int(form.get("from_user", "")), int(form.get("to_user", ""))
        except ValueError:
            raise Invalid("choose both reviewers", {"to_user": "required"}) from None
        assignments.reassign(
            session,
            claim,
            accounts.get_user(session, from_id),
            accounts.get_user(session, to_id),
            user,
        )

    return _action(claim_id, run, "Reassigned.")
