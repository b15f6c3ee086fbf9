"""Reviewers' HTML views: the queue of questions, the resolve page and the actions beside it.
A claim's paths act on its question."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from tracker.accounts import services as accounts
from tracker.accounts.auth import require_role, require_user
from tracker.db import MAX_ID
from tracker.errors import BadRequest, Invalid, TrackerError
from tracker.models import OUTCOMES, STANCES, VERDICTS, Claim, Question, question_status
from tracker.questions import services as questions
from tracker.record import services
from tracker.record.quotes import Span, context
from tracker.review import assignments, changes, queue, resolutions, rules
from tracker.web import begin_write, get_session, now, parse_date

bp = Blueprint("review", __name__)
EVIDENCE_ROWS = 3
CLAIMS_SHOWN = 50  # the resolve page lists this many of a question's claims


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
    found = queue.list_tab(session, tab, current, user.id, after)
    return render_template(
        "review/queue.html",
        next_after=queue.position(found[-1]) if len(found) == queue.PER_PAGE else None,
        tab=tab,
        tabs=queue.TABS,
        counts=queue.counts(session, current, user.id),
        questions=found,
        samples=queue.samples(session, found),
        now=current,
        status_of=lambda q: question_status(q, current),
    )


def _page_context(question: Question) -> dict[str, Any]:
    user = require_user()
    session = get_session()
    claims = queue.claims_of(session, question.id, CLAIMS_SHOWN)
    total = questions.claim_count(session, question.id)
    first = claims[0] if claims else None
    before = quote = after = ""
    if first is not None:
        before, quote, after = context(
            first.source.text, Span(first.quote_start, first.quote_end), 600
        )
    judged = rules.current_judgements(session, question)
    recorded_by = rules.recorders(session, question)
    assigned = {a.user_id for a in question.assignments}
    return {
        "question": question,
        "claims": claims,
        "claim_total": total,
        "first": first,
        "before": before,
        "quote": quote,
        "after": after,
        "status": question_status(question, now()),
        "conditional": resolutions.is_conditional(session, question),
        "outcomes": OUTCOMES,
        "verdicts": VERDICTS,
        "stances": STANCES,
        "void_reasons": changes.VOID_REASONS,
        "judged": judged,
        "refused": rules.standing(question, user, judged, recorded_by),
        "is_assigned": user.id in assigned,
        "already_judged": any(j.reviewer_id == user.id for j in judged),
        "successor_of": assignments.successor_of(question, user, judged, quorum()),
        "waiting": rules.waiting_assignees(question, judged),
        "quorum": quorum(),
        "evidence_rows": EVIDENCE_ROWS,
        "can_edit": accounts.role_at_least(user.role, "editor"),
        "is_admin": accounts.role_at_least(user.role, "admin"),
        "reviewers": [
            u
            for u in accounts.list_users(session)
            if u.is_active and u.id not in assigned and u.id not in recorded_by
        ],
    }


def _render(question: Question, status: int = 200, **extra: Any) -> Any:
    values = _page_context(question)
    values.update(extra)
    return render_template("review/resolve.html", **values), status


def _question_of_claim(session: Any, claim_id: int) -> Question:
    return services.get_claim(session, claim_id).linked_question


@bp.route("/claims/<id:claim_id>/resolve", methods=["GET", "POST"])
@require_role("reviewer")
def resolve_claim(claim_id: int) -> Any:
    """Reviewers resolve the question a claim is about: its page is the question's (links of
    old, reminders and bookmarks, lead there), and a judgement posted here is the question's."""
    if request.method == "GET":
        question = _question_of_claim(get_session(), claim_id)
        return redirect(url_for("review.resolve", question_id=question.id))
    session = begin_write()
    return _judge(session, _question_of_claim(session, claim_id).id)


@bp.route("/questions/<id:question_id>/resolve", methods=["GET", "POST"])
@require_role("reviewer")
def resolve(question_id: int) -> Any:
    if request.method == "GET":
        return _render(questions.get_question(get_session(), question_id), form={})
    return _judge(begin_write(), question_id)


def _judge(session: Any, question_id: int) -> Any:
    question = questions.get_question(session, question_id)
    user = require_user()
    form = request.form
    try:
        decision = resolutions.resolve_question(
            session,
            question,
            user,
            rationale=form.get("rationale", ""),
            outcome=form.get("outcome") or None if question.kind == "forecast" else None,
            verdict=form.get("verdict") or None if question.kind == "fact" else None,
            evidence=_evidence(form),
            quorum=quorum(),
            now=now(),
            settle=form.get("settle") == "1",
        )
    except TrackerError as error:
        session.rollback()
        session.expire_all()
        question = questions.get_question(session, question_id)
        return _render(question, error.status, form=form, error=error)
    session.commit()
    messages = {
        "final": "Final: the reviewers agree. Every claim on the question shows the resolution.",
        "pending": f"Recorded. {decision.agreeing} of {decision.quorum} reviewers needed so far.",
        "disputed": "Recorded. The reviewers disagree: the question goes to the disputed queue "
        "for an admin to settle.",
    }
    flash(messages[decision.state])
    return redirect(url_for("review.queue"))


def _action(question_id: int, run: Any, done: str, claim_id: int | None = None) -> Any:
    """Run a change of a question (or of one claim on it), then show the question's page."""
    session = begin_write()
    target: Any = (
        services.get_claim(session, claim_id)
        if claim_id is not None
        else questions.get_question(session, question_id)
    )
    try:
        run(session, target, require_user())
    except TrackerError as error:
        session.rollback()
        session.expire_all()
        question = questions.get_question(session, question_id)
        return _render(question, error.status, form=request.form, error=error)
    session.commit()
    flash(done)
    return redirect(url_for("review.resolve", question_id=question_id))


def _claims_question(claim_id: int) -> int:
    return _question_of_claim(get_session(), claim_id).id


def _void(session: Any, question: Question, user: Any) -> None:
    form = request.form
    changes.void_question(session, question, user, form.get("reason", ""), form.get("detail", ""))


def _snooze(session: Any, question: Question, user: Any) -> None:
    form = request.form
    until = parse_date(form.get("until", ""), "until")
    if until is None:
        raise Invalid("give the date to snooze to", {"until": "required"})
    changes.snooze_question(session, question, user, until, form.get("reason", ""), now())


def _probability(form: MultiDict[str, str]) -> float | None:
    if not form.get("probability", "").strip():
        return None
    try:
        return float(form["probability"]) / 100
    except ValueError:
        raise Invalid(
            "the probability is a percentage like 65", {"probability": "not a number"}
        ) from None


def _edit_question(session: Any, question: Question, user: Any) -> None:
    form = request.form
    changes.edit_question(
        session,
        question,
        user,
        reason=form.get("reason", ""),
        text=form.get("question") or None,
        resolution_criteria=form.get("resolution_criteria") or None,
        deadline=parse_date(form.get("deadline", ""), "deadline", end_of_day=True),
    )


def _edit_claim(session: Any, claim: Claim, user: Any) -> None:
    form = request.form
    changes.edit_claim(
        session,
        claim,
        user,
        reason=form.get("reason", ""),
        question=form.get("question") or None,
        resolution_criteria=form.get("resolution_criteria") or None,
        deadline=parse_date(form.get("deadline", ""), "deadline", end_of_day=True),
        probability=_probability(form),
    )


def _reopen(session: Any, question: Question, user: Any) -> None:
    changes.reopen_question(session, question, user, request.form.get("reason", ""))


def _reassign(session: Any, question: Question, user: Any) -> None:
    form = request.form
    try:
        from_id, to_id = int(form.get("from_user", "")), int(form.get("to_user", ""))
    except ValueError:
        raise Invalid("choose both reviewers", {"to_user": "required"}) from None
    assignments.reassign(
        session, question, accounts.get_user(session, from_id), accounts.get_user(session, to_id),
        user,
    )  # fmt: skip


DONE = {
    "void": "The question is void, and every claim on it is left out of every score.",
    "snooze": "Snoozed: no reminders until that date.",
    "edit": "Changed. The earlier wording stays on the question's history.",
    "reopen": "Re-opened as a new resolution version; the earlier one stays visible.",
    "reassign": "Reassigned.",
}
RUNS = {
    "void": _void,
    "snooze": _snooze,
    "edit": _edit_question,
    "reopen": _reopen,
    "reassign": _reassign,
}
ROLES = {"void": "reviewer", "snooze": "reviewer", "edit": "reviewer", "reopen": "admin",
         "reassign": "admin"}  # fmt: skip


def _question_action(name: str) -> Any:
    @require_role(ROLES[name])
    def view(question_id: int) -> Any:
        return _action(question_id, RUNS[name], DONE[name])

    return view


def _claim_action(name: str) -> Any:
    @require_role(ROLES[name])
    def view(claim_id: int) -> Any:
        question_id = _claims_question(claim_id)
        if name == "edit":
            return _action(question_id, _edit_claim, DONE[name], claim_id=claim_id)
        return _action(question_id, RUNS[name], DONE[name])

    return view


for _name in RUNS:
    bp.add_url_rule(
        f"/questions/<id:question_id>/{_name}", _name, _question_action(_name), methods=["POST"]
    )
    bp.add_url_rule(
        f"/claims/<id:claim_id>/{_name}", f"claim_{_name}", _claim_action(_name), methods=["POST"]
    )
