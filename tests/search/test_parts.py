"""A source's text is indexed in short overlapping parts: a phrase cut by a part's end is
found, the part a word is found in is where its snippet comes from, and the migration that
brought the short parts writes an existing record's entries again (and back on downgrade)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine, make_sessionmaker, transaction
from tracker.models import SearchEntry
from tracker.record import services as record
from tracker.search import services
from tracker.search.query import parse
from tracker.search.terms import OVERLAP_CHARS, PART_CHARS, chunks

NOW = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)
BEFORE_SHORT_PARTS = "9b2e6f1c4d70"


def _straddling() -> str:
    """A text whose first part ends between "ambassador" and "resigned"."""
    filler = "The committee met again and adjourned without a vote. " * 40
    for cut in range(PART_CHARS // 2, PART_CHARS):
        text = filler[:cut] + " the ambassador resigned in protest. " + filler
        first_end = next(chunks(text))[1]
        if text.index("ambassador") < first_end <= text.index("resigned"):
            return text
    raise AssertionError("no cut puts the phrase across the first part's end")


def _parts(session: Session, source_id: int) -> list[int]:
    return list(
        session.scalars(
            select(SearchEntry.part)
            .where(SearchEntry.kind == "source", SearchEntry.entity_id == source_id)
            .order_by(SearchEntry.part)
        )
    )


def test_parts_are_short_overlap_and_cover_the_text() -> None:
    text = _straddling()
    parts = list(chunks(text))
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    for (start, end), (after, _) in itertools.pairwise(parts):
        assert end - start <= PART_CHARS
        assert end - OVERLAP_CHARS <= after < end and text[after - 1] == " "
    assert list(chunks("")) == [] and list(chunks("x" * 2500)) == [(0, 1000), (1000, 2000),
                                                                   (2000, 2500)]  # fmt: skip


def test_a_phrase_across_a_part_boundary_is_found(session: Session) -> None:
    source = record.record_source(session, title="Minutes", text=_straddling())
    session.commit()
    assert len(_parts(session, source.id)) > 1
    page = services.search(session, parse('"ambassador resigned"'), services.Filters(), now=NOW)
    assert [(h.type, h.id) for h in page.hits] == [("source", source.id)]
    snippet = str(page.hits[0].snippet)
    assert "<mark>ambassador</mark> <mark>resigned</mark>" in snippet
    # The snippet begins inside the text and says so.
    assert snippet.startswith("…")


def test_common_words_at_a_phrases_ends_are_left_out_on_both_databases(
    session: Session,
) -> None:
    source = record.record_source(
        session, title="Survey", text="The survey of voters was published on Monday."
    )
    session.commit()
    for q in ('"of the survey"', '"survey of"', '"the survey"', "survey"):
        page = services.search(session, parse(q), services.Filters(), now=NOW)
        assert [h.id for h in page.hits] == [source.id], q
    # A common word inside a phrase still stands for a word there.
    assert services.search(session, parse('"survey of voters"'), services.Filters(), now=NOW).hits
    assert not services.search(session, parse('"survey voters"'), services.Filters(), now=NOW).hits


def test_the_migration_writes_the_sources_entries_again(empty_database_url: str) -> None:
    url = empty_database_url
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        source_id = record.record_source(session, title="Minutes", text=_straddling()).id
    with transaction(sessions) as session:
        short = _parts(session, source_id)
    engine.dispose()
    assert len(short) > 1
    migrate.downgrade(url, BEFORE_SHORT_PARTS)
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(SearchEntry.part).where(SearchEntry.kind == "source")
        ).all()
    engine.dispose()
    assert [r.part for r in rows] == [0]
    migrate.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        assert _parts(session, source_id) == short
        page = services.search(session, parse('"ambassador resigned"'), services.Filters(),
                               now=NOW)  # fmt: skip
        assert [(h.type, h.id) for h in page.hits] == [("source", source_id)]
    engine.dispose()


def test_a_word_in_more_entries_than_are_ranked_ranks_the_first_found(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = {
        record.record_source(session, title=f"Note {n}", text=f"The embargo {n} holds.").id
        for n in range(5)
    }
    session.commit()
    monkeypatch.setattr(services, "RANKED_AT_MOST", 3)
    page = services.search(session, parse("embargo"), services.Filters(), now=NOW)
    assert len(page.hits) == 3 and not page.has_more and {h.id for h in page.hits} <= ids
    # A word in fewer entries than that is ranked in full.
    monkeypatch.setattr(services, "RANKED_AT_MOST", 5)
    page = services.search(session, parse("embargo"), services.Filters(), now=NOW)
    assert {h.id for h in page.hits} == ids
