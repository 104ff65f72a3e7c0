"""What the certificate pages and the API answer alike: one certificate's file, and a course's certificates in one
PDF or a ZIP, spooled to a temporary file and streamed."""
from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO

from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.certificates import service
from app.core.files import PDF, ZIP
from app.web import download

CHUNK = 256 * 1024
SPOOL = 8 * 1024 * 1024  # past this a course's file spills to disk


def stream_file(f: IO[bytes]) -> Iterator[bytes]:
    with f:
        f.seek(0)
        while chunk := f.read(CHUNK):
            yield chunk


def certificate_file(db: Session, who: Principal, certificate_id: int) -> Response:
    """The file as issued; for its holder and the course's organisers only."""
    c = service.get_for(db, who, certificate_id)
    return download(service.pdf_bytes(c, db), service.file_name(c), PDF)


def course_pdf(db: Session, who: Principal, course_id: int) -> StreamingResponse:
    """Every valid certificate of the course in one PDF, one per page, in class-list order."""
    f = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - closed by stream_file
    service.bulk_pdf(db, who, course_id, f)
    return StreamingResponse(stream_file(f), media_type=PDF,
                             headers={"Content-Disposition": f'inline; filename="giay-chung-nhan-{course_id}.pdf"'})


def course_zip(db: Session, who: Principal, course_id: int) -> StreamingResponse:
    """One PDF per certificate, named by number and name, in a ZIP."""
    f = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - closed by stream_file
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
        for c in service.iter_valid(db, who, course_id):
            z.writestr(service.file_name(c), service.pdf_bytes(c, db))
    return StreamingResponse(stream_file(f), media_type=ZIP,
                             headers={"Content-Disposition": f'attachment; filename="giay-chung-nhan-{course_id}.zip"'})
