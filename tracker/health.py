"""Liveness and readiness: `/healthz` answers while the process serves; `/readyz` checks that
the database is reachable and migrated and that a scheduler ticked within three ticks."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from tracker.config import PROJECT_ROOT
from tracker.reminders import scheduler
from tracker.text import utc_iso
from tracker.web import get_session, now

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@cache
def _migration_heads() -> frozenset[str]:
    # Imported here: alembic's import is a tenth of a second of every command's start.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(toml_file=str(PROJECT_ROOT / "pyproject.toml"))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _scheduler_check() -> str:
    """A scheduler that has not ticked for three ticks is silent: reminders are not going out."""
    beat = scheduler.last_heartbeat(get_session())
    if beat is None:
        return "no scheduler has ticked yet: run `tracker scheduler run`"
    allowed = dt.timedelta(seconds=3 * float(current_app.config["TICK_SECONDS"]))
    silent = now() - beat.last_tick_at
    if silent > allowed:
        last = utc_iso(beat.last_tick_at)
        return f"silent for {int(silent.total_seconds())} s (last tick {last})"
    if beat.last_error:
        return f"the last tick of {beat.name} failed: {beat.last_error[:200]}"
    return "ok"


@bp.get("/readyz")
def readyz() -> Any:
    checks: dict[str, str] = {}
    try:
        revisions = {
            row[0] for row in get_session().execute(text("SELECT version_num FROM alembic_version"))
        }
    except Exception as error:
        checks["database"] = f"unreachable or not migrated: {type(error).__name__}"
    else:
        checks["database"] = "ok"
        checks["migrations"] = (
            "ok" if revisions == _migration_heads() else "not at head: run `tracker db upgrade`"
        )
        if checks["migrations"] == "ok":
            checks["scheduler"] = _scheduler_check()
    ready = all(value == "ok" for value in checks.values())
    if not ready:
        get_session().rollback()
    response = jsonify({"status": "ok" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    return response
