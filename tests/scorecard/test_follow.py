"""Atom feeds that follow a speaker, outlet, tag or question: they parse, carry the expected
entries newest first with stable ids and UTC times, answer 304 and 404, and the group pages
link them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import feedparser
import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Snapshots
from tests.scorecard.scorecard_data import resolve
from tracker.models import Claim
from tracker.record import services
from tracker.scorecard import feeds

START = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)


@dataclass
class Record:
    claim_ids: list[int]
    question_id: int
    # (claim id, "recorded" | "resolved", time) of every event, as made
    events: list[tuple[int, str, dt.datetime]]


def _claim(
    session: Session,
    n: int,
    at: dt.datetime,
    *,
    outlet: str,
    speaker: str,
    tags: tuple[str, ...] = (),
    question_id: int | None = None,
    stance: str = "for",
) -> Claim:
    with time_machine.travel(at, tick=False):
        text = f"Item {n}: the ceasefire will hold through the winter."
        source = services.record_source(
            session,
            title=f"Article {n}",
            text=text,
            url=f"https://news.example/follow/{n}",
            outlet=outlet,
            author="Staff Writer",
            published_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )
        claim = services.record_claim(
            session,
            source.id,
            kind="forecast",
            quote="the ceasefire will hold through the winter",
            question="Will the ceasefire hold through the winter?",
            deadline=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
            speaker=speaker,
            tags=tags,
            question_id=question_id,
            stance=stance,
        )
        session.flush()
    return claim


@pytest.fixture
def made(session: Session, snapshots: Snapshots) -> Record:
    return snapshots.keep("follow.made", session, lambda: _make(session))


def _make(session: Session) -> Record:
    events: list[tuple[int, str, dt.datetime]] = []
    claims = []
    first = _claim(
        session, 0, START, outlet="The Daily", speaker="Ann Analyst", tags=("ceasefire",)
    )
    claims.append(first)
    events.append((first.id, "recorded", START))
    for n in range(1, 30):
        at = START + dt.timedelta(hours=n)
        claim = _claim(
            session,
            n,
            at,
            outlet="The Daily" if n % 2 else "The Weekly",
            speaker="Ann Analyst" if n % 3 else "Bob Pundit",
            tags=("ceasefire",),
            question_id=first.question_id if n < 4 else None,
            stance="against" if n == 2 else "for",
        )
        claims.append(claim)
        events.append((claim.id, "recorded", at))
    for n, claim in enumerate(claims[:20]):
        resolve(session, claim, "true" if n % 2 else "false")
        claim.resolved_at = START + dt.timedelta(days=2, minutes=n)
        events.append((claim.id, "resolved", claim.resolved_at))
    session.commit()
    return Record([c.id for c in claims], first.question_id, events)


def _feed(client: FlaskClient, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def _expected(made: Record, claim_ids: set[int]) -> list[str]:
    """Entry ids, newest first, as the events were made."""
    events = [e for e in made.events if e[0] in claim_ids]
    events.sort(key=lambda e: (e[2], e[1] == "resolved", e[0]), reverse=True)
    ids = []
    for claim_id, what, _ in events[: feeds.MAX_ENTRIES]:
        suffix = "resolution-1" if what == "resolved" else "recorded"
        ids.append(f"http://tracker.test/claims/{claim_id}#{suffix}")
    return ids


@pytest.mark.parametrize(
    ("path", "pick"),
    [
        ("/speakers/ann-analyst/feed.atom", lambda n, c: n % 3 != 0 or n == 0),
        ("/outlets/the-weekly/feed.atom", lambda n, c: n % 2 == 0 and n != 0),
        ("/tags/ceasefire/feed.atom", lambda n, c: True),
        ("question", lambda n, c: n < 4),
    ],
)
def test_feeds_carry_the_expected_entries(
    client: FlaskClient, made: Record, path: str, pick: object
) -> None:
    if path == "question":
        path = f"/questions/{made.question_id}/feed.atom"
    chosen = {c for n, c in enumerate(made.claim_ids) if pick(n, c)}  # type: ignore[operator]
    feed = _feed(client, path)
    assert [e.id for e in feed.entries] == _expected(made, chosen)
    assert len(feed.entries) <= feeds.MAX_ENTRIES
    assert feed.feed.id == "http://tracker.test" + path
    assert any(link.rel == "self" for link in feed.feed.links)
    for entry in feed.entries:
        assert re.search(r"(Z|\+00:00)$", entry.updated), entry.updated
        assert entry.link.startswith("http://tracker.test/claims/")
        assert entry.title.startswith(("Recorded: ", "true: ", "false: "))
    times = [e.updated_parsed for e in feed.entries]
    assert times == sorted(times, reverse=True)


def test_a_bounded_feed_keeps_its_newest_and_its_ids(
    client: FlaskClient, session: Session, made: Record
) -> None:
    before = _feed(client, "/tags/ceasefire/feed.atom")
    assert len(before.entries) == feeds.MAX_ENTRIES  # 30 recorded + 20 resolved is exactly 50
    later = START + dt.timedelta(days=5)
    claim = _claim(session, 99, later, outlet="The Daily", speaker="Cy", tags=("ceasefire",))
    session.commit()
    after = _feed(client, "/tags/ceasefire/feed.atom")
    assert len(after.entries) == feeds.MAX_ENTRIES
    assert after.entries[0].id == f"http://tracker.test/claims/{claim.id}#recorded"
    assert [e.id for e in after.entries[1:]] == [e.id for e in before.entries[:-1]]
    assert after.entries[0].updated_parsed[:6] == later.timetuple()[:6]


def test_a_question_feed_shows_each_claim_s_own_outcome(client: FlaskClient, made: Record) -> None:
    feed = _feed(client, f"/questions/{made.question_id}/feed.atom")
    resolved = {e.id: e.title for e in feed.entries if "#resolution-" in e.id}
    # Claims 0-3 are on the question; 0 and 2 resolved false, 1 and 3 true.
    outcomes = [
        resolved[f"http://tracker.test/claims/{c}#resolution-1"] for c in made.claim_ids[:4]
    ]
    assert [t.split(":")[0] for t in outcomes] == ["false", "true", "false", "true"]


def test_unknown_subjects_are_404(client: FlaskClient, made: Record) -> None:
    for path in (
        "/speakers/nobody/feed.atom",
        "/outlets/no-such-outlet/feed.atom",
        "/tags/no-such-tag/feed.atom",
        "/questions/99999/feed.atom",
        "/questions/0/feed.atom",
        "/questions/99999999999/feed.atom",
    ):
        assert client.get(path).status_code == 404, path


def test_conditional_get(client: FlaskClient, session: Session, made: Record) -> None:
    path = "/speakers/bob-pundit/feed.atom"
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/speakers/ann-analyst/feed.atom").headers["ETag"] != etag
    _claim(session, 98, START + dt.timedelta(days=9), outlet="The Daily", speaker="Bob Pundit")
    session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_pages_link_their_feeds(client: FlaskClient, session: Session, made: Record) -> None:
    link = (
        '<link rel="alternate" type="application/atom+xml"'
        ' title="{}: new claims and resolutions" href="{}">'
    )
    outlet = client.get("/outlets/the-daily").get_data(as_text=True)
    assert link.format("The Daily", "/outlets/the-daily/feed.atom") in outlet
    tag = client.get("/tags/ceasefire").get_data(as_text=True)
    assert link.format("ceasefire", "/tags/ceasefire/feed.atom") in tag
    # An author's page links the speaker of the same name when there is one.
    author = client.get("/authors/staff-writer").get_data(as_text=True)
    assert "application/atom+xml" not in author.split("</head>")[0]
    source = services.record_source(
        session,
        title="Column",
        text="Dee says the ceasefire will hold through the winter.",
        url="https://news.example/follow/dee",
        outlet="The Daily",
        author="Dee Author",
        published_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )
    services.record_claim(
        session,
        source.id,
        kind="forecast",
        quote="the ceasefire will hold through the winter",
        question="Will the ceasefire hold?",
        deadline=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
    )
    session.commit()
    # An author's page moved to their speaker's page, which links the speaker's feed.
    assert client.get("/authors/dee-author").status_code == 301
    speaker = client.get("/speakers/dee-author").get_data(as_text=True)
    assert link.format("Dee Author", "/speakers/dee-author/feed.atom") in speaker
    assert 'href="/speakers/dee-author/feed.atom" type="application/atom+xml"' in speaker
    question_id = session.scalars(select(Claim.question_id)).first()
    question = client.get(f"/questions/{question_id}").get_data(as_text=True)
    assert link.format(f"Question {question_id}", f"/questions/{question_id}/feed.atom") in question
    for path in (
        "/outlets/the-daily/feed.atom",
        "/tags/ceasefire/feed.atom",
        "/speakers/dee-author/feed.atom",
    ):
        assert client.get(path).status_code == 200
