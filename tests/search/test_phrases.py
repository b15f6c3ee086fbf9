"""A phrase finds exactly the entries whose words stand together. PostgreSQL looks a phrase's
entries up by the pairs of its words before it checks the phrase itself; that finds what the
check alone finds, on made-up texts full of repeated and common words, and the migration that
brought the pairs computes them for an existing record (and drops them on downgrade)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tracker import migrate
from tracker.db import make_engine, make_sessionmaker, transaction
from tracker.record import services as record
from tracker.search import services
from tracker.search.pairs import phrase_vector
from tracker.search.query import parse

NOW = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)
BEFORE_PAIRS = "a5e0c2f7b914"
# Few words, so that most phrases have every word in many texts but together in only some;
# common words, so that phrases have gaps; forms that stem alike ("rates", "rate").
WORDS = ("oil", "rates", "rate", "rise", "fell", "bank", "of", "the", "a", "strait", "hormuz",
         "said", "minister", "prime", "new", "prices", "price", "war", "peace",
         "talks")  # fmt: skip


@pytest.mark.parametrize(
    ("written", "vector"),
    [
        ("'strait' <2> 'hormuz'", "'hormuz':3 'strait':1"),
        ("'oil' <-> 'price' <-> 'rise'", "'oil':1 'price':2 'rise':3"),
        ("'bye' <-> 'bye' <-> 'love'", "'bye':1,2 'love':3"),
        ("'it''s' <-> 'x'", "'it''s':1 'x':2"),
        ("'b' <-> 'cc' <-> 'dd':*", "'b':1 'cc':2"),  # a prefix is no one word
        ("'b' <-> 'dd':*", None),
        ("'said' <3> 'presid'", None),  # too far apart to be a pair
        ("'oil'", None),
        ("'ab' <-> 'cd' & 'ef'", None),  # not a phrase alone
        ("!( 'ab' <-> 'cd' )", None),
        ("( 'ab' <-> 'cd' ) <-> 'ef'", None),
        ("", None),
    ],
)
def test_a_phrases_pairs_are_its_words_at_their_places(written: str, vector: str | None) -> None:
    assert phrase_vector(written) == vector


def _texts(rng: random.Random, n: int) -> list[str]:
    texts = []
    for _ in range(n):
        length = rng.choice((5, 20, 60, 250))  # the longest are indexed in several parts
        texts.append(" ".join(rng.choice(WORDS) for _ in range(length)) + ".")
    return texts


def _phrases(rng: random.Random, texts: list[str], n: int) -> list[str]:
    found = []
    while len(found) < n:
        if rng.random() < 0.6:  # words that stand together somewhere
            words = rng.choice(texts).rstrip(".").split()
            size = rng.randint(2, 4)
            start = rng.randrange(max(1, len(words) - size + 1))
            chosen = words[start : start + size]
        else:
            chosen = [rng.choice(WORDS) for _ in range(rng.randint(2, 3))]
        star = "*" if rng.random() < 0.15 else ""
        if len(chosen) > 1 and not all(w in ("of", "the", "a") for w in chosen):
            found.append('"' + " ".join(chosen) + star + '"')
    return found


def test_a_phrase_finds_every_entry_with_its_words_together(session: Session, backend: str) -> None:
    rng = random.Random(20261204)
    texts = _texts(rng, 60)
    ids = {record.record_source(session, title=f"Note {i}", text=body).id: body
           for i, body in enumerate(texts)}  # fmt: skip
    session.commit()
    paired = 0
    for q in _phrases(rng, texts, 60):
        query = parse(q)
        if backend == "postgresql":
            # The phrase checked on every entry's words, with no lookup by pairs.
            expected = set(session.scalars(
                text("SELECT DISTINCT entity_id FROM search_entries WHERE kind = 'source'"
                     " AND document @@ to_tsquery('english', :q)"), {"q": query.tsquery()}
            ))  # fmt: skip
            written = session.scalar(
                text("SELECT CAST(to_tsquery('english', :q) AS text)"), {"q": query.tsquery()}
            )
            paired += phrase_vector(written or "") is not None
        else:
            expected = set(session.scalars(
                text("SELECT DISTINCT e.entity_id FROM search_fts JOIN search_entries e"
                     " ON e.id = search_fts.rowid WHERE search_fts MATCH :q"
                     " AND e.kind = 'source'"), {"q": query.fts5()},
            ))  # fmt: skip
        page = services.search(session, query, services.Filters(type="source"), now=NOW,
                               limit=services.MAX_PAGE_SIZE)  # fmt: skip
        assert {hit.id for hit in page.hits} == expected, q
        assert set(expected) <= set(ids)
    if backend == "postgresql":
        assert paired >= 30  # most phrases were looked up by their pairs


def _has_pairs(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_search_entries_pairs'"
        )))  # fmt: skip


def test_the_migration_computes_the_pairs_of_an_existing_record(empty_database_url: str) -> None:
    url = empty_database_url
    migrate.upgrade(url, BEFORE_PAIRS)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        source_id = record.record_source(
            session, title="Minutes", text="The Strait of Hormuz was closed. Oil prices rose."
        ).id
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    assert _has_pairs(engine) is postgres
    with transaction(make_sessionmaker(engine)) as session:
        for q in ('"strait of hormuz"', '"oil prices rose"', '"hormuz was closed"'):
            page = services.search(session, parse(q), services.Filters(), now=NOW)
            assert [(h.type, h.id) for h in page.hits] == [("source", source_id)], q
        assert not services.search(session, parse('"oil hormuz"'), services.Filters(),
                                   now=NOW).hits  # fmt: skip
        if postgres:  # every entry of the source has pairs in the index
            assert session.scalar(text(
                "SELECT count(*) FROM search_entries WHERE kind = 'source'"
                " AND search_pair_keys(document) @> search_pair_keys('strait:1 hormuz:3')"
            )) == 1  # fmt: skip
    engine.dispose()
    migrate.downgrade(url, BEFORE_PAIRS)
    engine = make_engine(url)
    assert not _has_pairs(engine)
    engine.dispose()
    migrate.upgrade(url)
