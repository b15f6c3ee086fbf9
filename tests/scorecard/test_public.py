"""The scorecard pages, exports, feed and ClaimReview, through the HTTP client."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable

import extruct
import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.conftest import Snapshots
from tests.scorecard.scorecard_data import Forecast, record, resolve
from tracker.models import ScorecardState, ScoreCell, User
from tracker.record import services
from tracker.scorecard import services as scorecard


@pytest.fixture
def forecasts(session: Session, snapshots: Snapshots) -> list[Forecast]:
    items = [
        Forecast(p, o, author="Ann Author", outlet="The Daily", tags=("iran",))
        for p, o in [(0.9, "true"), (0.8, "true"), (0.7, "false"), (0.6, "true")] * 3
    ] + [
        Forecast(0.3, "false", author="Bob Writer", outlet="The Weekly"),
        Forecast(0.45, "true", author="Bob Writer", outlet="The Weekly", hedged=True),
        Forecast(
            0.2,
            "true",
            author="Bob Writer",
            outlet="The Weekly",
            deadline=dt.datetime(2020, 2, 1, tzinfo=dt.UTC),
        ),
        Forecast(0.5, None, author="Bob Writer", outlet="=cmd|' /C calc'!A0"),
    ]

    def make() -> list[Forecast]:
        record(session, items)
        return items

    return snapshots.keep("public.forecasts", session, make)


def _csv(client: FlaskClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _page_cells(page: str, name: str) -> list[str]:
    """The cells of the table row whose header links to `name`."""
    row = re.search(r"<tr[^>]*>((?:(?!</tr>).)*?>" + re.escape(name) + r"</a>.*?)</tr>", page, re.S)
    assert row, name
    return [
        html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?from=2021-01-01&to=2021-12-31",
        "?include_hedged=true",
        "?from=2020-01-01&to=2020-03-01",
    ],
)
def test_page_csv_and_api_agree(client: FlaskClient, forecasts: list[Forecast], query: str) -> None:
    api = client.get(f"/api/v1/scorecard{query}").get_json()
    rows = {(r["dimension"], r["key"]): r for r in _csv(client, f"/scorecard.csv{query}")}
    page = client.get(f"/{query}").get_data(as_text=True)

    assert rows[("overall", "")]["n_scored"] == str(api["group"]["n_scored"])
    assert float(rows[("overall", "")]["brier"] or "nan") == pytest.approx(
        api["group"]["brier"] if api["group"]["brier"] is not None else float("nan"),
        rel=1e-3,
        nan_ok=True,
    )
    for group in api["authors"] + api["outlets"]:
        row = rows[(group["dimension"], group["key"])]
        for field in ("n_scored", "n_unscored", "rank"):
            assert row[field] == ("" if group[field] is None else str(group[field]))
        for field in ("brier", "log_score", "skill_vs_chance", "hedge_rate"):
            # The CSV rounds to 4 significant digits for people; the API keeps full precision.
            value = group[field]
            assert (float(row[field]) if row[field] else None) == (
                None if value is None else float(f"{value:.4g}")
            )
        cells = _page_cells(page, str(escape(group["name"])))
        rank, scored, unscored, brier, log_score = cells[:5]
        assert rank == (str(group["rank"]) if group["rank"] else "—")
        assert (scored, unscored) == (str(group["n_scored"]), str(group["n_unscored"]))
        expected = "—" if group["brier"] is None else f"{group['brier']:.3f}"
        assert brier == expected
        if group["log_score"] is not None:
            assert log_score == f"{group['log_score']:.3f}".replace("-", "\u2212")


def test_front_page_shows_the_scorecard(client: FlaskClient, forecasts: list[Forecast]) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<svg id="chart-overall"' in page and 'class="diagonal"' in page
    assert page.count('<circle class="bin"') == 6  # bins 2, 3, 6, 7, 8, 9; hedged 0.45 left out
    assert "exact only when each bin holds one forecast value" in page
    assert "too few to judge" in page
    assert "<caption>Calibration by probability band</caption>" in page
    assert 'href="/speakers/ann-author"' in page and 'href="/outlets/the-daily"' in page
    assert 'id="authors"' not in page  # authors are ranked as speakers
    assert "Recent resolutions" in page and "Due for review" in page
    assert '<label for="from">' in page


def test_group_pages_list_every_scored_claim(
    client: FlaskClient, session: Session, forecasts: list[Forecast]
) -> None:
    moved = client.get("/authors/bob-writer?from=2001-01-01")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/speakers/bob-writer?from=2001-01-01"
    page = client.get("/speakers/bob-writer").get_data(as_text=True)
    assert "<h1>Bob Writer</h1>" in page
    scored = services.list_claims(session, author="Bob Writer", status="resolved")
    assert len(scored) == 3
    for claim in scored:
        assert f'href="/claims/{claim.id}"' in page
    assert "hedged</span>" in page
    assert "Too few to judge" in page
    tag_page = client.get("/tags/iran?from=2021-01-01").get_data(as_text=True)
    assert tag_page.count('href="/claims/') == 12
    assert client.get("/outlets/the-daily").status_code == 200


def test_bad_and_unknown_groups(client: FlaskClient, forecasts: list[Forecast]) -> None:
    assert client.get("/authors/nobody").status_code == 404
    response = client.get("/api/v1/scorecard?from=yesterday")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"from": "not a YYYY-MM-DD date"}
    assert client.get("/api/v1/scorecard?author=a&tag=b").status_code == 400
    assert client.get("/?to=2020-13-01").status_code == 400
    assert client.get("/api/v1/scorecard?author=nobody").status_code == 404


@pytest.mark.parametrize("path", ["/", "/api/v1/scorecard?author=ann-author", "/scorecard.csv"])
def test_conditional_answers(
    client: FlaskClient, session: Session, forecasts: list[Forecast], path: str
) -> None:
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304

    claim = services.list_claims(session, author="Ann Author", status="resolved")[0]
    resolve(session, claim, "false" if claim.outcome == "true" else "true")
    session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize(
    ("path", "noise"),
    [
        ("/", "?utm_source=mail&fbclid=x"),
        ("/outlets/the-daily", "?page=1&ref=feed"),
        ("/scorecard.csv", "?from=&x=1"),
        ("/feed.atom", "?v=2"),
    ],
)
def test_parameters_a_page_does_not_read_make_no_new_answer(
    client: FlaskClient, forecasts: list[Forecast], path: str, noise: str
) -> None:
    """A query string the page ignores neither renders the page again nor evicts the pages
    kept for everyone: it is the same answer, with the same ETag. (The API refuses what it
    does not take before anything is computed: tests/api/test_api_contract.py.)"""
    plain = client.get(path)
    noisy = client.get(path + noise)
    assert noisy.status_code == 200 and noisy.headers["ETag"] == plain.headers["ETag"]
    assert noisy.data == plain.data


@pytest.mark.parametrize("page", ["0", "100001", "99999999999999999999", "two"])
def test_a_group_page_out_of_range_is_a_clear_400(
    client: FlaskClient, forecasts: list[Forecast], page: str
) -> None:
    response = client.get(f"/speakers/ann-author?page={page}")
    assert response.status_code == 400, response.status_code


def test_feed_parses_newest_first(
    client: FlaskClient, session: Session, forecasts: list[Forecast]
) -> None:
    response = client.get("/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == 15
    times = [e.updated_parsed for e in feed.entries]
    assert times == sorted(times, reverse=True)
    assert all(e.link.startswith("http://tracker.test/claims/") for e in feed.entries)


def test_claims_csv_exports_every_claim_safely(
    client: FlaskClient, forecasts: list[Forecast]
) -> None:
    rows = _csv(client, "/claims.csv")
    assert len(rows) == len(forecasts)
    assert {r["outcome"] for r in rows} == {"true", "false", ""}
    assert any(r["outlet"] == "'=cmd|' /C calc'!A0" for r in rows)  # no formula in a sheet
    assert len(_csv(client, "/claims.csv?author=bob-writer")) == 4
    assert client.get("/claims.csv?status=nonsense").status_code == 422


@pytest.mark.parametrize(
    ("verdict", "number", "name"),
    [
        ("mostly-true", 4, "Mostly true"),
        ("false", 1, "False"),
        ("unverifiable", None, "Unverifiable"),
    ],
)
def test_fact_pages_carry_claim_review(
    client: FlaskClient, session: Session, verdict: str, number: int | None, name: str
) -> None:
    (claim,) = record(session, [Forecast(0.5, None, kind="fact")])
    assert "ld+json" not in client.get(f"/claims/{claim.id}").get_data(as_text=True)
    resolve(session, claim, None, verdict=verdict)
    session.commit()
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    (review,) = extruct.extract(page, base_url="http://localhost/", syntaxes=["json-ld"])["json-ld"]
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim.quote
    assert review["url"] == f"http://tracker.test/claims/{claim.id}"
    assert review["author"] == {
        "@type": "Organization",
        "name": "Claim tracker",
        "url": "http://tracker.test",
    }
    assert review["datePublished"].startswith("2021-06-02")
    rating = review["reviewRating"]
    assert rating["alternateName"] == name
    if number is None:
        assert "ratingValue" not in rating and "bestRating" not in rating
    else:
        assert (rating["ratingValue"], rating["worstRating"], rating["bestRating"]) == (
            number,
            1,
            5,
        )
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Ann Author"}
    assert item["datePublished"] == "2020-01-03T00:00:00Z"
    assert item["appearance"]["url"] == claim.source.url


def test_forecast_pages_carry_no_claim_review(
    client: FlaskClient, forecasts: list[Forecast], session: Session
) -> None:
    claim = services.list_claims(session, status="resolved")[0]
    assert "ld+json" not in client.get(f"/claims/{claim.id}").get_data(as_text=True)


def test_a_worker_trusts_its_last_look_for_a_moment(
    app: Flask, client: FlaskClient, session: Session, forecasts: list[Forecast]
) -> None:
    """A change committed by another process (here: the sums changed without telling this
    one) shows once SCORECARD_FRESHNESS_SECONDS have passed; a change made here shows at once."""
    app.config["SCORECARD_FRESHNESS_SECONDS"] = 3600
    first = client.get("/api/v1/scorecard").get_json()["group"]["n_scored"]
    session.execute(update(ScorecardState).values(version=ScorecardState.version + 1))
    session.execute(update(ScoreCell).where(ScoreCell.period == "all").values(n=0, n_true=0))
    session.commit()
    assert client.get("/api/v1/scorecard").get_json()["group"]["n_scored"] == first
    app.config["SCORECARD_FRESHNESS_SECONDS"] = 0
    assert client.get("/api/v1/scorecard").get_json()["group"]["n_scored"] == 0

    app.config["SCORECARD_FRESHNESS_SECONDS"] = 3600
    scorecard.rebuild(session)
    claim = services.list_claims(session, status="due")[0]
    resolve(session, claim, "true")
    session.commit()
    assert client.get("/api/v1/scorecard").get_json()["group"]["n_scored"] == first + 1


def test_a_page_drawn_for_a_reviewer_is_never_shared(
    app: Flask,
    session: Session,
    forecasts: list[Forecast],
    make_user: Callable[..., User],
    login: Callable[[User], FlaskClient],
) -> None:
    reviewer = make_user("reviewer", name="Rita Reviewer")
    signed_in = login(reviewer)
    mine = signed_in.get("/")
    assert "Rita Reviewer" in mine.get_data(as_text=True)
    assert "ETag" not in mine.headers and "private" in mine.headers["Cache-Control"]
    anonymous = app.test_client().get("/")
    assert "Rita Reviewer" not in anonymous.get_data(as_text=True)
    assert "csrf_token" not in anonymous.get_data(as_text=True)
    assert "ETag" in anonymous.headers
    again = signed_in.get("/", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert again.status_code == 200 and "Rita Reviewer" in again.get_data(as_text=True)


def test_csv_rounds_numbers_for_people_and_json_keeps_them_whole(
    client: FlaskClient, forecasts: list[Forecast]
) -> None:
    api = client.get("/api/v1/scorecard").get_json()
    row = next(r for r in _csv(client, "/scorecard.csv") if r["dimension"] == "overall")
    long_ones = 0
    for field in ("brier", "log_score", "skill_vs_chance", "reliability", "resolution"):
        full = api["group"][field]
        cell = row[field]
        assert re.fullmatch(r"-?\d+(\.\d+)?", cell), (field, cell)  # no exponent, no 1e-05
        assert len(cell.lstrip("-0.").replace(".", "")) <= 4, (field, cell)
        assert float(cell) == float(f"{full:.4g}")
        long_ones += len(repr(full).lstrip("-0.").replace(".", "")) > 4
    assert long_ones  # the API's numbers are the full ones, not the rounded
    claims = _csv(client, "/claims.csv")
    assert all(len(r["probability"].lstrip("0.")) <= 4 for r in claims if r["probability"])
