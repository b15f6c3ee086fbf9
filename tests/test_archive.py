"""`tracker export` and `tracker restore`: a lossless, deterministic archive of everything."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import PG_ADMIN_URL, PostgresDatabases
from tracker import archive, audit, migrate
from tracker.app import create_app
from tracker.cli import main
from tracker.models import (
    ApiToken,
    Assignment,
    AuditEntry,
    Base,
    Claim,
    ClaimTag,
    Evidence,
    QuestionEdit,
    Resolution,
    ScorecardState,
    ScoreCell,
    Source,
    User,
)
from tracker.scorecard import services as scorecard
from tracker.text import sha256_text

T0 = dt.datetime(2021, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)


def _app(url: str) -> Flask:
    return create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "k", "BASE_URL": "http://t.test"}
    )


@pytest.fixture
def fill(session: Session, seeded: int) -> int:
    _fill(session)
    return seeded


def _fill(session: Session) -> None:
    """Beside the seed article, one row in every other table, with text that sorts differently
    under different collations."""
    editor = User(
        email="éditrice@example.org",
        display_name="Éditrice Ünal",
        role="editor",
        password_hash="$argon2id$secret-hash",
        created_at=T0,
    )
    reviewer = User(
        email="rev@example.org", display_name="Rev", role="reviewer", password_hash="$argon2id$x"
    )
    session.add_all([editor, reviewer])
    session.flush()
    session.add(ApiToken(user_id=editor.id, name="script", token_sha256="f" * 64))
    # A fetched page is kept as it came, bytes and all.
    raw = b"<html>\xff\x00 caf\xc3\xa9</html>"
    session.add(
        Source(
            title="Fetched",
            text="Fetched text.",
            text_sha256=sha256_text("Fetched text."),
            fetched_at=T0,
            raw_body=raw,
            raw_sha256=hashlib.sha256(raw).hexdigest(),
            raw_content_type="text/html; charset=utf-8",
        )
    )
    claim = session.scalars(select(Claim).where(Claim.kind == "fact")).first()
    assert claim is not None
    for tag in ("Zeta", "alpha", "éclair", "Ärger", "_under"):
        session.add(ClaimTag(claim_id=claim.id, tag=tag))
    resolution = Resolution(
        question_id=claim.question_id,
        version=1,
        reviewer_id=reviewer.id,
        verdict="mostly-true",
        rationale="Two wire reports agree.\nA third is silent.",
        created_at=T0,
    )
    session.add(resolution)
    session.flush()
    session.add(
        Evidence(
            resolution_id=resolution.id,
            url="https://example.org/report",
            title="Report “quoted”",
            publisher=None,
            published_at=T0,
            stance="supports",
            archived_sha256="a" * 64,
        )
    )
    session.add(
        Assignment(question_id=claim.question_id, user_id=reviewer.id, assigned_by_id=editor.id)
    )
    session.add(
        QuestionEdit(
            question_id=claim.question_id,
            field="text",
            old_value=None,
            new_value="Did it?",
            reason="clearer",
            editor_id=editor.id,
        )
    )
    audit.record(session, "user.added", "user", editor.id, {"email": editor.email}, editor.id)
    session.commit()


@pytest.fixture
def other_url(backend: str, tmp_path: Path, postgres: PostgresDatabases | None) -> Iterator[str]:
    """A second migrated, empty database on the same backend."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    else:
        assert postgres is not None
        url = postgres.create()
    migrate.upgrade(url)
    yield url


def _export(app: Flask, path: Path) -> bytes:
    result = app.test_cli_runner().invoke(main, ["export", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _restore(app: Flask, path: Path) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(main, ["restore", str(path)])
    return result.exit_code, result.output


def _count_rows(app: Flask) -> int:
    with app.extensions["tracker.sessions"]() as session:
        return sum(
            session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0
            for name in archive.TABLES
        )


def test_export_restore_export_is_byte_identical(
    app: Flask, fill: int, other_url: str, tmp_path: Path
) -> None:
    first = _export(app, tmp_path / "a.jsonl")
    other = _app(other_url)
    code, output = _restore(other, tmp_path / "a.jsonl")
    assert code == 0, output
    assert "restored" in output and "17 claims" in output
    assert _export(other, tmp_path / "b.jsonl") == first
    verify = other.test_cli_runner().invoke(main, ["audit", "verify"])
    assert verify.exit_code == 0 and "19 rows checked" in verify.output
    other.extensions["tracker.engine"].dispose()


def _sums(app: Flask) -> list[list[Any]]:
    """Every row of the scorecard's sums, in key order."""
    with app.extensions["tracker.sessions"]() as session:
        return [
            sorted(tuple(row) for row in session.execute(select(table)))
            for table in (ScoreCell.__table__,)
        ]


def test_a_restore_counts_the_scorecard_s_sums(
    app: Flask, fill: int, other_url: str, tmp_path: Path
) -> None:
    with app.extensions["tracker.sessions"]() as session:
        scorecard.ensure_built(session)
        session.commit()
    _export(app, tmp_path / "a.jsonl")
    other = _app(other_url)
    code, output = _restore(other, tmp_path / "a.jsonl")
    assert code == 0, output
    with other.extensions["tracker.sessions"]() as session:
        assert session.get(ScorecardState, 1) is not None  # no page has to count them
    assert _sums(other) == _sums(app)
    assert any(_sums(app)[0])
    other.extensions["tracker.engine"].dispose()


def test_archive_layout_and_secrets(app: Flask, fill: int, tmp_path: Path) -> None:
    data = _export(app, tmp_path / "a.jsonl").decode()
    lines = data.splitlines()
    header, trailer = json.loads(lines[0]), json.loads(lines[-1])
    assert header["format"] == "claim-tracker-archive" and header["version"] == 2
    assert header["schema"] in migrate.heads() and header["tables"] == list(archive.TABLES)
    assert trailer["end"] is True and trailer["counts"]["claims"] == 17
    assert trailer["counts"]["users"] == 2 and trailer["counts"]["claim_tags"] > 5
    assert sum(trailer["counts"].values()) == len(lines) - 2
    # Secrets stay home: no password hash, no API token hash.
    assert "password_hash" not in data and "argon2" not in data and "f" * 64 not in data
    for line in lines:
        assert line == json.dumps(
            json.loads(line), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    # Text ordered by code point on every database; times in UTC with microseconds.
    tags = [json.loads(x)["row"]["tag"] for x in lines if '"table":"claim_tags"' in x]
    claim_rows = [json.loads(x)["row"] for x in lines if '"table":"claim_tags"' in x]
    fact = [
        t
        for t, r in zip(tags, claim_rows, strict=True)
        if r["claim_id"] == claim_rows[-1]["claim_id"]
    ]
    assert fact == sorted(fact)
    editor = next(json.loads(x)["row"] for x in lines if "éditrice" in x and '"users"' in x)
    assert editor["created_at"] == "2021-03-04T05:06:07.891011Z"
    assert "display_name" in editor and "session_version" in editor


def test_restored_users_have_no_password_and_new_ids_follow(
    app: Flask, fill: int, other_url: str, tmp_path: Path
) -> None:
    _export(app, tmp_path / "a.jsonl")
    other = _app(other_url)
    assert _restore(other, tmp_path / "a.jsonl")[0] == 0
    with other.extensions["tracker.sessions"]() as session:
        users = session.scalars(select(User)).all()
        assert {u.email for u in users} == {"éditrice@example.org", "rev@example.org"}
        assert all(u.password_hash is None for u in users)
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0
        top = {m: session.scalar(select(func.max(m.id))) or 0 for m in (Source, Claim, User)}
        # The sequences moved past the restored ids: new rows get fresh ones.
        new_user = User(email="new@example.org", display_name="New", role="reviewer")
        session.add(new_user)
        session.flush()
        assert new_user.id == top[User] + 1
        from tracker.record import services

        source = services.record_source(session, title="Later", text="A later text.")
        assert source.id == top[Source] + 1
        session.commit()
        assert audit.verify(session).ok
    other.extensions["tracker.engine"].dispose()


def test_restore_refuses_a_database_with_rows(app: Flask, fill: int, tmp_path: Path) -> None:
    _export(app, tmp_path / "a.jsonl")
    before = _count_rows(app)
    code, output = _restore(app, tmp_path / "a.jsonl")
    assert code == 1 and "not empty" in output and "nothing restored" in output
    assert _count_rows(app) == before


def test_restore_refuses_an_unmigrated_database(
    app: Flask, fill: int, empty_database_url: str, tmp_path: Path
) -> None:
    _export(app, tmp_path / "a.jsonl")
    other = _app(empty_database_url)
    code, output = _restore(other, tmp_path / "a.jsonl")
    assert code == 1 and "tracker db upgrade" in output
    other.extensions["tracker.engine"].dispose()


def test_export_refuses_an_unmigrated_database(empty_database_url: str, tmp_path: Path) -> None:
    other = _app(empty_database_url)
    result = other.test_cli_runner().invoke(main, ["export", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 1 and "tracker db upgrade" in result.output
    assert not (tmp_path / "a.jsonl").exists() and not list(tmp_path.glob(".*partial"))
    missing = other.test_cli_runner().invoke(main, ["export", str(tmp_path / "no" / "a.jsonl")])
    assert missing.exit_code == 1
    other.extensions["tracker.engine"].dispose()


def _variants(good: bytes) -> dict[str, tuple[bytes, str]]:
    lines = good.decode().splitlines(keepends=True)
    header = json.loads(lines[0])
    wrong_version = json.dumps({**header, "version": 3}) + "\n"
    unknown_field = json.loads(lines[1])
    unknown_field["row"]["favourite_colour"] = "blue"
    bad_type = json.loads(next(x for x in lines if '"table":"claims"' in x))
    bad_type["row"]["probability"] = "high"
    orphan = json.loads(next(x for x in lines if '"table":"claim_tags"' in x))
    orphan["row"]["claim_id"] = 999_999
    last_tag = max(i for i, x in enumerate(lines) if '"table":"claim_tags"' in x)

    def replace(index: int, value: object) -> bytes:
        return "".join([*lines[:index], json.dumps(value) + "\n", *lines[index + 1 :]]).encode()

    claims_at = next(i for i, x in enumerate(lines) if '"table":"claims"' in x)

    def edited(table: str, change: Callable[[dict[str, Any]], None], which: int = 0) -> bytes:
        """The archive with one row of `table` changed, every hash left as it was."""
        at = [i for i, x in enumerate(lines) if f'"table":"{table}"' in x][which]
        value = json.loads(lines[at])
        change(value["row"])
        return replace(at, value)

    def text_edit(row: dict[str, Any]) -> None:
        row["text"] = row["text"].replace("Soleimani", "Soleimany", 1)

    def page_edit(row: dict[str, Any]) -> None:
        row["raw_body"] = base64.b64encode(b"<html>another page</html>").decode()

    def quote_edit(row: dict[str, Any]) -> None:
        # Same length, so only the comparison with the source's text can tell.
        row["quote"] = row["quote"][:-1] + ("X" if row["quote"][-1] != "X" else "Y")

    def audit_edit(row: dict[str, Any]) -> None:
        row["data"] = '{"key":"forged"}'

    return {
        "text edited, hash kept": (edited("sources", text_edit), "sources row 1: text does not"),
        "page edited, hash kept": (
            edited("sources", page_edit, which=1),
            "sources row 2: raw_body does not match its raw_sha256",
        ),
        "quote edited": (edited("claims", quote_edit, which=3), "claims row 4: quote is not"),
        "audit row edited": (
            edited("audit_log", audit_edit, which=4),
            "audit_log row 5: its content does not match its hash",
        ),
        "not json": (b"this is not an archive\n", "not JSON"),
        "nested too deep": (b"[" * 100_000 + b"]" * 100_000 + b"\n", "deeper than 64 levels"),
        "empty": (b"", "empty"),
        "other json": (b'{"hello": "world"}\n', "not a claim tracker archive"),
        "wrong version": ((wrong_version + "".join(lines[1:])).encode(), "version 3"),
        "no trailer": ("".join(lines[:-1]).encode(), "truncated"),
        "cut mid-line": (good[: len(good) // 2], "truncated"),
        "cut mid-row": (good[: len(good) - len(lines[-1]) - 7], "truncated"),
        "lines after end": (good + lines[1].encode(), "after the end"),
        "unknown field": (replace(1, unknown_field), "favourite_colour"),
        "wrong type": (replace(claims_at, bad_type), "claims.probability must be a number"),
        "broken reference": (replace(last_tag, orphan), "claim_tags rows break a rule"),
        "wrong counts": (
            "".join([*lines[:-1], json.dumps({"end": True, "counts": {}}) + "\n"]).encode(),
            "trailer counts",
        ),
        "rows out of order": (
            "".join(
                [lines[0], lines[claims_at], *lines[1:claims_at], *lines[claims_at + 1 :]]
            ).encode(),
            "must come before",
        ),
    }


def test_bad_archives_get_clear_errors_and_restore_nothing(
    app: Flask, fill: int, other_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _export(app, tmp_path / "good.jsonl")
    # Small batches: most rows are written before the bad line is reached, then rolled back.
    monkeypatch.setattr(archive, "BATCH", 3)
    other = _app(other_url)
    for name, (content, message) in _variants(good).items():
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(content)
        code, output = _restore(other, path)
        assert code == 1, (name, output)
        assert message in output, (name, output)
        assert _count_rows(other) == 0, name
    missing = _restore(other, tmp_path / "nowhere.jsonl")
    assert missing[0] == 1 and "cannot read" in missing[1]
    (tmp_path / "latin1.jsonl").write_bytes(b"\xff\xfe\n")
    assert "cannot read" in _restore(other, tmp_path / "latin1.jsonl")[1]
    # After all that, the good file still restores whole.
    assert _restore(other, tmp_path / "good.jsonl")[0] == 0
    assert _export(other, tmp_path / "again.jsonl") == good
    other.extensions["tracker.engine"].dispose()


def test_every_table_is_archived_or_left_out_on_purpose() -> None:
    tables = set(Base.metadata.tables)
    assert tables == set(archive.TABLES) | (set(archive.EXCLUDED_TABLES) - {"alembic_version"})
    secret_like = {
        f"{t.name}.{c.name}"
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if any(word in c.name for word in ("password", "secret", "token", "hash"))
    }
    excluded = {f"{t}.{c}" for t, cols in archive.EXCLUDED_COLUMNS.items() for c in cols}
    # Hashes of public content (the audit chain, archived texts) are kept; secrets are not.
    public = {"audit_log.hash", "audit_log.prev_hash"}
    assert secret_like - excluded - public <= {
        "api_tokens.token_sha256",
        "login_sessions.token_sha256",
    }


def test_export_to_standard_output(app: Flask, fill: int, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(main, ["export", "-"])
    assert result.exit_code == 0
    assert result.stdout.encode() == _export(app, tmp_path / "a.jsonl")


def test_audit_chain_rows_come_back_unchanged(
    app: Flask, fill: int, other_url: str, tmp_path: Path
) -> None:
    _export(app, tmp_path / "a.jsonl")
    other = _app(other_url)
    assert _restore(other, tmp_path / "a.jsonl")[0] == 0

    def chain(target: Flask) -> list[tuple[int, str, str, dt.datetime]]:
        with target.extensions["tracker.sessions"]() as session:
            return [
                (r.id, r.hash, r.prev_hash, r.at)
                for r in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
            ]

    assert chain(other) == chain(app)
    other.extensions["tracker.engine"].dispose()


@pytest.mark.skipif(not PG_ADMIN_URL, reason="needs PostgreSQL (TRACKER_TEST_DATABASE_URL)")
def test_sqlite_to_postgresql_to_sqlite_is_identical(
    tmp_path: Path, postgres: PostgresDatabases | None
) -> None:
    assert postgres is not None
    first_url = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    last_url = f"sqlite:///{tmp_path / 'last.sqlite3'}"
    pg_url = postgres.create()
    for url in (first_url, pg_url, last_url):
        migrate.upgrade(url)
    first, pg, last = _app(first_url), _app(pg_url), _app(last_url)
    from tracker.seed import seed

    with first.extensions["tracker.sessions"]() as session:
        seed(session)
        session.commit()
        _fill(session)
    a = _export(first, tmp_path / "a.jsonl")
    assert _restore(pg, tmp_path / "a.jsonl")[0] == 0
    b = _export(pg, tmp_path / "b.jsonl")
    assert _restore(last, tmp_path / "b.jsonl")[0] == 0
    c = _export(last, tmp_path / "c.jsonl")
    assert a == b == c
    assert '"tag":"Zeta"' in a.decode()
    assert last.test_cli_runner().invoke(main, ["audit", "verify"]).exit_code == 0
    for target in (first, pg, last):
        target.extensions["tracker.engine"].dispose()
