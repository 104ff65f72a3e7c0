"""Rendering pages: templates with i18n, full page or HTMX fragment, flash messages, the error page."""
from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import jinja2
import markupsafe
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from jinja2_fragments.fastapi import Jinja2Blocks
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app import i18n
from app.assets import asset
from app.audit import labels as audit_labels
from app.auth.principal import Principal
from app.config import get_settings
from app.cookies import CSRF_COOKIE, FLASH_COOKIE, LOCALE_COOKIE
from app.errors import DomainError, Invalid

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                          extensions=["jinja2.ext.i18n"])
templates = Jinja2Blocks(env=_env)
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.filters["date"] = i18n.fmt_date
templates.env.filters["number"] = i18n.fmt_number
templates.env.filters["isodate"] = lambda text: i18n.fmt_date(date.fromisoformat(text)) if text else ""
templates.env.filters["time"] = lambda moment: moment.astimezone(ZoneInfo(i18n.DEFAULT_TZ)).strftime("%H:%M")
templates.env.globals["LOCALE_NAMES"] = i18n.LOCALE_NAMES
templates.env.globals["asset"] = asset  # /static/name.<hash>.ext (app.assets)
# Only the script a page needs: HTMX is linked from every page's head, and dropped from a page that has no hx-
# attribute once the page is rendered (most trainee pages), a third of a first visit's bytes.
HTMX_TAG = f'<script src="{asset("vendor/htmx-2.0.11.min.js")}" defer></script>'
templates.env.globals["htmx_tag"] = markupsafe.Markup(HTMX_TAG)  # noqa: S704 - our own constant, no input in it
templates.env.globals["tr"] = i18n.gettext  # translate a runtime string as is (no %-formatting)


async def _posted_form(request: Request) -> FormData:
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted_form)]
"""A page form's fields, read in the event loop so that the route itself can be a plain `def` that runs in the
thread pool (it calls the synchronous database). Declare it after the permission, which must refuse a caller before
the body is read."""

NOT_JSON = object()
"""What `PostedJson` gives for a body that is not JSON: the route refuses it in its own words."""


async def _posted_json(request: Request) -> Any:  # noqa: ANN401 - whatever JSON the caller sent
    try:
        return await request.json()
    except ValueError:  # not JSON, or not UTF-8
        return NOT_JSON


PostedJson = Annotated[Any, Depends(_posted_json)]
"""A JSON body as sent (any JSON value, or `NOT_JSON`), read in the event loop like `PostedForm` so that the route
can be a plain `def`; declare it after the permission too."""


def _history_line(event: Any) -> str:
    from app.attendance.rules import MARK_LABELS
    from app.courses.rules import STATUS_LABELS as COURSE_STATUS
    from app.enrolment.rules import STATUS_LABELS as ENROLMENT_STATUS

    labels = {"course": COURSE_STATUS, "enrolment": ENROLMENT_STATUS, "attendance_mark": MARK_LABELS}
    return audit_labels.summary(event.action, event.changes, i18n.current_locale.get(),
                                labels.get(event.entity_type))


templates.env.globals["history_line"] = _history_line  # an audit event in words (app.audit.labels)


def _closed_periods(course: Any) -> list:  # noqa: ANN401 - a Course of the request's session
    """The closed reporting periods a course lies in: its pages then ask for a reason before a change (no query for
    a course that starts today or later)."""
    from sqlalchemy.orm import object_session

    from app.reports import late

    db = object_session(course)
    return late.closed_for_course(db, course) if db is not None else []


templates.env.globals["closed_periods"] = _closed_periods  # the course pages' banner (courses/_header.html)


def _flash_signer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().resolved_secret_key(), salt="flash")


def flash(response: Response, message: str, kind: str = "success") -> Response:
    """Show a message on the next page (a signed cookie: nothing is kept in server memory)."""
    response.set_cookie(FLASH_COOKIE, _flash_signer().dumps([kind, message]), httponly=True, samesite="lax",
                        max_age=60, path="/")
    return response


def _read_flash(request: Request) -> dict | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        kind, message = _flash_signer().loads(raw)
    except (BadSignature, ValueError):
        return None
    return {"kind": kind, "message": message}


def locale_for(request: Request) -> str:
    principal: Principal | None = getattr(request.state, "principal", None)
    return i18n.pick_locale(request.cookies.get(LOCALE_COOKIE), principal.locale if principal and
                            principal.is_authenticated else None, request.headers.get("accept-language"))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, block: str | None = None,
           status_code: int = 200) -> HTMLResponse:
    """The whole page, or only `block` when HTMX asks for it (the page includes the same block)."""
    locale = locale_for(request)
    i18n.current_locale.set(locale)
    principal = getattr(request.state, "principal", None) or Principal.anonymous()
    ctx = {"principal": principal, "locale": locale, "csrf_token": request.cookies.get(CSRF_COOKIE)
           or getattr(request.state, "csrf_token", ""), "path": request.url.path, **(context or {})}
    if block and is_htmx(request):
        return templates.TemplateResponse(request, template, ctx, block_name=block, status_code=status_code)
    ctx["flash"] = _read_flash(request)
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if b" hx-" not in response.body:
        response.body = response.body.replace(HTMX_TAG.encode(), b"", 1)
        response.headers["content-length"] = str(len(response.body))
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def staging_dir() -> Path:
    """Where an uploaded spreadsheet waits between its preview and the confirmed import (a day at most)."""
    d = get_settings().data_dir / "imports"
    d.mkdir(parents=True, exist_ok=True)
    for old in d.glob("*.bin"):  # uploads that were previewed but never imported
        if old.stat().st_mtime < time.time() - 24 * 3600:
            old.unlink(missing_ok=True)
    return d


def stage(content: bytes, errors: list) -> str:
    """Keep a previewed upload that had no errors until it is confirmed; the token names it ("" when not kept)."""
    if errors:
        return ""
    token = secrets.token_urlsafe(16)
    (staging_dir() / f"{token}.bin").write_bytes(content)
    return token


def staged(token: str) -> Path | None:
    """The staged upload named by a preview's token, or None for a token we did not hand out."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = staging_dir() / f"{token}.bin"
    return path if path.exists() else None


def form_date(raw: str, field: str) -> date | None:
    """A date typed in a page form (ISO, as the date input sends it): None when left empty, else valid or refused."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid("date_invalid", f"Ngày “{raw}” không hợp lệ.", field=field) from None


def download(content: bytes, filename: str, media_type: str, *, inline: bool = False) -> Response:
    """A file for the browser to save (`attachment`) or to show (`inline`, PDFs); pages and API answer alike."""
    disposition = "inline" if inline else "attachment"
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


def redirect(url: str, message: str | None = None, kind: str = "success") -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, message, kind)
    return response


@dataclass
class Refusal:
    """What `form_action` saw: the refusal (None when the action went through)."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error else ""

    @property
    def status(self) -> int:
        return self.error.status if self.error else 200


@contextmanager
def form_action(db: Session) -> Iterator[Refusal]:
    """The one way a page form action reports a refusal: whatever the request wrote is rolled back, then the page
    answers with the reason (a redirect with a message, or the form again).

        with form_action(db) as refused:
            service.revoke(...)
        if refused:
            return redirect(back, refused.message, "error")

    Catching a DomainError and answering anyway would let the request's commit keep what the action wrote before
    it refused (a certificate revoked, its reissue refused). A refusal that carries its audit event (a failed
    sign-in, `app.audit.on_refusal`) has that event written after the rollback, and committed with the answer.
    A record that is missing or outside the caller's scope (404) is not a form refusal: it propagates to the error
    page, so that a page answers as the API does.
    `tests/core/test_refusals.py` holds every page to this.
    """
    outcome = Refusal()
    try:
        yield outcome
    except DomainError as err:
        db.rollback()
        if err.status == 404:
            raise
        if err.audit_event is not None:  # the one write a refusal keeps (app.audit.on_refusal)
            db.add(err.audit_event)
        outcome.error = err


def render_error(request: Request, err: DomainError) -> Response:
    i18n.current_locale.set(locale_for(request))
    if is_htmx(request):
        # A fragment request shows the reason where the fragment would have gone, and as a toast.
        response = HTMLResponse(f'<p class="error" role="alert">{_escape(i18n.gettext(err.message))}</p>',
                                status_code=err.status)
        response.headers["HX-Trigger"] = json.dumps({"nl-error": i18n.gettext(err.message)})
    else:
        titles = {403: "Không được phép", 404: "Không tìm thấy", 429: "Vui lòng chờ", 500: "Lỗi hệ thống"}
        response = render(request, "errors/error.html",
                          {"status": err.status, "title": titles.get(err.status, "Không thực hiện được"),
                           "message": err.message, "code": err.code}, status_code=err.status)
    response.headers.update(err.headers or {})  # Retry-After on a 503 or 429 page, as on the API's answer
    return response


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
