"""What pages and the API show of an issuing body (shared, so neither imports the other)."""
from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.core.files import XLSX
from app.errors import NotFound
from app.issuers import book, service
from app.issuers.models import IssuingBody
from app.issuers.schemas import IssuingBodyOut


def body_out(b: IssuingBody) -> IssuingBodyOut:
    return IssuingBodyOut(id=b.id, unit=b.unit.key, unit_name=b.unit.name, name=b.name, parent_name=b.parent_name,
                          short_code=b.short_code, place_name=b.place_name, signer_title=b.signer_title,
                          signer_name=b.signer_name, number_pattern=b.number_pattern,
                          example_number=service.example_number(b), active=b.active,
                          has_seal=b.seal_image is not None,
                          seal_url=f"/api/v1/issuing-bodies/{b.id}/seal.png" if b.seal_image else None,
                          updated_at=b.updated_at)


def seal_response(b: IssuingBody) -> Response:
    if b.seal_image is None:
        raise NotFound("Cơ quan này chưa có ảnh con dấu.", code="seal_not_found")
    return Response(b.seal_image, media_type=b.seal_media_type or "image/png",
                    headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"})




def preview_response(db: Session, who: Principal, body_id: int) -> Response:
    return Response(service.preview_pdf(db, who, body_id), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="mau-giay-chung-nhan-{body_id}.pdf"'})


def register_response(db: Session, who: Principal, body_id: int, year: int, fmt: str) -> Response:
    """The register book as a file; taking a copy is recorded (it names people and their birth dates)."""
    entries = service.register_book(db, who, body_id, year)
    data = book.pdf(entries) if fmt == "pdf" else book.xlsx(entries)
    service.record_register_download(db, who, body_id, year, fmt)
    return Response(data, media_type="application/pdf" if fmt == "pdf" else XLSX,
                    headers={"Content-Disposition": f'attachment; filename="so-cap-gcn-{body_id}-{year}.{fmt}"'})
