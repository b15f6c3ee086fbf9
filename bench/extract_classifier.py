"""Would a trained classifier help the extractor's rules? Measured on the development part of
the hand-labelled corpus only (tests/imports/corpus), by cross-validation grouped by article.

A logistic regression (scikit-learn) reads each sentence, word unigrams and bigrams (tf-idf),
with or without the rules' own reading of it as features (how many forecasts they propose, a
stated chance, a speaker), and says whether it is a forecast sentence. It is combined with the
rules two ways: a sentence the rules pass over is proposed whole when the model is sure enough
(`add`), and the rules' proposals in a sentence the model rejects are dropped (`drop`). Each
line prints the forecast recall and precision the combination reaches, computed as
tests/imports/corpus_score.py does.

Run: .venv/bin/python -m bench.extract_classifier
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from tests.imports.corpus_score import Article, _matching, articles
from tracker.imports.extract import Candidate, extract_candidates


@dataclass(frozen=True)
class Whole:
    """A whole sentence proposed as one forecast."""

    quote_start: int
    quote_end: int


@dataclass(frozen=True)
class Row:
    article: Article
    start: int
    end: int
    text: str
    forecast: bool
    proposed: list[Candidate]


def _rows() -> list[Row]:
    rows = []
    for article in articles():
        if article.split != "dev":
            continue
        distinct: dict[tuple[int, int], Candidate] = {}
        for c in extract_candidates(article.text, article.published):
            if c.kind == "forecast":
                distinct.setdefault((c.quote_start, c.quote_end), c)
        for start, end, label in article.sentences:
            mine = [c for c in distinct.values() if start <= c.quote_start < end]
            rows.append(Row(article, start, end, label["text"], label["label"] == "forecast", mine))
    return rows


def _rule_features(rows: list[Row]) -> np.ndarray:
    return np.array(
        [
            [
                min(len(r.proposed), 3),
                any(c.probability_origin == "stated" for c in r.proposed),
                any(c.speaker for c in r.proposed),
                bool(r.proposed),
            ]
            for r in rows
        ],
        dtype=float,
    )


def _probabilities(rows: list[Row], c: float, with_rules: bool) -> np.ndarray:
    texts = [r.text for r in rows]
    y = np.array([r.forecast for r in rows], dtype=int)
    rules = _rule_features(rows)
    found = np.zeros(len(rows))
    folds = GroupKFold(n_splits=8).split(texts, y, [r.article.id for r in rows])
    for train, test in folds:
        vectors = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        x_train = vectors.fit_transform([texts[i] for i in train])
        x_test = vectors.transform([texts[i] for i in test])
        if with_rules:
            x_train = hstack([x_train, csr_matrix(rules[train])]).tocsr()
            x_test = hstack([x_test, csr_matrix(rules[test])]).tocsr()
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        model.fit(x_train, y[train])
        found[test] = model.predict_proba(x_test)[:, 1]
    return found


def _combined(rows: list[Row], p: np.ndarray, add: float, drop: float) -> tuple[float, float]:
    """(recall, precision) of the rules with the model's additions and vetoes."""
    kept: dict[str, list[Candidate | Whole]] = {}
    for row, chance in zip(rows, p, strict=True):
        mine = kept.setdefault(row.article.id, [])
        if row.proposed and chance >= drop:
            mine += row.proposed
        elif not row.proposed and chance >= add:
            mine.append(Whole(row.start, row.end))
    found = entries = proposed = 0
    for article in {r.article.id: r.article for r in rows}.values():
        chosen = kept[article.id]
        found += len(_matching(article.entries, chosen))  # type: ignore[arg-type]
        entries += len(article.entries)
        proposed += len(chosen)
    return found / entries, found / max(proposed, 1)


def main() -> None:
    rows = _rows()
    y = np.array([r.forecast for r in rows])
    rules_alone = np.array([bool(r.proposed) for r in rows])
    print(f"development part: {len(rows)} sentences, {int(y.sum())} forecast sentences")
    print(f"  rules alone: sentence accuracy {(rules_alone == y).mean():.3f}")
    for c in (0.3, 1.0, 3.0, 10.0):
        for with_rules in (False, True):
            p = _probabilities(rows, c, with_rules)
            accuracy = ((p >= 0.5) == y).mean()
            print(f"  C={c:<4} rule features {with_rules!s:<5} sentence accuracy {accuracy:.3f}")
            for add in (1.01, 0.8, 0.7):
                for drop in (0.0, 0.2, 0.3):
                    recall, precision = _combined(rows, p, add, drop)
                    print(
                        f"      add >= {add:<4} drop < {drop:<3}"
                        f" recall {recall:.3f} precision {precision:.3f}"
                    )


if __name__ == "__main__":
    main()
