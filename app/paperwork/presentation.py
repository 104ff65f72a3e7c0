"""What the API and the pages show of documents, rates and templates (shared, so neither imports the other)."""
from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response
from pydantic import BaseModel

from app.core.files import DOCX
from app.paperwork import rules
from app.paperwork.models import CourseDocument, DocumentTemplate, PaymentRate
from app.paperwork.service import File


class DocumentOut(BaseModel):
    id: int
    course_id: int
    kind: str
    kind_label: str
    generated_at: str
    generated_by_id: int | None
    data_sha256: str
    number: str | None
    signed_on: str | None
    sent_at: str | None
    formats: list[str]
    options: dict
    data: dict | None = None


def formats(kind: str) -> list[str]:
    return ["docx", "xlsx", "pdf"] if rules.KINDS[kind].is_list else ["docx"]


def out(d: CourseDocument, with_data: bool = False) -> DocumentOut:
    return DocumentOut(id=d.id, course_id=d.course_id, kind=d.kind, kind_label=rules.KINDS[d.kind].vi,
                       generated_at=d.generated_at.isoformat(), generated_by_id=d.generated_by_id,
                       data_sha256=d.data_sha256, number=d.number,
                       signed_on=d.signed_on.isoformat() if d.signed_on else None,
                       sent_at=d.sent_at.isoformat() if d.sent_at else None, formats=formats(d.kind),
                       options=d.options, data=d.data if with_data else None)


def download(f: File) -> Response:
    ascii_name = f.name.encode("ascii", "replace").decode().replace("?", "-")
    return Response(f.content, media_type=f.media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(f.name)}"})


def rate_out(r: PaymentRate) -> dict:
    return {"kind": r.kind, "label": rules.RATE_KINDS[r.kind].vi, "per": r.per, "per_label": rules.PER_LABELS[r.per],
            "amount": int(r.amount), "amount_text": rules.group(r.amount), "budget_line_id": r.budget_line_id}


def templates_out(rows: dict[str, DocumentTemplate | None]) -> list[dict]:
    return [{"kind": k, "label": rules.KINDS[k].vi, "custom": r is not None,
             "file_name": r.file_name if r else None, "sha256": r.sha256 if r else None,
             "uploaded_at": r.uploaded_at.isoformat() if r else None} for k, r in rows.items()]


def template_download(kind: str, content: bytes) -> Response:
    return download(File(content, DOCX, f"mau-{kind}.docx"))
