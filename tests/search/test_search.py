"""Search finds the same things, in the same order, on SQLite (FTS5) and PostgreSQL (tsvector):
stemmed words, phrases, exclusions, prefixes, speaker names and words with diacritics, each
engine's own stemming. Every expectation below holds on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.search import corpus
from tracker.errors import Invalid
from tracker.search import services
from tracker.search.query import parse

NOW = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)

# query -> the results, best first, as "type id" (ids as corpus.build makes them).
EXPECTED = {
    "retaliation": ["claim 1", "source 1"],  # the quote says "retaliate"
    "retaliates": ["claim 1", "source 1"],
    '"strait of hormuz"': ["question 2", "claim 2", "source 1"],
    "retal*": ["claim 1", "source 1"],
    "hormuz -tankers": [],
    "oil -goldman": ["claim 2"],  # tagged oil; the Goldman Sachs claim is left out
    "goldman": ["speaker 2", "claim 4", "source 2"],
    "trump": ["speaker 4", "claim 6", "source 3"],
    "tom rogan": ["speaker 1", "claim 1", "claim 3", "claim 2", "source 1"],
    "reuters": ["speaker 3", "claim 5", "claim 6", "claim 4", "source 3", "source 2"],
    "elections": ["question 3", "claim 3", "source 1"],
    "election": ["question 3", "claim 3", "source 1"],  # "Élections" in the quote
    "ELECTION": ["question 3", "claim 3", "source 1"],
    "cafe": ["source 2"],
    "café": ["source 2"],
    "iranian response": ["question 6", "claim 6", "source 3"],
    '"united states"': ["source 3"],
    "waterway": ["question 5", "claim 5", "source 2"],
    "iran": ["question 1", "claim 1", "source 1"],
}


@pytest.fixture
def record(session: Session) -> corpus.Corpus:
    return corpus.build(session)


def _found(session: Session, q: str, **filters: object) -> list[str]:
    page = services.search(
        session,
        parse(q),
        services.Filters(**filters),
        now=NOW,  # type: ignore[arg-type]
    )
    return [f"{hit.type} {hit.id}" for hit in page.hits]


@pytest.mark.parametrize("q", list(EXPECTED))
def test_the_same_results_in_the_same_order_on_both_databases(
    session: Session, record: corpus.Corpus, q: str
) -> None:
    assert _found(session, q) == EXPECTED[q]


def test_a_stemmed_word_finds_each_form(session: Session, record: corpus.Corpus) -> None:
    # "closed" -> close: the quote says closed, two questions say close.
    assert set(_found(session, "closed")) == {
        "question 2", "question 4", "question 5", "claim 2", "claim 4", "claim 5", "source 1",
    }  # fmt: skip


def test_filters(session: Session, record: corpus.Corpus) -> None:
    assert _found(session, "iran", type="source") == ["source 1"]
    assert _found(session, "reuters", type="claim", speaker="Donald Trump") == ["claim 6"]
    # A filter keeps claims that match it and what has such a claim.
    assert _found(session, "reuters", speaker="donald-trump") == ["claim 6", "source 3"]
    assert _found(session, "oil", tag="oil") == ["claim 4", "source 2", "claim 2"]
    assert _found(session, "oil", tag="oil", type="claim") == ["claim 4", "claim 2"]
    # A source matches outlet and dates by itself.
    assert _found(session, "iran", outlet="washington examiner", type="source") == ["source 1"]
    assert _found(session, "iranian", outlet="Reuters", type="source") == ["source 3"]
    assert _found(session, "iran", date_from=dt.date(2020, 3, 1)) == []
    assert _found(session, "response", date_from=dt.date(2020, 3, 1)) == [
        "question 6", "claim 6", "source 3"
    ]  # fmt: skip
    assert _found(session, "iran", date_to=dt.date(2020, 1, 3), type="claim") == ["claim 1"]
    assert _found(session, "iran", kind="fact") == []
    assert _found(session, "iran", status="open", type="claim") == ["claim 1"]
    assert _found(session, "iran", status="resolved") == []
    with pytest.raises(Invalid, match="type must be one of"):
        _found(session, "iran", type="user")
    with pytest.raises(Invalid, match="from must not be after to"):
        _found(session, "iran", date_from=dt.date(2021, 1, 1), date_to=dt.date(2020, 1, 1))


def test_status_due_follows_the_clock(session: Session, record: corpus.Corpus) -> None:
    later = dt.datetime(2021, 6, 1, tzinfo=dt.UTC)
    page = services.search(
        session, parse("iran"), services.Filters(status="due", type="claim"), now=later
    )
    assert [h.id for h in page.hits] == [record.retaliate]
    assert _found(session, "iran", status="due") == []


def test_snippets_mark_the_match_and_escape_the_rest(session: Session) -> None:
    from tracker.record import services as record

    source = record.record_source(
        session, title="Markup", text="A <script>alert(1)</script> & the retaliation came."
    )
    session.commit()
    page = services.search(session, parse("retaliate"), services.Filters(), now=NOW)
    assert [h.id for h in page.hits] == [source.id]
    snippet = str(page.hits[0].snippet)
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet and "&amp;" in snippet
    assert "<mark>retaliation</mark>" in snippet


def test_paged_twenty_at_a_time(session: Session) -> None:
    from tracker.record import services as record

    text = " ".join(f"Forecast number {n} says the embargo will hold." for n in range(25))
    record.record_source(session, title="Embargo", text=text)
    session.commit()
    first = services.search(session, parse("embargo"), services.Filters(type="source"), now=NOW)
    assert len(first.hits) == 1 and not first.has_more
    for n in range(24):
        record.record_source(session, title=f"Embargo {n}", text=f"The embargo {n} holds.")
    session.commit()
    first = services.search(session, parse("embargo"), services.Filters(), now=NOW)
    second = services.search(session, parse("embargo"), services.Filters(), now=NOW, offset=20)
    assert len(first.hits) == 20 and first.has_more
    assert len(second.hits) == 5 and not second.has_more
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
