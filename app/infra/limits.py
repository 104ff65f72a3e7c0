"""How large a request body may be, and the middleware that holds every request to it.

Forms and JSON may be up to `NANGLUC_REQUEST_MAX_BYTES` (1 MiB). The few routes that take a file have their own,
larger limit, listed in `LARGER` by method and path: spreadsheets to import, training materials, a certificate's
PDF to check. Each is read from the settings at the time of the request.

`BodyLimit` enforces them twice: a `Content-Length` above the limit is answered with 413 before a byte is read, and
a body sent without one (chunked) is counted as it streams and cut off the moment it passes the limit; the rest is
never read. The code that receives a file still checks its own exact limit (the materials while streaming, the
imports after reading): these are the outer bounds that protect the server itself.
"""
from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException
from starlette.requests import Request
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import get_settings
from app.errors import DomainError

FORM_OVERHEAD = 1024 * 1024  # the text fields and multipart headers around the files
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def default_body() -> int:
    return get_settings().request_max_bytes


def import_body() -> int:
    """A spreadsheet of officials, an enrolment list or marks: `NANGLUC_IMPORT_MAX_BYTES` plus the form around it."""
    return get_settings().import_max_bytes + FORM_OVERHEAD


def materials_body(files: int | None = None) -> int:
    """An upload of training materials: each file up to `NANGLUC_MATERIAL_MAX_BYTES`, up to
    `NANGLUC_MATERIAL_MAX_FILES` of them at once (or `files`)."""
    settings = get_settings()
    return settings.material_max_bytes * (files or settings.material_max_files) + FORM_OVERHEAD


def _one_material() -> int:
    return materials_body(1)


def _seal() -> int:
    from app.issuers.rules import SEAL_MAX_BYTES

    return SEAL_MAX_BYTES + FORM_OVERHEAD


def _certificate_check() -> int:
    from app.certificates.pages import MAX_CHECK_BYTES

    return MAX_CHECK_BYTES + FORM_OVERHEAD


# (method, path as the route declares it) -> its limit. tests/reliability/test_body_limits.py checks that each
# names a route that exists.
LARGER: dict[tuple[str, str], Callable[[], int]] = {
    ("POST", "/api/v1/trainees/import"): import_body,
    ("POST", "/trainees/import"): import_body,
    ("POST", "/api/v1/courses/{course_id}/enrolments/import"): import_body,
    ("POST", "/courses/{course_id}/enrolments/import"): import_body,
    ("POST", "/api/v1/courses/{course_id}/attendance/import"): import_body,
    ("POST", "/courses/{course_id}/attendance/import"): import_body,
    ("POST", "/api/v1/materials"): materials_body,
    ("POST", "/courses/{course_id}/materials"): materials_body,
    ("POST", "/curricula/{code}/materials"): materials_body,
    ("POST", "/api/v1/materials/{material_id}/versions"): _one_material,
    ("POST", "/materials/{material_id}/replace"): _one_material,
    ("POST", "/verify/{code}"): _certificate_check,
    ("PUT", "/api/v1/issuing-bodies/{body_id}/seal"): _seal,
    ("POST", "/issuing-bodies/{body_id}/seal"): _seal,
}


def too_large() -> DomainError:
    return DomainError("request_too_large", "Dữ liệu gửi lên lớn hơn mức cho phép.", status=413)


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes its limit. FastAPI's own exception class, so that FastAPI
    passes it on from body parsing (instead of answering 400) and the error handlers render it as every 413."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=too_large().message)


class BodyLimit:
    """Pure ASGI middleware: the body-size limit of the route a request goes to (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.larger = [(method, compile_path(path)[0], limit) for (method, path), limit in LARGER.items()]

    def limit_for(self, scope: Scope) -> int:
        limit = default_body()
        for method, pattern, larger in self.larger:
            if scope["method"] == method and pattern.match(scope["path"]):
                return max(limit, larger())
        return limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        default = default_body()
        # Every route's limit is at least the default: a body declared within it needs no look-up.
        limit = default if declared is not None and declared <= default else self.limit_for(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        from app.error_handlers import render_domain_error  # the web layer: imported when a body is refused

        response = render_domain_error(Request(scope, receive), too_large())
        response.headers["Connection"] = "close"  # the body was not read: the connection cannot carry another
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
