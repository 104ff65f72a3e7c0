"""The course's "Giấy tờ" tab and the templates page, used as people use them: signed in, through the forms."""
from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.paperwork import render
from app.paperwork.models import CourseDocument, DocumentTemplate, PaymentRate
from tests.helpers import sign_in
from tests.paperwork.conftest import docx_text

CSRF = "nangluc_csrf"


def _post(client, url, data=None, files=None):  # noqa: ANN001, ANN202
    return client.post(url, data={"csrf_token": client.cookies.get(CSRF), **(data or {})}, files=files,
                       follow_redirects=False)


def _actions(db) -> list[str]:  # noqa: ANN001
    return [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.action.like("paperwork.%"))
                                         .order_by(AuditEvent.id))]


def test_the_documents_tab_generates_registers_downloads_and_sends(client, db, paper):
    course = paper["course"]
    sign_in(client, paper["organiser"].username)
    page = client.get(f"/courses/{course.id}/documents")
    assert page.status_code == 200
    assert 'id="tab-documents"' in page.text and "Quyết định mở lớp" in page.text
    assert "Chưa lập giấy tờ nào" in page.text
    before = len(_actions(db))

    r = _post(client, f"/courses/{course.id}/documents", {"kind": "opening_decision",
                                                          "bases": "Căn cứ Quyết định số 9/QĐ-UBND;\n\n",
                                                          "recipients": "Như Điều 3;\nLưu: VT."})
    assert r.status_code == 303
    doc = db.scalar(select(CourseDocument).where(CourseDocument.course_id == course.id))
    assert doc.options["bases"] == ["Căn cứ Quyết định số 9/QĐ-UBND;"]
    r = _post(client, f"/documents/{doc.id}/registration", {"number": "21", "signed_on": "2026-01-09"})
    assert r.status_code == 303
    text = docx_text(client.get(f"/documents/{doc.id}.docx").content)
    assert "Số: 21/QĐ-SVHTTDL" in text and "Bắc Ninh, ngày 09 tháng 01 năm 2026" in text
    assert "Căn cứ Quyết định số 9/QĐ-UBND;" in text and "- Lưu: VT." in text
    # A refused registration goes back with the reason and changes nothing.
    r = _post(client, f"/documents/{doc.id}/registration", {"number": "x", "signed_on": "2026-01-10"})
    assert r.status_code == 303
    db.refresh(doc)
    assert doc.number == "21"

    _post(client, f"/courses/{course.id}/documents", {"kind": "summons", "mode": "commune", "bring": "Bút",
                                                      "contact": "Anh Nam"})
    summons = db.scalar(select(CourseDocument).where(CourseDocument.kind == "summons"))
    assert _post(client, f"/documents/{summons.id}/send").status_code == 303
    db.refresh(summons)
    assert summons.sent_at is not None

    _post(client, f"/courses/{course.id}/documents", {"kind": "trainee_payments"})
    pay = db.scalar(select(CourseDocument).where(CourseDocument.kind == "trainee_payments"))
    for fmt, start in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("docx", b"PK")):
        r = client.get(f"/documents/{pay.id}.{fmt}")
        assert r.status_code == 200 and r.content.startswith(start)
    assert client.get(f"/documents/{doc.id}.xlsx").status_code == 404  # a decision is only a .docx

    line = paper["lines"]["lecturer_fee"]
    assert _post(client, f"/courses/{course.id}/payment-rates", {"kind": "lecturer_fee", "per": "hour",
                                                                  "amount": "450.000",
                                                                  "budget_line_id": str(line.id)}).status_code == 303
    rate = db.scalar(select(PaymentRate).where(PaymentRate.course_id == course.id,
                                               PaymentRate.kind == "lecturer_fee"))
    assert int(rate.amount) == 450_000 and rate.per == "hour"
    assert _post(client, f"/courses/{course.id}/payment-rates/travel/delete").status_code == 303
    page = client.get(f"/courses/{course.id}/documents")
    assert "450.000/giờ" in page.text and f'id="document-{doc.id}"' in page.text
    assert "Số <strong>21</strong>" in page.text
    assert _actions(db)[before:] == ["paperwork.generate", "paperwork.register", "paperwork.generate",
                                     "paperwork.send_summons", "paperwork.generate", "paperwork.set_rate",
                                     "paperwork.remove_rate"]


def test_the_templates_page_lets_an_admin_replace_and_reset(client, db, paper, make_user):
    admin = make_user("admin")
    sign_in(client, admin.username)
    page = client.get("/document-templates")
    assert page.status_code == 200 and "Bảng thanh toán thù lao giảng viên" in page.text
    r = _post(client, "/document-templates/result_report", files={"file": ("bc.docx", b"rac", "application/x")})
    assert r.status_code == 303 and db.get(DocumentTemplate, "result_report") is None
    r = _post(client, "/document-templates/result_report",
              files={"file": ("bc.docx", render.shipped("result_report"), "application/x")})
    assert r.status_code == 303 and db.get(DocumentTemplate, "result_report").file_name == "bc.docx"
    assert _post(client, "/document-templates/result_report/reset").status_code == 303
    assert db.get(DocumentTemplate, "result_report") is None
    # An organiser sees the page and downloads templates, but may not replace them.
    client.cookies.clear()
    sign_in(client, paper["organiser"].username)
    page = client.get("/document-templates")
    assert page.status_code == 200 and "Thay mẫu" not in page.text
    assert _post(client, "/document-templates/result_report",
                 files={"file": ("bc.docx", render.shipped("result_report"), "x")}).status_code == 403
    assert client.get("/document-templates/summons.docx").content == render.shipped("summons")
