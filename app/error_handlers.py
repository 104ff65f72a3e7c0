"""The HTTP side of the error family (`app.errors`): JSON for the API, a page for people, and the exception
handlers that `app.main` registers. Web layer: services never import it."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DomainError, Invalid
from app.web import render_error

log = logging.getLogger("nangluc")

UNREADABLE_BODY = "There was an error parsing the body"  # FastAPI's words for a body it could not decode
STATUS_MESSAGES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("not_authenticated", "Cần đăng nhập."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy trang hoặc bản ghi bạn cần."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    413: ("request_too_large", "Dữ liệu gửi lên quá lớn."),
    429: ("too_many_requests", "Quá nhiều yêu cầu, vui lòng thử lại sau."),
    500: ("internal_error", "Đã có lỗi ngoài ý muốn. Lỗi đã được ghi lại; vui lòng thử lại sau."),
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _render(request: Request, err: DomainError) -> Response:
    if wants_json(request):
        return JSONResponse(err.as_json(), status_code=err.status, headers=err.headers)
    if err.status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return render_error(request, err)


def render_domain_error(request: Request, err: DomainError) -> Response:
    """JSON under /api (and for clients that ask for it), a Vietnamese page otherwise."""
    return _render(request, err)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return _render(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form")) or None
        message = f"Dữ liệu không hợp lệ ở trường {field}: {first.get('msg', '')}" if field else "Dữ liệu không hợp lệ."
        if wants_json(request):
            clean = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors]
            return JSONResponse({"detail": clean, "code": "invalid_input", "field": field, "message": message},
                                status_code=422)
        return _render(request, Invalid("invalid_input", message, field=field))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == UNREADABLE_BODY:
            return _render(request, DomainError("invalid_body", "Không đọc được dữ liệu gửi lên: JSON hoặc biểu mẫu "
                                                "bị hỏng, hoặc không phải mã UTF-8."))
        code, message = STATUS_MESSAGES.get(exc.status_code, ("http_error", str(exc.detail)))
        if exc.status_code < 500 and isinstance(exc.detail, str) and exc.detail and exc.status_code not in (404, 405):
            message = exc.detail
        return _render(request, DomainError(code, message, status=exc.status_code,
                                            headers=dict(exc.headers or {})))

    @app.exception_handler(SQLAlchemyTimeout)
    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: Exception) -> Response:
        # The database is overloaded or briefly unreachable: tell the client to retry, never a 500.
        log.warning("database busy on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0][:200])
        return _render(request, DomainError("database_busy", "Hệ thống đang bận, vui lòng thử lại sau ít giây.",
                                            status=503, headers={"Retry-After": "5"}))

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        # The database (or SQLite's driver) refused a value the request carried: a number beyond its integer type,
        # a NUL character in text (PostgreSQL), a date out of range. The client's input, so a 422, not a 500.
        log.warning("value refused on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0][:200])
        return _render(request, Invalid("value_out_of_range", "Dữ liệu gửi lên có giá trị ngoài khoảng cho phép (số "
                                        "quá lớn, ngày không hợp lệ hoặc ký tự không được phép)."))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        code, message = STATUS_MESSAGES[500]
        return _render(request, DomainError(code, message, status=500))
