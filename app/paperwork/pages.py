"""Pages of a course's paperwork (the "Giấy tờ" tab), the templates page (admins), and a participant's summons."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import AdminOnly, SignedIn, Staff
from app.courses.present import course_tab
from app.db import DbSession, Route
from app.errors import Invalid, NotFound
from app.jobs import service as jobs
from app.jobs.models import Job
from app.paperwork import present, presentation, rules, service
from app.paperwork.render import MAX_TEMPLATE_BYTES
from app.web import form_action, redirect, render

router = APIRouter(route_class=Route, include_in_schema=False)
FMT = "^(docx|xlsx|pdf)$"


def _act(db: DbSession, back: str, action: Callable[[], str]) -> Response:
    """Run a form's action; a refusal rolls back whatever was written and goes back with the reason."""
    with form_action(db) as refused:
        message = action()
    if refused:
        return redirect(back, refused.message, "error")
    return redirect(back, message)


@router.get("/courses/{course_id}/documents")
def tab(course_id: int, request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    course = service.managed_course(db, who, course_id)
    docs = service.documents(db, who, course_id)
    rates = service.rates(db, course_id)
    return render(request, "paperwork/tab.html", {
        **course_tab(db, who, course), "tab": "documents", "docs": docs, "kinds": rules.KINDS, "rates": rates,
        "rate_kinds": rules.RATE_KINDS, "per_labels": rules.PER_LABELS, "defaults": present.defaults,
        "formats": presentation.formats, "group": rules.group, "when": service.when,
        "modes": rules.SUMMONS_MODES, "fmt_labels": {"docx": "Word (.docx)", "xlsx": "Excel (.xlsx)", "pdf": "PDF"}})


@router.post("/courses/{course_id}/documents")
def generate(course_id: int, db: DbSession, who: Staff, kind: Annotated[str, Form(max_length=30)],
             bases: Annotated[str | None, Form(max_length=6000)] = None,
             recipients: Annotated[str | None, Form(max_length=6000)] = None,
             mode: Annotated[str, Form(max_length=10)] = "", bring: Annotated[str, Form(max_length=300)] = "",
             contact: Annotated[str, Form(max_length=300)] = "") -> Response:
    back = f"/courses/{course_id}/documents"
    options = {"bases": bases, "recipients": recipients, "mode": mode, "bring": bring, "contact": contact}

    def act() -> str:
        doc = service.generate(db, who, course_id, kind, options)
        return f"Đã lập {rules.KINDS[doc.kind].vi} (bản số {doc.id})."
    return _act(db, back + "#documents", act)


@router.get("/documents/{document_id}.{fmt}")
def download(document_id: int, fmt: str, db: DbSession, who: Staff) -> Response:
    if fmt not in ("docx", "xlsx", "pdf"):
        raise Invalid("format_invalid", "Chỉ có .docx, .xlsx hoặc .pdf.", field="fmt")
    return presentation.download(service.produce(db, service.get_document(db, who, document_id), fmt))


@router.post("/documents/{document_id}/registration")
def register(document_id: int, db: DbSession, who: Staff, number: Annotated[str, Form(max_length=40)] = "",
             signed_on: Annotated[str, Form(max_length=10)] = "") -> Response:
    doc = service.get_document(db, who, document_id)

    def act() -> str:
        try:
            when = date.fromisoformat(signed_on) if signed_on else None
        except ValueError:
            raise Invalid("signed_on_invalid", "Ngày ký không hợp lệ.", field="signed_on") from None
        d = service.register(db, who, document_id, number, when)
        return f"Đã ghi số {d.number}, ngày ký {d.signed_on:%d/%m/%Y}."
    return _act(db, f"/courses/{doc.course_id}/documents#document-{doc.id}", act)


@router.post("/documents/{document_id}/send")
def send(document_id: int, request: Request, background: BackgroundTasks, db: DbSession, who: Staff) -> Response:
    doc = service.get_document(db, who, document_id)
    back = f"/courses/{doc.course_id}/documents#document-{doc.id}"
    with form_action(db) as refused:
        started = service.start_send(db, who, document_id)
    if refused:
        err = refused.error
        return redirect(back, err.message, "error")
    if isinstance(started, Job):
        jobs.schedule(background, request.app.state, started, who)
        return redirect(f"/jobs/{started.id}")
    return redirect(back, f"Đã gửi giấy triệu tập tới {started} học viên.")


@router.post("/courses/{course_id}/payment-rates")
def set_rate(course_id: int, db: DbSession, who: Staff, kind: Annotated[str, Form(max_length=20)],
             per: Annotated[str, Form(max_length=10)], amount: Annotated[str, Form(max_length=30)],
             budget_line_id: Annotated[int, Form()]) -> Response:
    def act() -> str:
        try:
            value = Decimal(amount.replace(".", "").replace(",", "").replace(" ", ""))
        except InvalidOperation:
            raise Invalid("rate_amount_invalid", "Định mức phải là số đồng, ví dụ 150.000.", field="amount") from None
        r = service.set_rate(db, who, course_id, kind, per, value, budget_line_id)
        return f"Đã đặt định mức {rules.RATE_KINDS[r.kind].vi.lower()}: {rules.group(r.amount)} đồng/" \
               f"{rules.PER_LABELS[r.per]}."
    return _act(db, f"/courses/{course_id}/documents#rates", act)


@router.post("/courses/{course_id}/payment-rates/{kind}/delete")
def remove_rate(course_id: int, kind: str, db: DbSession, who: Staff) -> Response:
    def act() -> str:
        service.remove_rate(db, who, course_id, kind)
        return "Đã bỏ định mức."
    return _act(db, f"/courses/{course_id}/documents#rates", act)


@router.get("/document-templates")
def templates_page(request: Request, db: DbSession, who: Staff) -> HTMLResponse:
    return render(request, "paperwork/templates.html", {"rows": presentation.templates_out(service.templates(db))})


@router.get("/document-templates/{kind}.docx")
def template_file(kind: str, db: DbSession, who: Staff) -> Response:
    if kind not in rules.KINDS:
        raise Invalid("kind_unknown", "Không có loại giấy tờ này.", field="kind")
    return presentation.template_download(kind, service.template_for(db, kind))


@router.post("/document-templates/{kind}")
def upload_template(kind: str, db: DbSession, who: AdminOnly, file: Annotated[UploadFile, File()]) -> Response:
    content = file.file.read(MAX_TEMPLATE_BYTES + 1)

    def act() -> str:
        service.upload_template(db, who, kind, file.filename or f"{kind}.docx", content)
        return f"Đã thay mẫu {rules.KINDS[kind].vi}."
    return _act(db, "/document-templates", act)


@router.post("/document-templates/{kind}/reset")
def reset_template(kind: str, db: DbSession, who: AdminOnly) -> Response:
    if kind not in rules.KINDS:
        raise NotFound("Không có loại giấy tờ này.", code="kind_unknown")
    def act() -> str:
        service.reset_template(db, who, kind)
        return "Đã dùng lại mẫu mặc định."
    return _act(db, "/document-templates", act)


@router.get("/my-summons/{document_id}")
def my_summons(document_id: int, db: DbSession, who: SignedIn) -> Response:
    """A participant downloads their own summons (the link in the notification)."""
    return presentation.download(service.my_letter(db, who, document_id))
