"""Editors' HTML views: import an article by URL or pasted text, then accept, edit or reject
the claims the extractor proposes, and save the accepted ones as claims."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from tracker.accounts.auth import require_role, require_user
from tracker.errors import Invalid, TrackerError
from tracker.imports import candidates as proposals
from tracker.imports import sources
from tracker.imports.extract import Candidate
from tracker.models import Source
from tracker.questions import matching, retrieval
from tracker.record import duplicates, services
from tracker.record.quotes import find_quote
from tracker.review import assignments
from tracker.web import get_fetcher, get_session, parse_date

bp = Blueprint("imports", __name__)
MAX_CANDIDATES = 500


def _text(form: MultiDict[str, str], name: str) -> str | None:
    value = form.get(name, "")
    return value if value.strip() else None


@bp.route("/sources/new", methods=["GET", "POST"])
@require_role("editor")
def new_source() -> Any:
    if request.method == "GET":
        return render_template("imports/source_new.html", form={})
    form = request.form
    session = get_session()
    text = _text(form, "text")
    url = _text(form, "url")
    new_version = form.get("new_version") == "1"
    actor_id = require_user().id
    try:
        if text is None and url is not None:
            # Before fetching it again: is this address archived already?
            duplicates.check_new_address(session, url.strip(), new_version)
        # No transaction (on SQLite: no write lock) is held while another site is fetched.
        session.rollback()
        source = sources.import_source(
            session,
            url=url,
            # Browsers send pasted text with CRLF line ends; the archive keeps plain newlines.
            text=text.replace("\r\n", "\n") if text is not None else None,
            title=_text(form, "title"),
            outlet=_text(form, "outlet"),
            author=_text(form, "author"),
            published_at=parse_date(form.get("published", ""), "published"),
            fetcher=get_fetcher(),
            actor_id=actor_id,
            new_version=new_version,
        )
    except TrackerError as error:
        session.rollback()
        return render_template("imports/source_new.html", form=form, error=error), error.status
    session.commit()
    flash(f"Archived as source {source.id}. Accept, edit or reject the proposed claims below.")
    return redirect(url_for("imports.candidates", source_id=source.id))


@dataclass(frozen=True)
class Piece:
    """A run of the archived text and the index of the candidate it belongs to, if any."""

    text: str
    index: int | None
    kind: str | None


def _pieces(text: str, proposed: list[proposals.ProposedClaim]) -> list[Piece]:
    pieces = []
    cursor = 0
    for index, item in enumerate(proposed):
        candidate = item.candidate
        if candidate.quote_start < cursor:
            continue
        if candidate.quote_start > cursor:
            pieces.append(Piece(text[cursor : candidate.quote_start], None, None))
        pieces.append(Piece(candidate.quote, index, candidate.kind))
        cursor = candidate.quote_end
    pieces.append(Piece(text[cursor:], None, None))
    return pieces


def _defaults(candidate: Candidate, source: Source) -> dict[str, Any]:
    """The form's starting values for one candidate: a reported forecast is its speaker's,
    anything else the source's author's (else its outlet's)."""
    deadline = candidate.deadline
    author = source.author or source.outlet or ""
    return {
        "speaker": candidate.speaker or author,
        "speaker_kind": candidate.speaker_kind or ("person" if source.author else "organization"),
        "kind": candidate.kind,
        "quote": candidate.quote,
        "start": candidate.quote_start,
        "end": candidate.quote_end,
        "origin": candidate.probability_origin or "",
        "phrase": candidate.phrase or "",
        "probability": candidate.probability if candidate.probability is not None else "",
        "probability_reason": candidate.probability_reason or "",
        "negated": "1" if candidate.negated else "",
        "condition": candidate.condition or "",
        "deadline": deadline.at.date().isoformat() if deadline else "",
        "deadline_origin": deadline.origin if deadline else "inferred",
        "deadline_reason": deadline.reason if deadline else "",
        "question": "",
        "criteria": "",
        "tags": "",
        "key": "",
        "decision": "",
        "link": "new",
    }


def _top_matches(source: Source, proposed: list[proposals.ProposedClaim]) -> list[Any]:
    """The recorded question each candidate is most likely about (None where none shares its
    distinctive words, or where it is recorded already)."""
    session = get_session()
    published = source.published_at.date() if source.published_at else None
    found: list[retrieval.Proposal | None] = []
    for item in proposed:
        candidate = item.candidate
        if item.recorded_claim_id is not None:
            found.append(None)
            continue
        deadline = candidate.deadline
        own = deadline.at.date() if deadline and deadline.origin == "explicit" else None
        best = retrieval.propose(
            session,
            matching.ClaimText(candidate.quote, published, own),
            kind=candidate.kind,
            limit=1,
        )
        found.append(best[0] if best else None)
    return found


def _render_candidates(
    source: Source,
    proposed: list[proposals.ProposedClaim],
    form: MultiDict[str, str] | None = None,
    error: TrackerError | None = None,
    failed: int | None = None,
    status: int = 200,
) -> Any:
    values = []
    matches = _top_matches(source, proposed)
    for index, item in enumerate(proposed):
        value = _defaults(item.candidate, source)
        match = matches[index]
        if match is not None and match.is_likely:
            value["link"] = f"for:{match.question_id}"
        if form is not None:
            for name in value:
                value[name] = form.get(f"c-{index}-{name}", "")
        values.append(value)
    return (
        render_template(
            "imports/candidates.html",
            source=source,
            proposed=proposed,
            values=values,
            pieces=_pieces(source.text, proposed),
            matches=matches,
            error=error,
            failed=failed,
        ),
        status,
    )


def _quote_start(text: str, quote: str, start: str, end: str) -> int | None:
    """Where an accepted quote starts: within its proposed sentence when the editor shortened
    it there, else anywhere in the text (None lets record_claim search)."""
    if not (start.isdigit() and end.isdigit()):
        return None
    span = find_quote(text[int(start) : int(end)], quote)
    return int(start) + span.start if span is not None else None


def _claim_fields(form: MultiDict[str, str], index: int, text: str) -> dict[str, Any]:
    """record_claim's arguments from one candidate's part of the form."""

    def get(name: str) -> str:
        return form.get(f"c-{index}-{name}", "")

    kind = get("kind")
    if get("speaker_kind") not in ("", "person", "organization"):
        raise Invalid(
            "the speaker is a person or an organization", {"speaker_kind": "unknown kind"}
        )
    fields: dict[str, Any] = {
        "kind": kind,
        "quote": get("quote"),
        "quote_start": _quote_start(text, get("quote"), get("start"), get("end")),
        "question": get("question") or None,
        "resolution_criteria": get("criteria") or None,
        "tags": [t for t in get("tags").split(",") if t.strip()],
        "key": get("key").strip() or None,
        "speaker": get("speaker") or None,
        "speaker_kind": get("speaker_kind") or None,
    }
    stance, _, question_id = get("link").partition(":")
    if stance in ("for", "against") and question_id.isdigit():
        fields.update(question_id=int(question_id), stance=stance)
    if kind != "forecast":
        return fields
    probability = None
    if get("origin") == "stated":
        try:
            probability = float(get("probability"))
        except ValueError:
            raise Invalid(
                "the stated probability must be a number between 0 and 1",
                {"probability": "not a number"},
            ) from None
    fields.update(
        phrase=get("phrase") or None,
        probability=probability,
        probability_reason=(get("probability_reason") or None) if probability is not None else None,
        negated=get("negated") == "1",
        condition=get("condition") or None,
        deadline=parse_date(get("deadline"), "deadline", end_of_day=True),
        deadline_origin=get("deadline_origin") or None,
        deadline_reason=get("deadline_reason") or None,
    )
    return fields


@bp.route("/sources/<id:source_id>/candidates", methods=["GET", "POST"])
@require_role("editor")
def candidates(source_id: int) -> Any:
    session = get_session()
    source = services.get_source(session, source_id)
    proposed = proposals.list_candidates(session, source_id)
    if request.method == "GET":
        return _render_candidates(source, proposed)
    form = request.form
    user = require_user()
    quorum = int(current_app.config["RESOLUTION_QUORUM"])
    accepted = [
        index
        for index in range(min(len(proposed), MAX_CANDIDATES))
        if form.get(f"c-{index}-decision") == "accept"
    ]
    if not accepted:
        error = Invalid("accept at least one candidate, or leave the page", {})
        return _render_candidates(source, proposed, form, error, status=422)
    failed = None
    try:
        for index in accepted:
            failed = index
            claim = services.record_claim(
                session, source_id, actor_id=user.id, **_claim_fields(form, index, source.text)
            )
            assignments.assign_reviewers(session, claim.linked_question, quorum)
    except TrackerError as error:
        session.rollback()
        session.expire_all()
        source = services.get_source(session, source_id)
        return _render_candidates(source, proposed, form, error, failed, error.status)
    session.commit()
    flash(f"{len(accepted)} claim{'s' if len(accepted) != 1 else ''} recorded.")
    return redirect(url_for("record.source_page", source_id=source_id))
