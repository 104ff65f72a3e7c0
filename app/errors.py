"""One error family for the whole application: plain exception classes that services and rules raise.

This module imports nothing, so that any layer may raise a refusal without reaching the web layer; the two renderers
(JSON for the API, a page for people) are in `app.error_handlers`, registered by `app.main`.
"""
from __future__ import annotations


class DomainError(Exception):
    """A refusal with a stable machine code, a human message (Vietnamese) and, for bad input, the field."""

    status = 400
    # The one audit event the refusal leaves behind (a failed sign-in): an AuditEvent not yet added to any session,
    # given by `app.audit.on_refusal`. Whatever the request wrote is rolled back, then this event alone is written
    # (`app.db.get_db` when the refusal is raised, `app.web.form_action` when a page answers it).
    audit_event: object | None = None

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        self.headers = headers or {}

    def as_json(self) -> dict:
        body: dict = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class NotFound(DomainError):
    status = 404

    def __init__(self, message: str = "Không tìm thấy.", code: str = "not_found") -> None:
        super().__init__(code, message)


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str = "Bạn không có quyền thực hiện thao tác này.", code: str = "forbidden") -> None:
        super().__init__(code, message)


class Unauthenticated(DomainError):
    status = 401

    def __init__(self, message: str = "Cần đăng nhập.", code: str = "not_authenticated") -> None:
        super().__init__(code, message, headers={"WWW-Authenticate": "Bearer"})


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422
