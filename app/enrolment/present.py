"""What the enrolment pages and the API answer alike: the class list as a spreadsheet."""
from __future__ import annotations

from fastapi.responses import Response
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.core.files import XLSX
from app.enrolment.export import class_list_xlsx
from app.web import download


def class_list_response(db: Session, who: Principal, course_id: int) -> Response:
    """The class list (.xlsx): confirmed people first, then the waitlist in order."""
    return download(class_list_xlsx(db, who, course_id), f"danh-sach-lop-{course_id}.xlsx", XLSX)
