"""The API described: /api/v1/openapi.json, and /api, the same document for people."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, jsonify, render_template
from markupsafe import Markup

from tracker.api.openapi import API_PREFIX, check_query_names, document

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

bp = Blueprint("api_docs", __name__)


@functools.cache
def _markdown() -> MarkdownIt:
    """The document's descriptions are CommonMark, as OpenAPI says; the page shows them with
    only `code` spans rendered. Raw HTML in a description is escaped, never passed through.
    Imported on first use: every command and worker would otherwise pay for it at start."""
    from markdown_it import MarkdownIt

    return MarkdownIt("zero", {"html": False}).enable("backticks")


def inline_markdown(text: str) -> Markup:
    """One line of a description as HTML: `code` spans, the rest escaped."""
    return Markup(_markdown().renderInline(text))  # noqa: S704 - markdown-it escapes the text


def block_markdown(text: str) -> Markup:
    """A description of one or more paragraphs as HTML paragraphs."""
    return Markup(_markdown().render(text))  # noqa: S704 - markdown-it escapes the text


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi_json() -> Any:
    check_query_names(None)
    return jsonify(document())


@bp.get("/api")
def api_page() -> Any:
    """The API for people: every route, its parameters and answers, with worked examples."""
    doc = document()
    return render_template(
        "api/api.html",
        doc=doc,
        description=block_markdown(doc["info"]["description"]),
        operations=_operations_for_people(doc),
        models=_models_for_people(doc),
        base=str(current_app.config["BASE_URL"]).rstrip("/"),
    )


def describe(schema: dict[str, Any]) -> str:
    """A JSON schema in a few words: `string (date-time) or null`, `array of ClaimOut`."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(describe(option) for option in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {describe(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {describe(schema['additionalProperties'])}"
    text = str(kind)
    if "format" in schema:
        text += f" ({schema['format']})"
    bounds = [
        f"{word} {schema[key]}"
        for key, word in (
            ("minimum", "≥"),
            ("maximum", "≤"),
            ("exclusiveMinimum", ">"),
            ("exclusiveMaximum", "<"),
            ("maxLength", "at most chars:"),
        )
        if key in schema
    ]
    if bounds:
        text += ", " + ", ".join(bounds)
    if "default" in schema:
        text += f", default {json.dumps(schema['default'])}"
    return text


def _operations_for_people(doc: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            result.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": op["operationId"],
                    "summary": inline_markdown(op["summary"]),
                    "description": block_markdown(op.get("description", "")),
                    "auth": bool(op.get("security")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p["required"],
                            "type": describe(p["schema"]),
                            "description": inline_markdown(p.get("description", "")),
                        }
                        for p in op["parameters"]
                    ],
                    "body": describe(body["schema"]) if body else None,
                    "responses": [
                        {
                            "status": status,
                            "description": inline_markdown(answer["description"]),
                            "type": describe(
                                answer.get("content", {})
                                .get("application/json", {})
                                .get("schema", {"type": "none"})
                            ),
                        }
                        for status, answer in op["responses"].items()
                    ],
                }
            )
    return result


def _models_for_people(doc: dict[str, Any]) -> list[dict[str, Any]]:
    models = []
    for name, schema in doc["components"]["schemas"].items():
        required = set(schema.get("required", ()))
        models.append(
            {
                "name": name,
                "description": block_markdown(schema.get("description", "")),
                "fields": [
                    {
                        "name": field_name,
                        "type": describe(prop),
                        "required": field_name in required,
                        "description": inline_markdown(prop.get("description", "")),
                    }
                    for field_name, prop in schema.get("properties", {}).items()
                ],
            }
        )
    return models
