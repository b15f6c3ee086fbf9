"""API routes that describe themselves: a decorator records each route's method, path, query
model, body model and answer models, parses and checks the request against them, and the
OpenAPI 3.1 document at /api/v1/openapi.json (and the /api page for people) is built from
that record. Nothing in the document is written by hand."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from tracker.api import idempotency
from tracker.api.schemas import ErrorAnswer
from tracker.db import MAX_ID
from tracker.errors import BadRequest, Invalid
from tracker.text import MAX_JSON_DEPTH, TooDeep, load_json

API_PREFIX = "/api/v1"
TITLE = "Claim tracker API"
VERSION = "1"

# What each error status means, for the document; every one has the ErrorAnswer body.
ERROR_MEANINGS = {
    400: "Malformed: a query parameter the route does not take (or given twice), a parameter "
    "that does not parse, broken JSON, or not JSON at all.",
    401: "No valid bearer token.",
    403: "The token's user may not do this.",
    404: "No such thing.",
    409: "Conflicts with what is recorded (already there, or an Idempotency-Key reused).",
    413: "The body is larger than the server accepts.",
    422: "Well-formed but not valid: a value out of range, unknown, or missing.",
    429: "Too many requests for this token; wait as Retry-After says.",
    502: "The page to fetch did not give a usable answer (refused, broken, an HTTP error).",
    504: "The page to fetch did not arrive whole within the fetch's deadline (30 s).",
}
_RULE_PART = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_PARSE_ERRORS = ("_parsing", "_type", "json_invalid")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI style: /claims/{claim_id}
    endpoint: str
    summary: str
    description: str
    tag: str
    path_params: tuple[tuple[str, str], ...]  # (name, flask converter)
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    answers: dict[int, type[BaseModel] | None]
    errors: tuple[int, ...]
    role: str | None


REGISTRY: list[Operation] = []


def _openapi_path(rule: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    params = tuple((m["name"], m["converter"] or "string") for m in _RULE_PART.finditer(rule))
    return _RULE_PART.sub(lambda m: "{" + m["name"] + "}", rule), params


def _error_fields(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, item["msg"])
    return fields


def query_names(model: type[BaseModel] | None) -> list[str]:
    """The query parameters a route takes, as clients spell them (aliases such as `from`)."""
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def check_query_names(model: type[BaseModel] | None) -> None:
    """400 for a query parameter the route does not take, or one given twice. A misspelt
    filter (`?stauts=due`) would otherwise answer everything, as if it had been applied."""
    allowed = query_names(model)
    unknown = sorted({name for name in request.args if name not in allowed})
    if unknown:
        takes = ", ".join(allowed) if allowed else "no query parameters"
        raise BadRequest(
            f"unknown query parameter {', '.join(unknown)}: this route takes {takes}",
            {name: "unknown parameter" for name in unknown},
        )
    repeated = sorted({name for name in request.args if len(request.args.getlist(name)) > 1})
    if repeated:
        raise BadRequest(
            f"query parameter {', '.join(repeated)} given more than once: give each once",
            {name: "given more than once" for name in repeated},
        )


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string as `model`; 400 when a value does not parse, 422 when it is not allowed.
    Empty values count as absent, so `?status=` lists everything."""
    check_query_names(model)
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        fields = _error_fields(error)
        detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
        if any(e["type"].endswith(_PARSE_ERRORS) for e in error.errors()):
            raise BadRequest(f"the query string does not parse ({detail})", fields) from None
        raise Invalid(f"the query string is not valid ({detail})", fields) from None


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The JSON body as `model`: 400 if it is not JSON, 413 if too large, 422 if not valid."""
    if not request.is_json:
        raise BadRequest(
            "send the body as JSON with Content-Type: application/json",
            {"content-type": f"expected application/json, got {request.mimetype or 'nothing'}"},
        )
    data = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413, answered as JSON
    try:
        payload = load_json(data)
    except TooDeep:
        raise BadRequest(
            f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels of arrays and objects",
            {"body": "nested too deep"},
        ) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest(f"the body is not valid JSON: {error}", {"body": "not JSON"}) from None
    if not isinstance(payload, dict):
        raise Invalid("the body must be a JSON object", {"body": "expected an object"})
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        fields = _error_fields(error)
        detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
        raise Invalid(f"the body is not valid ({detail})", fields) from None


def route(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    answers: dict[int, type[BaseModel] | None],
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    role: str | None = None,
    tag: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JSON view and record it for the OpenAPI document.

    The view gets `query=` and `body=` (instances of the models) besides its path values and
    returns a dict, a (dict, status) or (dict, status, headers) tuple, or a Response. With
    `role`, a bearer token of that role is required (before the body is read), writes are rate
    limited per token, and a POST honours `Idempotency-Key`. The first line of the view's
    docstring is the operation's summary, the rest its description."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        path, params = _openapi_path((bp.url_prefix or "") + rule)
        doc = (view.__doc__ or "").strip().split("\n\n", 1)
        operation = Operation(
            method=method.upper(),
            path=path,
            endpoint=f"{bp.name}.{view.__name__}",
            summary=doc[0].replace("\n", " "),
            description=doc[1].strip() if len(doc) > 1 else "",
            tag=tag or (rule.strip("/").split("/")[0] or "api"),
            path_params=params,
            query=query,
            body=body,
            answers=answers,
            errors=errors,
            role=role,
        )
        REGISTRY.append(operation)

        def handle(**values: Any) -> Any:
            if query is not None:
                values["query"] = parse_query(query)
            else:
                check_query_names(None)
            if body is not None:
                values["body"] = parse_body(body)
                key = request.headers.get(idempotency.HEADER)
                if key is not None and operation.method == "POST" and role is not None:
                    return _idempotent(key, values["body"], lambda: _answer(view(**values)))
            return _answer(view(**values))

        def _answer(result: Any) -> tuple[Any, int, dict[str, str]]:
            if isinstance(result, Response):
                return result, result.status_code, {}
            if not isinstance(result, tuple):
                result = (result, 200)
            data, status, headers = (*result, {})[:3]
            model = answers.get(status)
            if model is not None and current_app.config.get("API_CHECK_ANSWERS"):
                # In tests: every answer must be what the document promises.
                model.model_validate(data)
            return data, status, headers

        guarded = handle
        if role is not None:
            from tracker.accounts.auth import require_token

            guarded = require_token(role)(handle)

        @functools.wraps(view)
        def wrapper(**values: Any) -> Any:
            data, status, headers = guarded(**values)
            if isinstance(data, Response):
                return data
            return jsonify(data), status, headers

        registered: Callable[..., Any] = wrapper
        if role is not None:
            from tracker.accounts.auth import limiter

            # Per token (or per address without one): a runaway script cannot flood the log.
            registered = limiter.limit(_write_limit, key_func=_limit_key)(wrapper)
        bp.add_url_rule(rule, view.__name__, registered, methods=[method.upper()])
        return registered

    return decorate


def _write_limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT", "120 per minute"))


def _limit_key() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


def _idempotent(
    raw_key: str, body: BaseModel, act: Callable[[], tuple[Any, int, dict[str, str]]]
) -> tuple[Any, int, dict[str, str]]:
    """Run `act` once per (user, key): a retry with the same request gets the first answer."""
    from tracker.accounts.auth import require_user
    from tracker.web import get_session, now

    key = idempotency.check_key(raw_key)
    user = require_user()
    session = get_session()
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        # Take the write lock before the lookup: a read that later writes could lose to
        # another writer in between and fail with "database is locked".
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    digest = idempotency.fingerprint(
        request.method, request.path, body.model_dump(mode="json", exclude_unset=False)
    )
    stored = idempotency.find_answer(session, user.id, key, digest, now())
    if stored is not None:
        session.commit()
        headers = {"Idempotent-Replayed": "true"}
        if stored.location:
            headers["Location"] = stored.location
        return json.loads(stored.answer or "null"), stored.status or 200, headers
    row = idempotency.reserve(session, user.id, key, digest, now())
    try:
        data, status, headers = act()  # the view commits the reservation with its effect
    except BaseException:
        session.rollback()
        raise
    if 200 <= status < 300:
        idempotency.store_answer(session, row, status, data, headers.get("Location"))
    else:
        session.delete(row)
    session.commit()
    return data, status, headers


def _schema_ref(
    model: type[BaseModel],
    components: dict[str, Any],
    mode: Literal["validation", "serialization"],
) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
    for name, definition in schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault(model.__name__, schema)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        # `x | None = None` is optional: the parameter is left out, never sent as null.
        options = [o for o in prop.get("anyOf", ()) if o.get("type") != "null"]
        if options and len(options) == 1:
            prop.pop("anyOf")
            prop.update(options[0])
        if prop.get("default") is None:
            prop.pop("default", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered route, for the host the request named:
    built once per host and set of routes (it took 40 ms, for anyone who asked)."""
    return _document(request.host_url.rstrip("/"), tuple(op.endpoint for op in REGISTRY))


@functools.lru_cache(maxsize=8)
def _document(server: str, _routes: tuple[str, ...]) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    error_ref = _schema_ref(ErrorAnswer, components, "serialization")
    for op in REGISTRY:
        parameters: list[dict[str, Any]] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}
                if converter == "id"
                else {"type": "string"},
            }
            for name, converter in op.path_params
        ]
        if op.query is not None:
            parameters += _query_parameters(op.query)
        responses: dict[str, Any] = {}
        for status, model in sorted(op.answers.items()):
            answer: dict[str, Any] = {"description": _status_text(status)}
            if model is not None:
                answer["content"] = {
                    "application/json": {"schema": _schema_ref(model, components, "serialization")}
                }
            if op.method == "GET":
                answer["headers"] = {
                    "ETag": {
                        "description": "Send it back in If-None-Match to get 304 if unchanged.",
                        "schema": {"type": "string"},
                    }
                }
            responses[str(status)] = answer
        if op.method == "GET":
            responses["304"] = {"description": "Not modified: the If-None-Match ETag still holds."}
            parameters.append(
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "description": "An ETag from an earlier answer.",
                    "schema": {"type": "string"},
                }
            )
        statuses = set(op.errors) | {400}  # every route refuses unknown query parameters
        if op.query is not None:
            statuses.add(422)
        if op.path_params:
            statuses.add(404)
        if op.body is not None:
            statuses |= {400, 413, 422}
        if op.role is not None:
            statuses |= {401, 403, 429}
        for status in sorted(statuses):
            responses[str(status)] = {
                "description": ERROR_MEANINGS.get(status, _status_text(status)),
                "content": {"application/json": {"schema": error_ref}},
            }
        operation: dict[str, Any] = {
            "operationId": op.endpoint.split(".", 1)[-1],
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": parameters,
            "responses": responses,
        }
        if op.description:
            operation["description"] = op.description
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {"schema": _schema_ref(op.body, components, "validation")}
                },
            }
            if op.method == "POST" and op.role is not None:
                operation["parameters"].append(
                    {
                        "name": idempotency.HEADER,
                        "in": "header",
                        "required": False,
                        "description": "Retrying with the same key and body replays the first "
                        "answer instead of acting twice; the same key with another body is 409.",
                        "schema": {"type": "string", "maxLength": 200},
                    }
                )
        if op.role is not None:
            operation["security"] = [{"bearer": []}]
            operation["description"] = (
                operation.get("description", "")
                + f"\n\nNeeds the token of {_article(op.role)} {op.role} or above."
            ).strip()
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "Reads are public. Writes need `Authorization: Bearer <token>` "
            "(`tracker tokens create`). Errors are always "
            '`{"error": {"code", "message", "fields"}}`. Lists are paged by cursor: follow '
            "`next` until it is null. Times are UTC ISO 8601.",
        },
        "servers": [{"url": str(current_app.config["BASE_URL"]).rstrip("/")}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _status_text(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase


def add_etag(response: Response) -> Response:
    """Strong ETag on successful GET answers; 304 when the client's copy is current."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
        response.headers.setdefault("Cache-Control", "no-cache")
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Register the ETag hook of the API's answers."""

    @app.after_request
    def etag(response: Response) -> Response:
        if request.path.startswith(API_PREFIX + "/"):
            return add_etag(response)
        return response
