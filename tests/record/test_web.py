"""Public pages and health checks, through the HTTP client."""

from __future__ import annotations

import itertools
import re
import time
from types import SimpleNamespace
from typing import Any

import time_machine
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tracker.record import services
from tracker.record.views import segments


def test_front_page_lists_due_and_recent(client: FlaskClient, seeded: int) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Due for review" in page
    assert "At least in the short term, however, it will unleash Iranian retaliation." in page
    assert 'name="viewport"' in page


def test_front_page_with_no_claims(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "No claims have been recorded yet." in response.get_data(as_text=True)


def test_source_page_highlights_and_links_every_claim(
    client: FlaskClient, session: Session, seeded: int
) -> None:
    page = client.get(f"/sources/{seeded}").get_data(as_text=True)
    source = services.get_source(session, seeded)
    for claim in source.claims:
        assert f'href="/claims/{claim.id}"' in page
    assert page.count("<mark") >= 17 + 2  # every quote, plus the legend
    text = re.sub(r"<[^>]+>", "", page.split('<div class="article">')[1].split("</div>")[0])
    assert "Soleimani\u2019s killing, apparently alongside" in text


def test_claim_page_shows_quote_in_context_and_fields(
    client: FlaskClient, session: Session, seeded: int
) -> None:
    claim = services.list_claims(session, key="hormuz-disruption")[0]
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert f'<mark class="forecast">{claim.quote}</mark>' in page
    assert "In the context of Iranian domestic political instability" in page
    assert "40%" in page and "might" in page and "hedged" in page
    assert "Will Iran seize, attack or mine a commercial vessel" in page
    assert "2020-07-03 23:59 UTC" in page


def test_status_follows_the_clock(client: FlaskClient, session: Session, seeded: int) -> None:
    claim = services.list_claims(session, key="iran-retaliation")[0]
    with time_machine.travel("2020-02-01T00:00:00Z"):
        assert '<span class="badge open">open</span>' in client.get(f"/claims/{claim.id}").get_data(
            as_text=True
        )
    with time_machine.travel("2020-05-01T00:00:00Z"):
        assert '<span class="badge due">due</span>' in client.get(f"/claims/{claim.id}").get_data(
            as_text=True
        )


def test_script_in_a_quote_is_escaped(client: FlaskClient, session: Session) -> None:
    payload = "<script>alert('x')</script>"
    source = services.record_source(
        session, title=f"Title {payload}", text=f"Before. He said {payload} loudly.", outlet=payload
    )
    claim = services.record_claim(session, source.id, kind="fact", quote=f"He said {payload}")
    session.commit()
    for path in ("/", f"/sources/{source.id}", f"/claims/{claim.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>" not in page, path
        assert "&lt;script&gt;" in page, path


def test_missing_pages_are_404(client: FlaskClient) -> None:
    assert client.get("/claims/12345").status_code == 404
    assert client.get("/sources/12345").status_code == 404
    response = client.get("/claims/not-a-number")
    assert response.status_code == 404 and b"Not found" in response.data


def test_health_and_readiness(client: FlaskClient, session: Session) -> None:
    from tracker.db import utcnow
    from tracker.models import SchedulerHeartbeat

    session.add(SchedulerHeartbeat(name="host", started_at=utcnow(), last_tick_at=utcnow()))
    session.commit()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "migrations": "ok", "scheduler": "ok"}


def test_readiness_fails_without_schema(client: FlaskClient, session: Session) -> None:
    """No migration record: not ready. The table is hidden, not dropped, and put back: the
    database outlives this test on PostgreSQL."""
    from sqlalchemy import text

    session.execute(text("ALTER TABLE alembic_version RENAME TO alembic_version_hidden"))
    session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["status"] == "unavailable"
    finally:
        session.rollback()
        session.execute(text("ALTER TABLE alembic_version_hidden RENAME TO alembic_version"))
        session.commit()


def _segments_by_definition(text: str, claims: list[Any]) -> list[tuple[str, list[int]]]:
    """Each run between quote boundaries with the quotes covering it, innermost first."""
    cuts = sorted({0, len(text)} | {c.quote_start for c in claims} | {c.quote_end for c in claims})
    return [
        (
            text[start:end],
            [
                id(c)
                for c in sorted(
                    (c for c in claims if c.quote_start <= start and end <= c.quote_end),
                    key=lambda c: c.quote_end - c.quote_start,
                )
            ],
        )
        for start, end in itertools.pairwise(cuts)
    ]


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 15)), max_size=25))
def test_source_page_segments_are_the_runs_between_quote_boundaries(
    spans: list[tuple[int, int]],
) -> None:
    text = "abcdefghij" * 6
    claims = [SimpleNamespace(quote_start=s, quote_end=s + n) for s, n in spans]
    found = [(x.text, [id(c) for c in x.claims]) for x in segments(text, claims)]  # type: ignore[arg-type]
    assert found == _segments_by_definition(text, claims)


def test_a_source_with_thousands_of_claims_is_cut_in_one_sweep() -> None:
    """Every run used to be checked against every claim: 20,000 quotes took minutes."""
    text = "word " * 50_000
    claims = [SimpleNamespace(quote_start=10 * i, quote_end=10 * i + 9) for i in range(20_000)]
    # The processor time this thread spends (about 0.3 s), not the wall clock: on a busy machine
    # the wall clock counts the time other processes run too (3.4 s seen at load 20), and the
    # old quadratic cut still takes minutes of processor time.
    started = time.thread_time()
    cut = segments(text, claims)  # type: ignore[arg-type]
    assert time.thread_time() - started < 2
    assert len(cut) == 40_000 and [c.quote_start for c in cut[2].claims] == [10]
