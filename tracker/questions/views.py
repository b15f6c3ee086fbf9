"""Pages of questions and speakers: every question with the claims on it and how each scored,
a speaker's scorecard and claims, and the editors' forms that link, split and merge."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.accounts.auth import require_role, require_user
from tracker.db import MAX_ID
from tracker.errors import BadRequest
from tracker.models import STATUSES, Question
from tracker.questions import links, pages, services
from tracker.scorecard import services as scorecard
from tracker.web import begin_write, get_session, now, parse_date

bp = Blueprint("questions", __name__)

PAGE_SIZE = 50
SPEAKER_PAGE_SIZE = 100
MAX_PAGE = 100_000
FILTERS = ("status", "kind", "speaker", "tag", "outlet")


def _int_arg(name: str, value: str | None, low: int = 1, high: int = MAX_ID) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number", {name: "not a number"}) from None
    if not low <= number <= high:
        raise BadRequest(f"{name} must be between {low} and {high:,}", {name: "out of range"})
    return number


@bp.get("/questions")
def list_page() -> str:
    filters = {name: (request.args.get(name) or None) for name in FILTERS}
    for name, value in filters.items():
        if value is not None and ("\x00" in value or len(value) > 200):
            raise BadRequest(f"{name} is too long or holds a NUL", {name: "invalid"})
    before = _int_arg("before", request.args.get("before"))
    found = pages.list_questions(
        get_session(),
        now=now(),
        before_id=before,
        newest_first=True,
        limit=PAGE_SIZE,
        status=filters["status"],
        kind=filters["kind"],
        speaker=filters["speaker"],
        tag=filters["tag"],
        outlet=filters["outlet"],
    )
    active = {k: v for k, v in filters.items() if v is not None}
    return render_template(
        "questions/list.html",
        found=found,
        filters=active,
        statuses=STATUSES,
        older=found[-1].question.id if len(found) == PAGE_SIZE else None,
        before=before,
    )


def _current(question: Question) -> Question:
    return links.current_question(get_session(), question)


@bp.get("/questions/<id:question_id>")
def question_page(question_id: int) -> Any:
    session = get_session()
    question = services.get_question(session, question_id)
    if question.merged_into_id is not None:
        return redirect(url_for(".question_page", question_id=_current(question).id), 301)
    view = pages.get_question_view(session, question.id, now())
    return render_template("questions/question.html", view=view, q=question)


@bp.post("/questions/<id:question_id>/merge")
@require_role("editor")
def merge(question_id: int) -> Response:
    session = begin_write()
    question = services.get_question(session, question_id)
    into = _int_arg("into", request.form.get("into"))
    if into is None:
        raise BadRequest("give the number of the question to merge into", {"into": "required"})
    kept = links.merge_questions(
        session, question, into, request.form.get("reason"), require_user().id
    )
    session.commit()
    flash(f"Question {question.id} merged into this one; its claims are here now.")
    return redirect(url_for(".question_page", question_id=kept.id))


@bp.post("/questions/<id:question_id>/unmerge")
@require_role("editor")
def unmerge(question_id: int) -> Response:
    session = begin_write()
    question = links.unmerge_question(
        session, services.get_question(session, question_id), require_user().id
    )
    session.commit()
    flash("The merge is undone: the claims it moved are back on this question.")
    return redirect(url_for(".question_page", question_id=question.id))


@bp.post("/claims/<id:claim_id>/question")
@require_role("editor")
def link_claim(claim_id: int) -> Response:
    """The claim page's buttons: link to a proposed question (for / against), or a new one."""
    session = begin_write()
    claim = links.get_claim(session, claim_id)
    actor = require_user().id
    form = request.form
    if form.get("action") == "new":
        deadline = parse_date(form.get("deadline") or "", "deadline", end_of_day=True)
        links.split_claim(
            session,
            claim,
            text=form.get("text"),
            resolution_criteria=form.get("resolution_criteria"),
            deadline_at=deadline,
            actor_id=actor,
        )
        done = "The claim has a question of its own now."
    else:
        question_id = _int_arg("question_id", form.get("question_id"))
        if question_id is None:
            raise BadRequest("choose a question to link to", {"question_id": "required"})
        links.link_claim(session, claim, question_id, form.get("stance") or "for", actor)
        done = f"The claim is linked to question {question_id} ({claim.stance})."
    session.commit()
    flash(done)
    return redirect(url_for("record.claim_page", claim_id=claim_id))


@bp.get("/speakers/<slug>")
def speaker_page(slug: str) -> Any:
    session = get_session()
    speaker = services.get_speaker(session, slug[:300])
    if speaker.merged_into_id is not None:
        kept = links.current_speaker(session, speaker)
        values: dict[str, Any] = {**request.args.to_dict(), "slug": kept.slug}
        return redirect(url_for(".speaker_page", **values), 301)
    page = _int_arg("page", request.args.get("page"), 1, MAX_PAGE) or 1
    filters = scorecard.parse_filters(
        {k: v for k, v in request.args.items() if k in ("from", "to", "include_hedged")}
    )
    record = pages.speaker_record(
        session,
        speaker,
        date_from=filters.date_from,
        date_to=filters.date_to,
        include_hedged=filters.include_hedged,
        offset=(page - 1) * SPEAKER_PAGE_SIZE,
        limit=SPEAKER_PAGE_SIZE,
    )
    pages_total = max(1, -(-record.total_claims // SPEAKER_PAGE_SIZE))
    if page > pages_total:
        abort(404)
    return render_template(
        "questions/speaker.html",
        record=record,
        filters=filters,
        page=page,
        pages=pages_total,
        min_scored=scorecard.MIN_SCORED,
        current=now(),
    )


@bp.post("/speakers/<slug>/merge")
@require_role("editor")
def merge_speaker(slug: str) -> Response:
    session = begin_write()
    speaker = services.get_speaker(session, slug[:300])
    into = (request.form.get("into") or "").strip()
    kept = links.merge_speakers(
        session, speaker, into, request.form.get("reason"), require_user().id
    )
    session.commit()
    flash(f"{speaker.name} is merged into {kept.name}: the claims are theirs now.")
    return redirect(url_for(".speaker_page", slug=kept.slug))
