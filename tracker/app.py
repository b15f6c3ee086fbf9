"""The application factory."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from flask import Flask, Response, has_request_context, jsonify, render_template, request
from flask.globals import request_ctx
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BuildError, MapAdapter

from tracker import config as tracker_config
from tracker import health, web
from tracker.accounts import auth
from tracker.accounts import services as accounts
from tracker.accounts import views as accounts_views
from tracker.api import apidocs, openapi
from tracker.api import question_views as api_question_views
from tracker.api import resolutions as api_resolutions
from tracker.api import search as api_search
from tracker.api import views as api_views
from tracker.api import wording_views as api_wording_views
from tracker.db import is_busy, is_unique_violation, make_engine, make_sessionmaker
from tracker.errors import TrackerError, Unavailable
from tracker.imports import views as imports_views
from tracker.imports.sources import HttpFetcher
from tracker.questions import views as questions_views
from tracker.record import views as record_views
from tracker.reminders import views as reminders_views
from tracker.review import views as review_views
from tracker.scorecard import services as scorecard
from tracker.scorecard import views as scorecard_views
from tracker.search import views as search_views
from tracker.serving import BodyDeadline

BLUEPRINTS = (
    health.bp,
    scorecard_views.bp,
    record_views.bp,
    review_views.bp,
    accounts_views.bp,
    reminders_views.bp,
    imports_views.bp,
    questions_views.bp,
    api_views.bp,
    api_wording_views.bp,
    api_resolutions.bp,
    api_question_views.bp,
    api_search.bp,
    search_views.bp,
    apidocs.bp,
)


class Tracker(Flask):
    """Flask, with every absolute URL built from TRACKER_BASE_URL.

    The Host header is whatever a client says it is. An absolute link built from it would end
    up in the feed, in pages and API answers kept under their ETag, in invitation links and
    in mail, pointing every later reader wherever one request said. So `url_for(...,
    _external=True)` (and url_for outside a request, in the command line) always answers
    with the configured public address; relative links are Flask's own."""

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        in_request = has_request_context()
        external = _external if _external is not None else (_scheme is not None or not in_request)
        # A request refused for its Host (TRUSTED_HOSTS) has no URL adapter: its error page
        # links from the public address too.
        if not external and in_request and request_ctx.url_adapter is not None:
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _external=False, **values
            )
        if endpoint[:1] == "." and in_request:
            blueprint = request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        self.inject_url_defaults(endpoint, values)
        try:
            url = self._public_urls().build(
                endpoint, values, method=_method, url_scheme=_scheme, force_external=external
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            url += "#" + quote(_anchor, safe=_ANCHOR_SAFE)
        return url

    def _public_urls(self) -> MapAdapter:
        """A URL builder bound to the public address (rebuilt if the setting changes)."""
        base = str(self.config["BASE_URL"])
        cached: tuple[str, MapAdapter] | None = self.extensions.get("tracker.public_urls")
        if cached is None or cached[0] != base:
            parts = public_address(base)
            adapter = self.url_map.bind(
                parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
            )
            cached = (base, adapter)
            self.extensions["tracker.public_urls"] = cached
        return cached[1]


_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # as Flask quotes an anchor


def public_address(base_url: str) -> SplitResult:
    """TRACKER_BASE_URL split into its parts, or a ValueError that says what is wrong."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            "TRACKER_BASE_URL must be the public http(s) address, like"
            f" https://tracker.example.org (got {base_url!r})"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            f"TRACKER_BASE_URL takes no query, fragment or credentials (got {base_url!r})"
        )
    return parts._replace(path=parts.path.rstrip("/"))


def _trusted_hosts(value: Any) -> list[str] | None:
    """TRACKER_TRUSTED_HOSTS as a list: `a.example, b.example` or a JSON list; unset is None."""
    if value is None:
        return None
    hosts = value.split(",") if isinstance(value, str) else list(value)
    cleaned = [str(host).strip().lower() for host in hosts if str(host).strip()]
    return cleaned or None


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web application: configuration, database, views and error handlers."""
    app = Tracker(
        __name__,
        instance_path=str(tracker_config.INSTANCE_PATH),
        template_folder=str(tracker_config.PROJECT_ROOT / "templates"),
        # The stylesheet: pages carry no inline style or script (see _security_headers).
        static_folder=str(tracker_config.PROJECT_ROOT / "static"),
        static_url_path="/static",
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
    public_address(str(app.config["BASE_URL"]))
    app.config["TRUSTED_HOSTS"] = _trusted_hosts(app.config.get("TRUSTED_HOSTS"))

    hops = int(app.config["PROXY_HOPS"])
    if hops < 0:
        raise ValueError("TRACKER_PROXY_HOPS must be 0 or more")
    if hops:
        # The client's address and scheme as the trusted proxies saw them (rate limits count
        # per address). The host is not taken from them: links come from BASE_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://") and not app.testing:
        app.logger.warning(
            "TRACKER_RATELIMIT_STORAGE_URI=memory:// counts rate limits in this process only:"
            " serve with one process (gunicorn refuses several workers with it)"
        )

    accounts.configure_hashing(
        int(app.config["ARGON2_TIME_COST"]),
        int(app.config["ARGON2_MEMORY_KIB"]),
        int(app.config["ARGON2_PARALLELISM"]),
        int(app.config["ARGON2_AT_ONCE"]),
        float(app.config["ARGON2_WAIT_SECONDS"]),
    )

    engine = make_engine(
        app.config["DATABASE_URL"],
        echo=bool(app.config["SQL_ECHO"]),
        lock_timeout=float(app.config["LOCK_TIMEOUT_SECONDS"]),
    )
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
    _security_headers(app)
    _wrap_for_the_server(app)
    return app


# Scripts, styles and everything else come from this origin only (no inline script or style,
# no eval); nobody may frame a page; forms post only here. `img-src data:` is the empty favicon.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def _security_headers(app: Flask) -> None:
    """Every answer (pages, JSON, feeds, files, errors) carries the browser's protections; a
    view may set a stricter value of its own (a private calendar sends no referrer at all)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if public_address(str(app.config["BASE_URL"])).scheme == "https":
        # Only where the product is served over HTTPS: a year, this host only (a deployer's
        # other subdomains are not ours to commit to HTTPS).
        headers["Strict-Transport-Security"] = "max-age=31536000"

    @app.after_request
    def protect(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response


def _wrap_for_the_server(app: Flask) -> None:
    """A deadline on reading request bodies (a client that trickles its body holds a worker's
    thread for a bounded time)."""
    wrapped: Any = BodyDeadline(
        app.wsgi_app,
        float(app.config["BODY_TIMEOUT_SECONDS"]),
        float(app.config["BODY_MIN_RATE"]),
    )
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
    web.before_error_page()
    page = render_template(
        "error.html",
        status=status,
        message=message,
        fields=fields,
        saved=web.request_committed(),
        retry_after=RETRY_AFTER_SECONDS,
    )
    return page, status


# How long a client should wait before sending again what the busy database refused.
RETRY_AFTER_SECONDS = 5


def _saved_sentence() -> str:
    if web.request_committed():
        return "part of it was saved before the fault: look before sending it again"
    return "nothing of it was saved, so it can be sent again as it was"


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(TrackerError)
    def tracker_error(error: TrackerError) -> Any:
        response = app.make_response(
            _error_response(error.status, error.code, error.message, error.fields)
        )
        response.headers.update(error.headers)
        if isinstance(error, Unavailable):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError) -> Any:
        """Writers that waited their turn longer than the database allows get 503 and
        Retry-After, not a fault page; any other database failure stays a 500."""
        if not is_busy(error):
            raise error
        app.logger.warning("database busy, answered 503: %s", error.orig)
        message = (
            "the database is busy with other changes and this request waited too long for "
            f"its turn; {_saved_sentence()} in a few seconds"
        )
        response = app.make_response(_error_response(503, "busy", message, {}))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(IntegrityError)
    def lost_race(error: IntegrityError) -> Any:
        """Two requests recording the same thing at once: the services check first, and the
        database's UNIQUE constraints refuse the twin that got past the check: a 409. Any
        other broken rule is a fault of the server and stays a 500."""
        if not is_unique_violation(error):
            raise error
        message = (
            "this conflicts with something recorded at the same moment: look at what is "
            "recorded now before sending it again"
        )
        return _error_response(409, "conflict", message, {})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        code = _HTTP_CODES.get(status) or (error.name or "error").lower().replace(" ", "_")
        message = error.description or error.name
        if status == 500:
            # Nothing the client sent causes a 500 (bad input gets a 4xx): the fault is ours.
            message = (
                "the server failed while answering this request; the fault is the server's, "
                f"not in what was sent, and {_saved_sentence()}"
            )
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than {limit:,} bytes" if limit else message
        response = app.make_response(_error_response(status, code, message, {}))
        for name, value in error.get_headers():
            if name in ("Allow", "Retry-After"):
                response.headers[name] = value
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
    503: "busy",
}
