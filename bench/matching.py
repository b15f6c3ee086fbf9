"""Fit and measure the question matcher on the labelled forecasts of tests/questions/data.

    python -m bench.matching          # figures with the weights in tracker/questions/matching.py
    python -m bench.matching --fit    # refit the weights on the development part, then measure

Protocol: every labelled event is a question in the record, and each question has the other
claims labelled with it already linked (the claim being matched left out). For each claim the
matcher ranks all questions. Figures: for claims about a recorded event, how often the right
question comes first (and first above the link threshold); for claims about none, how often no
question scores above the threshold. The weights and threshold are chosen on `dev` only; `test`
is scored, never tuned on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.imports.deadlines import read_deadline
from tracker.questions import matching

DATA = Path(__file__).resolve().parents[1] / "tests" / "questions" / "data"


def _date(value: str | None) -> dt.date | None:
    """An ISO date, or its year-month or year alone (taken as the first day)."""
    text = (value or "").strip()
    for size, pad in ((10, ""), (7, "-01"), (4, "-01-01")):
        try:
            return dt.date.fromisoformat(text[:size] + pad)
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Case:
    claim_id: str
    event: str | None
    split: str
    claim: matching.ClaimText
    questions: list[tuple[str, matching.QuestionText]]


def load_cases() -> list[Case]:
    """One case per labelled claim: the claim and every question as the record would hold it."""
    events = json.loads((DATA / "events.json").read_text(encoding="utf-8"))
    claims = json.loads((DATA / "claims.json").read_text(encoding="utf-8"))
    linked: dict[str, list[dict[str, Any]]] = {}
    for claim in claims:
        if claim["event"]:
            linked.setdefault(claim["event"], []).append(claim)
    for group in linked.values():
        group.sort(key=lambda c: (_date(c["published"]) or dt.date.min, c["id"]), reverse=True)
    cases = []
    for claim in claims:
        questions = []
        for event in events:
            quotes = [c["quote"] for c in linked.get(event["id"], []) if c["id"] != claim["id"]]
            text = f"{event['question']} {event['resolution_criteria']}"
            questions.append(
                (event["id"], matching.QuestionText(text, _date(event["deadline"]), quotes))
            )
        published = _date(claim["published"])
        # The deadline the claim's own time words give, as recording it would set it.
        deadline = None
        if published is not None:
            reading = read_deadline(claim["quote"], published)
            deadline = reading.at.date() if reading.origin == "explicit" else None
        cases.append(
            Case(
                claim["id"],
                claim["event"],
                claim["split"],
                matching.ClaimText(claim["quote"], published, deadline),
                questions,
            )
        )
    return cases


@dataclass(frozen=True)
class Figures:
    matched: int
    first: float  # right question ranked first
    first_above: float  # ... and above the link threshold
    unmatched: int
    none_above: float  # claims about no recorded question with no proposal above the threshold


def measure(
    cases: list[Case],
    split: str,
    weights: tuple[float, ...] = matching.WEIGHTS,
    intercept: float = matching.INTERCEPT,
    threshold: float = matching.LINK_THRESHOLD,
) -> Figures:
    first = first_above = none_above = matched = unmatched = 0
    for case in (c for c in cases if c.split == split):
        own = matching.vector(case.claim.quote)
        scored = [
            (matching.score(case.claim, q, own, weights, intercept), qid)
            for qid, q in case.questions
        ]
        best_score, best = max(scored)
        if case.event is None:
            unmatched += 1
            none_above += best_score <= threshold
        else:
            matched += 1
            first += best == case.event
            first_above += best == case.event and best_score > threshold
    return Figures(
        matched,
        first / matched,
        first_above / matched,
        unmatched,
        none_above / unmatched,
    )


def fit(cases: list[Case]) -> tuple[tuple[float, ...], float, float]:
    """Logistic weights on the development part's (claim, question) pairs, and the threshold
    that keeps 96% of its unmatched claims below it."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    dev = [c for c in cases if c.split == "dev"]
    for case in dev:
        own = matching.vector(case.claim.quote)
        for qid, question in case.questions:
            rows.append(matching.features(case.claim, question, own))
            labels.append(1 if qid == case.event else 0)
    x, y = np.array(rows), np.array(labels)
    # Balanced classes rank best on dev; a one-variable logistic on its output (Platt scaling)
    # then turns the score into a probability at the real rate of right pairs (one question
    # in fifty), so that the threshold and the scores editors see read as chances.
    ranker = LogisticRegression(max_iter=5000, class_weight="balanced").fit(x, y)
    platt = LogisticRegression(max_iter=5000).fit(ranker.decision_function(x).reshape(-1, 1), y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    weights = tuple(round(a * float(w), 3) for w in ranker.coef_[0])
    intercept = round(a * float(ranker.intercept_[0]) + b, 3)
    tops = []
    for case in dev:
        if case.event is None:
            own = matching.vector(case.claim.quote)
            tops.append(
                max(
                    matching.score(case.claim, q, own, weights, intercept)
                    for _, q in case.questions
                )
            )
    threshold = round(float(np.quantile(tops, 0.96)), 3)
    return weights, intercept, threshold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fit", action="store_true", help="refit the weights on dev first")
    args = parser.parse_args()
    cases = load_cases()
    weights, intercept, threshold = matching.WEIGHTS, matching.INTERCEPT, matching.LINK_THRESHOLD
    if args.fit:
        weights, intercept, threshold = fit(cases)
        print(f"WEIGHTS = {weights}\nINTERCEPT = {intercept}\nLINK_THRESHOLD = {threshold}")
    for split in ("dev", "test"):
        f = measure(cases, split, weights, intercept, threshold)
        print(
            f"{split:4}  {f.matched} claims about a recorded event: right question first "
            f"{f.first:.1%}, first and above the threshold {f.first_above:.1%};  "
            f"{f.unmatched} about none: no proposal above the threshold {f.none_above:.1%}"
        )


if __name__ == "__main__":
    main()
