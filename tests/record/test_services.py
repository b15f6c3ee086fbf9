"""Recording sources and claims through the service layer."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.errors import Conflict, Invalid, NotFound
from tracker.models import AuditEntry, Claim, Source, claim_status
from tracker.record import services
from tracker.text import sha256_text

TEXT = (
    "Officials said the talks \u201cwill resume\u201d soon. It\u2019s likely the deal "
    "collapses by 2027.\n\nThe minister  resigned in\u00a0March\u20142024."
)
DEADLINE = dt.datetime(2027, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


def _source(session: Session, text: str = TEXT, **kwargs: Any) -> Source:
    fields = {"title": "Talks", "url": "https://example.org/talks", "outlet": "The Example"}
    fields.update(kwargs)
    return services.record_source(session, text=text, **fields)


def _rows(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Claim)) or 0,
        session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def _forecast(session: Session, source_id: int, **kwargs: Any) -> Claim:
    fields: dict[str, Any] = {
        "kind": "forecast",
        "quote": "likely the deal collapses by 2027",
        "deadline": DEADLINE,
    }
    fields.update(kwargs)
    return services.record_claim(session, source_id, **fields)


def test_source_archives_text_and_hash(session: Session) -> None:
    source = _source(session, author="Ann O\u2019Neil")
    assert source.text == TEXT
    assert source.text_sha256 == sha256_text(TEXT) and len(source.text_sha256) == 64
    assert source.author_slug == "ann-o-neil" and source.outlet_slug == "the-example"
    assert source.fetched_at.tzinfo is not None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"text": " \n "}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.org/x"}, "url"),
        ({"published_at": dt.datetime(2020, 1, 3)}, "published_at"),
    ],
)
def test_bad_source_is_refused(session: Session, fields: dict[str, Any], field: str) -> None:
    values: dict[str, Any] = {"title": "Talks", "text": TEXT}
    values.update(fields)
    with pytest.raises(Invalid) as error:
        services.record_source(session, **values)
    assert field in error.value.fields
    assert session.scalar(select(func.count()).select_from(Source)) == 0


def test_same_text_of_same_url_is_a_conflict(session: Session) -> None:
    first = _source(session)
    with pytest.raises(Conflict, match=f"source {first.id}"):
        _source(session)


def test_quote_typed_with_straight_quotes_finds_curly_ones(session: Session) -> None:
    source = _source(session)
    claim = _forecast(session, source.id, quote="It's likely the deal collapses", phrase=None)
    assert claim.quote == "It\u2019s likely the deal collapses"
    assert TEXT[claim.quote_start : claim.quote_end] == claim.quote
    fact = services.record_claim(session, source.id, kind="fact", quote='talks "will resume" soon')
    assert fact.quote == "talks \u201cwill resume\u201d soon"


def test_quote_typed_with_plain_spaces_and_hyphen_finds_the_archived_wording(
    session: Session,
) -> None:
    source = _source(session)
    fact = services.record_claim(
        session, source.id, kind="fact", quote="The minister resigned in March-2024."
    )
    assert fact.quote == "The minister  resigned in\u00a0March\u20142024."


def test_probability_from_phrase_and_hedge(session: Session) -> None:
    source = _source(session)
    likely = _forecast(session, source.id)
    assert likely.probability_origin == "phrase" and likely.phrase == "likely"
    assert 0.55 <= (likely.probability or 0) <= 0.80 and not likely.hedged
    might = _forecast(session, source.id, phrase="might", question="Might it collapse?")
    assert might.hedged and might.probability == 0.40
    stated = _forecast(session, source.id, probability=0.6, question="Stated?")
    assert stated.probability == 0.6 and stated.probability_origin == "stated"
    negated = _forecast(session, source.id, phrase="will", negated=True, question="Survives?")
    assert negated.probability == pytest.approx(0.10)
    assert "opposite" in (negated.probability_reason or "")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"quote": "the deal survives"}, "quote", "does not occur"),
        ({"quote": "   "}, "quote", "needs its quote"),
        ({"probability": 0.0}, "probability", "strictly between 0 and 1"),
        ({"probability": 1.0}, "probability", "strictly between 0 and 1"),
        ({"probability": -0.2}, "probability", "strictly between 0 and 1"),
        ({"probability": float("nan")}, "probability", "strictly between 0 and 1"),
        ({"deadline": None}, "deadline", "needs a deadline"),
        ({"deadline": dt.datetime(2027, 1, 1)}, "deadline", "time zone"),
        ({"kind": "rumour"}, "kind", "kind must be"),
        ({"key": "Not A Slug"}, "key", "lowercase"),
        ({"deadline_origin": "inferred"}, "deadline_reason", "reason"),
    ],
)
def test_bad_claim_is_refused_and_nothing_written(
    session: Session, kwargs: dict[str, Any], field: str, message: str
) -> None:
    source = _source(session)
    before = _rows(session)
    with pytest.raises(Invalid, match=message) as error:
        _forecast(session, source.id, **kwargs)
    assert field in error.value.fields
    assert _rows(session) == before


def test_fact_with_probability_is_refused(session: Session) -> None:
    source = _source(session)
    with pytest.raises(Invalid, match="no probability"):
        services.record_claim(
            session, source.id, kind="fact", quote="The minister", probability=0.5
        )


def test_claim_on_missing_source_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        _forecast(session, 999)


def test_keys_are_unique_per_source(session: Session) -> None:
    source = _source(session)
    question = "Will the deal collapse by 2027?"
    first = _forecast(session, source.id, question=question)
    # Other words asking the same question are another claim, under a key of its own.
    second = _forecast(session, source.id, quote="the deal collapses by 2027", question=question)
    assert second.key == first.key + "-2"
    with pytest.raises(Conflict, match="already has a claim"):
        _forecast(session, source.id, key=first.key, question="Another question?")


def test_due_is_derived_from_deadline_and_now(session: Session) -> None:
    source = _source(session)
    claim = _forecast(session, source.id)
    session.commit()
    before = DEADLINE - dt.timedelta(seconds=1)
    assert claim_status(claim, before) == "open"
    assert claim_status(claim, DEADLINE) == "due"
    assert [c.id for c in services.list_claims(session, now=DEADLINE, status="due")] == [claim.id]
    assert services.list_claims(session, now=before, status="due") == []
    assert [c.id for c in services.list_claims(session, now=before, status="open")] == [claim.id]


def test_list_filters(session: Session) -> None:
    source = _source(session, author="Ann Author")
    other = _source(session, text="Another text that will say nothing.", url=None)
    forecast = _forecast(session, source.id, tags=["Deals", "deals", "Europe"])
    fact = services.record_claim(session, other.id, kind="fact", quote="Another text")
    session.commit()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert forecast.tag_names == ["deals", "europe"]

    def ids(**filters: Any) -> list[int]:
        return [c.id for c in services.list_claims(session, now=now, **filters)]

    assert ids(kind="fact") == [fact.id]
    assert ids(source_id=source.id) == [forecast.id]
    assert ids(key=fact.key) == [fact.id]
    assert ids(author="ann author") == [forecast.id]
    assert ids(tag="Europe") == [forecast.id]
    assert ids(outlet="The Example") == [forecast.id, fact.id]
    with pytest.raises(Invalid):
        ids(status="finished")


def test_each_record_is_audited(session: Session) -> None:
    source = _source(session)
    claim = _forecast(session, source.id)
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.entity_id) for e in entries] == [
        ("source.recorded", source.id),
        ("claim.recorded", claim.id),
    ]
    assert entries[1].prev_hash == entries[0].hash


_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=300,
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), text=_texts)
def test_any_run_of_whole_words_can_be_recorded_and_found_again(
    session: Session, data: st.DataObject, text: str
) -> None:
    # Where a quote may start or end: not between two letters or digits of one word.
    cuts = [i for i in range(len(text) + 1) if i in (0, len(text)) or not _inside_word(text, i)]
    start = data.draw(st.sampled_from(cuts[:-1]))
    end = data.draw(st.sampled_from([c for c in cuts if c > start]))
    quote = text[start:end]
    if len(quote.strip()) < services.MIN_QUOTE_CHARS:
        return
    source = services.record_source(session, title="Generated", text=text)
    claim = services.record_claim(session, source.id, kind="fact", quote=quote)
    session.flush()
    session.expire_all()
    stored = session.get_one(Claim, claim.id)
    assert stored.quote == quote.strip()
    assert stored.source.text[stored.quote_start : stored.quote_end] == stored.quote
    session.rollback()


def _inside_word(text: str, i: int) -> bool:
    def word(char: str) -> bool:
        return unicodedata.category(char)[0] in "LNM"

    return word(text[i - 1]) and word(text[i])


def test_short_quotes_and_quotes_inside_words_are_refused(session: Session) -> None:
    source = _source(session, text="What a deal: the minister resigned. A deal is a deal.")
    for quote, message in [
        ("a", "at least 3 characters"),
        (" a ", "at least 3 characters"),
        ("hat", "only inside longer words"),
        ("ister resigned", "only inside longer words"),
        ("the minist", "only inside longer words"),
    ]:
        with pytest.raises(Invalid, match=message) as error:
            services.record_claim(session, source.id, kind="fact", quote=quote)
        assert "quote" in error.value.fields
    # The first "deal" of this text is inside "Ordeals": the whole word after it is taken.
    other = _source(session, text="Ordeals aside, the deal holds.", url=None)
    claim = services.record_claim(session, other.id, kind="fact", quote="deal")
    assert (claim.quote_start, claim.quote_end) == (19, 23)


def test_the_same_quote_and_question_twice_is_a_conflict_naming_the_claim(
    session: Session,
) -> None:
    source = _source(session)
    first = _forecast(session, source.id, question="Will the deal collapse by 2027?")
    before = _rows(session)
    with pytest.raises(Conflict, match=f"as claim {first.id} \\({first.key}\\)") as error:
        _forecast(session, source.id, question="Will the deal collapse by 2027?")
    assert error.value.fields == {"quote": f"already recorded as claim {first.id}"}
    # Typed with other spacing, it is still the same words of the source.
    with pytest.raises(Conflict):
        _forecast(
            session, source.id, quote="  likely the deal collapses by 2027 ",
            question="  Will the deal collapse by 2027?",
        )  # fmt: skip
    assert _rows(session) == before


def test_a_deadline_not_after_the_publication_is_refused(session: Session) -> None:
    published = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
    source = _source(session, published_at=published)
    for deadline in (published - dt.timedelta(days=400), published):
        with pytest.raises(Invalid, match="not after the source's publication") as error:
            _forecast(session, source.id, deadline=deadline)
        assert "2025-03-10 12:00 UTC" in error.value.fields["deadline"]
    claim = _forecast(session, source.id, deadline=published + dt.timedelta(seconds=1))
    assert claim.deadline_at == published + dt.timedelta(seconds=1)
