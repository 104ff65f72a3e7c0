"""The class list as .xlsx: confirmed people first, then the waitlist in order."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from app import audit
from app.auth.principal import Principal
from app.core.spreadsheet import safe_cell, to_bytes
from app.courses import service as courses
from app.enrolment import rules, service
from app.people import reference
from app.places import service as places


def class_list_xlsx(db: Session, who: Principal, course_id: int) -> bytes:
    course = courses.get_course(db, who, course_id)
    rows = service.course_enrolments(db, who, course_id)
    order = {rules.EnrolmentStatus.CONFIRMED: 0, rules.EnrolmentStatus.WAITLISTED: 1, rules.EnrolmentStatus.PENDING: 2}
    rows.sort(key=lambda r: (order.get(r[0].status, 3), r[0].waitlist_position or 0, r[1].search_name))
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách lớp"
    ws.append([f"{course.code} — {course.title}"])
    ws.append(["STT", "Họ và tên", "Giới tính", "Chức danh", "Đơn vị", "Trạng thái", "Vị trí chờ", "Ghi chú"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, (e, t) in enumerate(rows, start=1):
        ws.append([safe_cell(v) for v in [
            i, t.full_name, reference.by_code(reference.SEXES, t.sex).vi,
            reference.by_code(reference.POSITIONS, t.position).vi, places.path_label(t.unit),
            rules.STATUS_LABELS[e.status][0], e.waitlist_position or "", "; ".join(r["vi"] for r in e.reasons[:1])]])
    audit.record(db, who, "enrolment.export", "course", course.id, {"rows": len(rows)})
    return to_bytes(wb)
