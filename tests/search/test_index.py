"""The index follows the record: what the services write is found at once, edits replace the
old words, merged and deleted things leave it, and `tracker search reindex` (and a restore)
make exactly the index the services kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask.testing import FlaskCliRunner
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tests.search import corpus
from tracker.cli import main
from tracker.models import Claim, ClaimTag, SearchEntry, Speaker, User
from tracker.record import services as record
from tracker.review import changes
from tracker.search import index, services
from tracker.search.query import parse
from tracker.search.terms import PART_CHARS

NOW = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)


def _found(session: Session, q: str, **filters: object) -> list[str]:
    page = services.search(
        session,
        parse(q),
        services.Filters(**filters),
        now=NOW,  # type: ignore[arg-type]
    )
    return [f"{hit.type} {hit.id}" for hit in page.hits]


def _entries(session: Session) -> list[tuple[str, int, int]]:
    rows = session.execute(select(SearchEntry.kind, SearchEntry.entity_id, SearchEntry.part))
    return sorted((k, e, p) for k, e, p in rows)


def test_inserts_are_indexed_as_they_are_written(session: Session) -> None:
    assert _entries(session) == []
    c = corpus.build(session)
    entries = _entries(session)
    assert [e for e in entries if e[0] == "claim"] == [("claim", i, 0) for i in range(1, 7)]
    assert [e for e in entries if e[0] == "question"] == [("question", i, 0) for i in range(1, 7)]
    assert [e for e in entries if e[0] == "source"] == [("source", i, 0) for i in (1, 2, 3)]
    names = session.scalars(select(Speaker.name).order_by(Speaker.id)).all()
    assert names == ["Tom Rogan", "Goldman Sachs", "Reuters", "Donald Trump"]
    assert [e for e in entries if e[0] == "speaker"] == [("speaker", i, 0) for i in range(1, 5)]
    assert _found(session, "goldman", type="claim") == [f"claim {c.oil}"]


def test_reindex_makes_the_index_the_services_kept(
    session: Session, runner: FlaskCliRunner
) -> None:
    corpus.build(session)
    before = _entries(session)
    results = {q: _found(session, q) for q in ("iran", "reuters", '"strait of hormuz"', "oil")}
    session.close()
    outcome = runner.invoke(main, ["search", "reindex"])
    assert outcome.exit_code == 0, outcome.output
    assert "search index rebuilt: 6 claim entries, 6 question entries, 3 source entries" in (
        outcome.output
    )
    assert _entries(session) == before
    assert {q: _found(session, q) for q in results} == results


def test_an_edited_question_replaces_its_words(
    session: Session, make_user: Callable[..., User]
) -> None:
    c = corpus.build(session)
    editor = make_user("editor")
    claim = record.get_claim(session, c.closure)
    assert _found(session, "shipping") == ["question 5", "claim 5"]
    changes.edit_claim(
        session, claim, editor, reason="Sharper wording",
        question="Will tanker traffic through the waterway stop for a week?",
    )  # fmt: skip
    session.commit()
    assert _found(session, "shipping") == []
    assert _found(session, "tanker traffic") == ["question 5", "claim 5"]


def test_a_merged_speaker_and_a_deleted_claim_leave_the_index(session: Session) -> None:
    c = corpus.build(session)
    # Goldman Sachs merged into a speaker of its full name: its claims move, it goes.
    old = session.scalar(select(Speaker).where(Speaker.slug == "goldman-sachs"))
    assert old is not None
    kept = Speaker(name="The Goldman Sachs Group", slug="the-goldman-sachs-group",
                   kind="organization")  # fmt: skip
    session.add(kept)
    session.flush()
    moved = index.speaker_claims(session, [old.id])
    session.execute(update(Claim).where(Claim.speaker_id == old.id).values(speaker_id=kept.id))
    session.delete(old)
    index.refresh(session, speakers=[old.id, kept.id], claims=moved)
    session.commit()
    assert _found(session, "goldman", type="speaker") == [f"speaker {kept.id}"]
    assert _found(session, "group") == [f"speaker {kept.id}", f"claim {c.oil}"]
    assert ("speaker", old.id, 0) not in _entries(session)
    # A claim deleted (with its tags) leaves with it.
    session.execute(delete(ClaimTag).where(ClaimTag.claim_id == c.oil))
    session.execute(delete(Claim).where(Claim.id == c.oil))
    index.refresh(session, claims=[c.oil])
    session.commit()
    assert _found(session, "group") == [f"speaker {kept.id}"]
    assert not [e for e in _entries(session) if e[:2] == ("claim", c.oil)]


def test_a_long_text_is_indexed_in_parts_and_found_to_its_end(session: Session) -> None:
    filler = "The committee met again and adjourned without a vote. " * 2000
    text = filler + "At the very end the ambassador resigned in protest."
    assert len(text) > 2 * PART_CHARS
    source = record.record_source(session, title="Minutes", text=text)
    session.commit()
    parts = [p for k, e, p in _entries(session) if (k, e) == ("source", source.id)]
    assert parts == list(range(len(parts))) and len(parts) >= 3
    page = services.search(session, parse('"ambassador resigned"'), services.Filters(), now=NOW)
    assert [(h.type, h.id) for h in page.hits] == [("source", source.id)]
    assert "<mark>ambassador</mark> <mark>resigned</mark>" in str(page.hits[0].snippet)
    # One result per source, however many of its parts match.
    assert _found(session, "committee") == [f"source {source.id}"]
