"""The API's OpenAPI schema as clients see it: FastAPI's, plus what FastAPI cannot know about our error model.

Every refusal has the same JSON shape (`app.errors`), and every `/api/v1` call but the token endpoint needs a
bearer token. FastAPI documents neither, so a client generated from the schema (or a fuzzer checking answers
against it, tests/fuzz) would meet undocumented statuses. `document_errors` adds, to every operation: 401 and 403
(when it needs a token), 404, 409 (when it changes something), 400 and 413 (when it takes a body), 422 (FastAPI's
field list or one refusal), 429 (the token endpoint) and 503 (the database is busy or unreachable: retry later).
"""
from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "A refusal: a stable machine `code`, a human `detail` (Vietnamese) and, for bad input, the "
                   "`field` it concerns.",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "examples": ["not_found"]},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
VALIDATION_REF = {"$ref": "#/components/schemas/HTTPValidationError"}

ERRORS: dict[str, str] = {
    "400": "The body could not be read: broken JSON or form data, or not UTF-8 (`code`: invalid_body).",
    "401": "Not signed in, or the token is invalid or expired (`code`: not_authenticated, invalid_token).",
    "403": "Signed in, but this role or account may not do this (`code`: forbidden).",
    "404": "The record does not exist or lies outside the caller's province or commune (never 403, so that its "
           "existence is not revealed).",
    "409": "Refused by a rule of the programme or the record's state; `code` says which.",
    "413": "The request body is larger than the limit (`code`: request_too_large).",
    "422": "Invalid input: FastAPI's list of fields (`detail` is a list), or one refusal naming its `field`.",
    "429": "Too many requests; `Retry-After` says when to try again.",
    "503": "The database is busy or unreachable; `Retry-After` says when to try again (`code`: database_busy).",
}
TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a URL, not a secret
BODY_METHODS = {"post", "put", "patch"}


def _error_response(code: str, existing: dict | None) -> dict:
    """The documented answer for an error status; an operation's own model for it is kept, as an alternative."""
    description = (existing or {}).get("description") or ERRORS[code]
    own = ((existing or {}).get("content") or {}).get("application/json", {}).get("schema")
    if code == "422":
        options = [VALIDATION_REF, ERROR_REF] + ([own] if own and own not in (VALIDATION_REF, ERROR_REF) else [])
    else:
        options = [ERROR_REF] + ([own] if own and own != ERROR_REF else [])
    schema = options[0] if len(options) == 1 else {"anyOf": options}
    if existing and existing.get("description") == "Validation Error":
        description = ERRORS[code]
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# Besides the token endpoint, routes that count failed attempts and answer 429 past the limit.
THROTTLED = frozenset({"/api/v1/me/password"})


def document_errors(schema: dict) -> dict:
    """Add the error responses and the bearer-token scheme to a FastAPI-generated schema (in place)."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {})["bearer"] = {
        "type": "http", "scheme": "bearer",
        "description": f"A token from `POST {TOKEN_PATH}` (form fields `username`, `password`)."}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, op in operations.items():
            if method not in {"get", "put", "post", "patch", "delete", "head", "options"}:
                continue
            responses = op.setdefault("responses", {})
            codes = ["404", "422", "503"]
            if path != TOKEN_PATH:
                codes += ["401", "403"]
                op["security"] = [{"bearer": []}]
            if path == TOKEN_PATH:
                codes += ["401", "429"]
            if path in THROTTLED:
                codes.append("429")
            if method != "get":
                codes.append("409")
            if method in BODY_METHODS:
                codes += ["400", "413"]
            for code in sorted(set(codes)):
                responses[code] = _error_response(code, responses.get(code))
    return schema
