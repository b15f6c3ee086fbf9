"""CSV exports a spreadsheet can open safely: whichever separator it splits lines on (comma,
semicolon, tab, pipe), and whether or not it honours quotes, no cell it makes starts with a
formula. Text cells are quoted; formula starts carry a leading apostrophe."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tracker.record import services
from tracker.web import csv_cell, csv_text

FORMULA = "=+-@\uff1d\uff0b\uff0d\uff20"
NASTY = [
    "csv;=1+1",
    "csv,=1+1",
    "csv|=cmd|' /C calc'!A0",
    "tab\t=1+1",
    "line\n=1+1",
    "crlf\r\n+1+1",
    "semicolon; -2+3",
    'quote";=1+1',
    '=HYPERLINK("http://evil.example")',
    " =1+1",
    "@SUM(A1:A2)",
    "\uff1d1+1",
    "\tstarts with a tab",
]


def _runs_as_formula(field: str) -> bool:
    text = field.strip(' "\t\r\n')
    if not text:
        return False
    try:
        float(text)
    except ValueError:
        return text[0] in FORMULA
    return False  # a number, not a formula


def _cells(body: str, separator: str) -> list[str]:
    """Every cell a spreadsheet could make: split honouring quotes, and split naively."""
    honoured = [f for row in csv.reader(io.StringIO(body), delimiter=separator) for f in row]
    naive = [f for line in body.replace("\r", "\n").split("\n") for f in line.split(separator)]
    return honoured + naive


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_no_cell_starts_a_formula_whatever_the_separator(separator: str) -> None:
    body = csv_text([["id", "text", "score"], *[[n, text, -0.25] for n, text in enumerate(NASTY)]])
    formulas = [cell for cell in _cells(body, separator) if _runs_as_formula(cell)]
    assert formulas == []


def test_text_reads_back_with_apostrophes_only_where_needed() -> None:
    body = csv_text([[1, "csv;=1+1", "plain, text; here", -0.25, None, True, "=1"]])
    assert body == '1,"csv;\'=1+1","plain, text; here",-0.25,"","true","\'=1"\r\n'
    assert csv_cell(csv_cell("a,=b")) == csv_cell("a,=b") == "a,'=b"  # applying twice: same


@pytest.fixture
def nasty_claims(session: Session) -> None:
    for n, text in enumerate(NASTY):
        quote = f"Claim {n} will happen"
        source = services.record_source(
            session,
            title=text,
            text=f"{quote} by June.",
            author=f"Author {n} {text}",
            outlet=text,
            published_at=dt.datetime(2020, 1, 3, tzinfo=dt.UTC),
        )
        services.record_claim(
            session,
            source.id,
            kind="forecast",
            quote=quote,
            question=text,
            deadline=dt.datetime(2021, 6, 1, tzinfo=dt.UTC),
            probability=0.7,
        )
    session.commit()


@pytest.mark.parametrize("path", ["/claims.csv", "/scorecard.csv"])
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_exports_neutralise_formulas_for_every_separator(
    client: FlaskClient, nasty_claims: None, path: str, separator: str
) -> None:
    body = client.get(path).get_data(as_text=True)
    assert "csv;'=1+1" in body
    formulas = [cell for cell in _cells(body, separator) if _runs_as_formula(cell)]
    assert formulas == []


def test_claims_csv_keeps_the_text_readable(client: FlaskClient, nasty_claims: None) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/claims.csv").get_data(as_text=True))))
    assert [r["question"] for r in rows][:3] == [
        "csv;'=1+1",
        "csv,'=1+1",
        "csv|'=cmd|' /C calc'!A0",
    ]
    assert rows[0]["probability"] == "0.7" and rows[0]["id"] == "1"
