"""GET /api/v1/wording: what each confidence phrase turned out to mean (see record.wording)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request

from tracker.api import schemas
from tracker.api.openapi import route
from tracker.record import wording
from tracker.scorecard import services as scorecard
from tracker.web import conditional, get_session, now

bp = Blueprint("api_wording", __name__, url_prefix="/api/v1")


def phrase_json(item: wording.PhraseOutcome) -> dict[str, Any]:
    return {
        "phrase": item.phrase,
        "probability": item.probability,
        "hedged": item.hedged,
        "category": item.category,
        "n_forecasts": item.n_forecasts,
        "n_scored": item.n_scored,
        "n_true": item.n_true,
        "observed_rate": item.observed_rate,
        "interval": (
            {"lower": item.interval[0], "upper": item.interval[1]} if item.interval else None
        ),
        "too_few_to_judge": item.too_few_to_judge,
    }


def wording_json(result: wording.Wording) -> dict[str, Any]:
    filters = result.filters
    return {
        "filters": {
            "speaker": filters.speaker,
            "outlet": filters.outlet,
            "author": filters.author,
            "tag": filters.tag,
            "source_id": filters.source_id,
            "from": filters.date_from.isoformat() if filters.date_from else None,
            "to": filters.date_to.isoformat() if filters.date_to else None,
            "date_field": "deadline",
        },
        "name": result.name,
        "level": wording.LEVEL,
        "min_scored": wording.MIN_SCORED,
        "n_forecasts": result.n_forecasts,
        "n_scored": result.n_scored,
        "items": [phrase_json(item) for item in result.items],
    }


@route(
    bp,
    "GET",
    "/wording",
    query=schemas.WordingQuery,
    answers={200: schemas.WordingAnswer},
    errors=(400, 404),
    tag="wording",
)
def get_wording(query: schemas.WordingQuery) -> Response:
    """What the words meant: each confidence phrase's probability beside how often it came true.

    For every phrase the record's forecasts used ("will", "likely", "might" ...; hedged ones
    included), the probability the wording table gives it, how many of its forecasts were
    resolved true or false (`n_scored`), in how many what the wording said came true (`n_true`),
    the observed rate and its 90% Wilson interval. Counted are forecasts whose probability was
    read from their wording (by the record or as a reviewer corrected it); a number stated in
    the source is left out. A question that asks the opposite of its wording ("won't") counts
    the wording as true when the question resolved false.

    Query: speaker | outlet | author | tag | source_id (one group at most), from and to
    (deadline days, inclusive). Phrases with fewer than `min_scored` scored forecasts are
    listed with `too_few_to_judge`."""
    filters = wording.parse_wording_filters(request.args)
    memo = current_app.extensions["tracker.freshness"]
    max_age = float(current_app.config["SCORECARD_FRESHNESS_SECONDS"])
    session = get_session()
    fresh = scorecard.current_freshness(session, memo, max_age, now())

    def build() -> str:
        result = wording.compute_wording(session, filters, fresh)
        data = wording_json(result)
        if current_app.config.get("API_CHECK_ANSWERS"):
            schemas.WordingAnswer.model_validate(data)  # in tests: what the document promises
        return json.dumps(data, ensure_ascii=False, allow_nan=False)

    # An unknown group is a 404 whatever the client holds: checked before the 304.
    wording.compute_wording(session, filters, fresh)
    return conditional(fresh, "application/json", build, filters.query_args())
