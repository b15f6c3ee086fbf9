"""/search and /api/v1/search: the box on every page, results with marked snippets linking to
their pages, paging, a helpful page for what cannot be searched for, and clear answers (never
a 500) to hostile queries."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.search import corpus
from tracker.db import make_engine
from tracker.record import services as record

HOSTILE = [
    'NEAR(iran hormuz, 2)', "title:iran", "people : trump", '"unbalanced', "iran)", "(iran",
    "^iran", "iran AND OR NOT", "* iran", "iran*:*", "!iran", "iran & !trump | oil",
    "iran <-> oil", "'iran':* & x", "'; DROP TABLE claims; --", "1 OR 1=1", "iran\\",
    "\u202e\u200b", "😀 iran", "\ufdd0", "{iran}", "-", "--", '""', "*", "-*", "%", "_",
]  # fmt: skip


@pytest.fixture
def record_(session: Session) -> corpus.Corpus:
    return corpus.build(session)


def test_every_page_has_the_search_box(client: FlaskClient) -> None:
    for path in ("/", "/search", "/login"):
        page = client.get(path).get_data(as_text=True)
        assert 'role="search"' in page and 'action="/search"' in page, path


def test_results_link_to_their_pages(client: FlaskClient, record_: corpus.Corpus) -> None:
    page = client.get("/search?q=goldman").get_data(as_text=True)
    assert '<a href="/speakers/goldman-sachs">Goldman Sachs</a>' in page
    assert f'<a href="/claims/{record_.oil}">' in page
    assert f'<a href="/sources/{record_.markets}">' in page
    assert "<mark>Goldman</mark>" in page
    questions = client.get("/search?q=waterway&type=question").get_data(as_text=True)
    assert f'<a href="/questions/{record_.closure}">' in questions
    assert questions.count('class="search-hit"') == 1


def test_the_page_says_what_to_type(client: FlaskClient, record_: corpus.Corpus) -> None:
    empty = client.get("/search")
    assert empty.status_code == 200 and "in quotes for the exact words" in empty.get_data(True)
    for q, says in [
        ("a", "at least two letters"), ("x", "at least two letters"),
        ("?!", "punctuation alone"), ("...", "punctuation alone"),
        ("the of", "too common"), ("-iran", "as well as what to leave out"),
    ]:  # fmt: skip
        response = client.get(f"/search?q={quote(q)}")
        assert response.status_code == 200, q
        assert says in response.get_data(as_text=True), q
    nothing = client.get("/search?q=zanzibar").get_data(as_text=True)
    assert "Nothing in the record matches" in nothing
    long = client.get("/search?q=" + "iran " * 200)
    assert long.status_code == 400 and "longer than 500 characters" in long.get_data(True)
    bad_date = client.get("/search?q=iran&from=yesterday")
    assert bad_date.status_code == 400 and "from must be a date" in bad_date.get_data(True)


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_get_a_clear_answer(
    client: FlaskClient, record_: corpus.Corpus, q: str
) -> None:
    page = client.get(f"/search?q={quote(q)}")
    assert page.status_code in (200, 400), q
    api = client.get(f"/api/v1/search?q={quote(q)}")
    assert api.status_code in (200, 422), (q, api.get_json())
    if api.status_code == 422:
        assert api.get_json()["error"]["message"]


def test_nul_and_very_long_queries(client: FlaskClient) -> None:
    nul = client.get("/api/v1/search?q=iran%00")
    assert nul.status_code == 400 and "NUL" in nul.get_json()["error"]["message"]
    long = client.get("/api/v1/search?q=" + "a" * 10_000)
    assert long.status_code == 422
    many = client.get("/api/v1/search?q=" + quote(" ".join(f"word{n}" for n in range(20))))
    assert many.status_code == 422 and "at most 12" in many.get_json()["error"]["message"]


def test_api_answer_and_paging(client: FlaskClient, session: Session) -> None:
    for n in range(25):
        record.record_source(session, title=f"Embargo report {n}", text=f"The embargo {n} holds.")
    session.commit()
    first = client.get("/api/v1/search?q=embargo")
    assert first.status_code == 200
    body = first.get_json()
    assert set(body) == {"items", "next"} and len(body["items"]) == 20
    item = body["items"][0]
    assert set(item) == {"type", "id", "title", "snippet", "url", "rank"}
    assert item["type"] == "source" and item["url"] == f"http://tracker.test/sources/{item['id']}"
    assert "<mark>" in item["snippet"]
    ranks = [i["rank"] for i in body["items"]]
    assert ranks == sorted(ranks, reverse=True)
    second = client.get(body["next"].removeprefix("http://tracker.test")).get_json()
    assert len(second["items"]) == 5 and second["next"] is None
    assert not {i["id"] for i in body["items"]} & {i["id"] for i in second["items"]}
    html = client.get("/search?q=embargo").get_data(as_text=True)
    assert html.count('class="search-hit"') == 20 and "Next 20" in html
    page2 = client.get("/search?q=embargo&page=2").get_data(as_text=True)
    assert page2.count('class="search-hit"') == 5 and "Previous 20" in page2
    bad = client.get("/api/v1/search?q=embargo&cursor=bm90IGEgbnVtYmVy")
    assert bad.status_code == 400


def test_api_filters_and_the_openapi_document(client: FlaskClient, record_: corpus.Corpus) -> None:
    body = client.get("/api/v1/search?q=reuters&type=claim&speaker=Donald+Trump").get_json()
    assert [(i["type"], i["id"]) for i in body["items"]] == [("claim", record_.limited)]
    assert client.get("/api/v1/search?q=iran&type=user").status_code == 422
    assert client.get("/api/v1/search?q=iran&status=finished").status_code == 422
    assert client.get("/api/v1/search?q=iran&colour=red").status_code == 400
    assert client.get("/api/v1/search").status_code == 422
    doc = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"] for p in doc["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "type", "status", "kind", "speaker", "outlet", "tag", "from", "to",
            "limit", "cursor"} <= params  # fmt: skip


def test_connections_kept_between_searches_hold_nothing_open(
    client: FlaskClient, record_: corpus.Corpus, database_url: str, backend: str
) -> None:
    """The app keeps its connections between requests: after a search, a writer elsewhere
    waits for nothing (on SQLite it checkpoints the whole log at once) and the next search
    reads what it wrote, not the record as it was."""
    found = client.get("/api/v1/search?q=goldman&type=source").get_json()["items"]
    assert [(i["id"], i["title"]) for i in found] == [
        (record_.markets, "Markets shrug off tensions")
    ]
    writer = make_engine(database_url, lock_timeout=0.5)
    with writer.begin() as connection:
        connection.execute(
            text("UPDATE sources SET title = 'Markets take fright' WHERE id = :id"),
            {"id": record_.markets},
        )
    if backend == "sqlite":
        with writer.connect() as connection:
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            assert busy == 0
    writer.dispose()
    again = client.get("/api/v1/search?q=goldman&type=source").get_json()["items"]
    assert [i["title"] for i in again] == ["Markets take fright"]
