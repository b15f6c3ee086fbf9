"""The application factory."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config as tracker_config
from tracker import health, web
from tracker.accounts import auth
from tracker.accounts import services as accounts
from tracker.accounts import views as accounts_views
from tracker.api import apidocs, openapi
from tracker.api import views as api_views
from tracker.db import make_engine, make_sessionmaker
from tracker.errors import TrackerError, Unavailable
from tracker.imports import views as imports_views
from tracker.imports.sources import HttpFetcher
from tracker.record import views as record_views
from tracker.reminders import views as reminders_views
from tracker.review import views as review_views
from tracker.scorecard import services as scorecard
from tracker.scorecard import views as scorecard_views
from tracker.serving import BodyDeadline

BLUEPRINTS = (
    health.bp,
    scorecard_views.bp,
    record_views.bp,
    review_views.bp,
    accounts_views.bp,
    reminders_views.bp,
    imports_views.bp,
    api_views.bp,
    apidocs.bp,
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web application: configuration, database, views and error handlers."""
    app = Flask(
        __name__,
        instance_path=str(tracker_config.INSTANCE_PATH),
        template_folder=str(tracker_config.PROJECT_ROOT / "templates"),
        static_folder=None,
    )
    app.config.from_mapping(tracker_config.defaults(Path(app.instance_path)))
    if test_config is None:
        app.config.from_prefixed_env("TRACKER")
    else:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        # One host without TRACKER_SECRET_KEY keeps its key in the instance folder; several
        # hosts must share one through the environment.
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if int(app.config["RESOLUTION_QUORUM"]) < 1:
        raise ValueError("TRACKER_RESOLUTION_QUORUM must be 1 or more")

    accounts.configure_hashing(
        int(app.config["ARGON2_TIME_COST"]),
        int(app.config["ARGON2_MEMORY_KIB"]),
        int(app.config["ARGON2_PARALLELISM"]),
        int(app.config["ARGON2_AT_ONCE"]),
        float(app.config["ARGON2_WAIT_SECONDS"]),
    )

    engine = make_engine(app.config["DATABASE_URL"], echo=bool(app.config["SQL_ECHO"]))
    app.extensions["tracker.engine"] = engine
    app.extensions["tracker.sessions"] = make_sessionmaker(engine)
    app.extensions["tracker.fetcher_factory"] = HttpFetcher.from_config
    app.extensions["tracker.freshness"] = scorecard.FreshnessMemo()
    web.init_app(app)

    auth.init_app(app)
    openapi.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    _register_error_handlers(app)
    _wrap_for_the_server(app)
    return app


def _wrap_for_the_server(app: Flask) -> None:
    """A deadline on reading request bodies, and, behind TRUSTED_PROXIES reverse proxies, the
    client's address and scheme as the nearest proxy saw them (rate limits count clients)."""
    wrapped: Any = BodyDeadline(
        app.wsgi_app,
        float(app.config["BODY_TIMEOUT_SECONDS"]),
        float(app.config["BODY_MIN_RATE"]),
    )
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies < 0:
        raise ValueError("TRACKER_TRUSTED_PROXIES must be 0 or more")
    if proxies:
        wrapped = ProxyFix(wrapped, x_for=proxies, x_proto=proxies)
    app.wsgi_app = wrapped  # type: ignore[method-assign]


def _instance_secret(instance_path: Path) -> str:
    """A secret key kept in the instance folder, made on first use."""
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of several workers starting at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.01)
        raise RuntimeError(f"{path} is empty: delete it or set TRACKER_SECRET_KEY") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, code: str, message: str, fields: dict[str, str]) -> Any:
    if _wants_json():
        return jsonify({"error": {"code": code, "message": message, "fields": fields}}), status
    return render_template("error.html", status=status, message=message, fields=fields), status


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(TrackerError)
    def tracker_error(error: TrackerError) -> Any:
        response = app.make_response(
            _error_response(error.status, error.code, error.message, error.fields)
        )
        if isinstance(error, Unavailable):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        code = _HTTP_CODES.get(status) or (error.name or "error").lower().replace(" ", "_")
        message = error.description or error.name
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than {limit:,} bytes" if limit else message
        response = app.make_response(_error_response(status, code, message, {}))
        if "Allow" in dict(error.get_headers()):
            response.headers["Allow"] = dict(error.get_headers())["Allow"]
        return response


# Stable error codes for API clients, whatever Werkzeug calls the status.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
}
