"""Enrol a list from a spreadsheet: one row per person, found by citizen ID among the organiser's officials.

All or nothing, like the officials' import: every row is checked and, with `dry_run`, the whole list is registered
inside a savepoint that is then rolled back, so the preview shows who would get a seat and who would wait.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from app import audit
from app.auth.principal import Principal
from app.config import get_settings
from app.core.spreadsheet import Column, RowError, mark_example_row, read_table, to_bytes
from app.core.text import fold, is_digits
from app.courses import service as courses
from app.enrolment import service
from app.notify import service as notify
from app.people import service as people

LIST_COLUMNS = (
    Column("citizen_id", "Số CCCD", True, "024188001234", ("cccd", "so can cuoc", "citizen id", "so dinh danh")),
    Column("full_name", "Họ và tên", False, "Nguyễn Thị Hồng Nhung", ("ho ten", "full name")),
)
CID = "Số CCCD"


@dataclass
class ListReport:
    dry_run: bool = True
    errors: list[RowError] = field(default_factory=list)
    enrolled: list[dict] = field(default_factory=list)  # {"row", "name", "status", "waitlist_position"}

    @property
    def imported(self) -> bool:
        return not self.dry_run and not self.errors

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "imported": self.imported, "errors": [e.as_dict() for e in self.errors],
                "enrolled": self.enrolled}


def _cid(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    return ("" if value is None else str(value)).replace(" ", "").replace(".", "").strip()


def enrol_from_file(db: Session, who: Principal, course_id: int, content: bytes, *, dry_run: bool,
                    filename: str = "") -> ListReport:
    course = courses.find_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    report = ListReport(dry_run=dry_run)
    table = read_table(content, get_settings().import_max_bytes, LIST_COLUMNS)
    if table.errors:
        report.errors = table.errors
        return report
    report.errors = list(table.formulas)
    wanted: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for row, raw in table.rows:
        cid = _cid(raw.get("citizen_id"))
        if not cid:
            report.errors.append(RowError(row, CID, "Thiếu số CCCD."))
        elif len(cid) == 11 and is_digits(cid):
            report.errors.append(RowError(row, CID, f"Số CCCD “{cid}” bị mất số 0 ở đầu: hãy định dạng cột Số CCCD "
                                                    "là Văn bản (Text) rồi nhập lại."))
        elif cid in seen:
            report.errors.append(RowError(row, CID, f"Số CCCD trùng với dòng {seen[cid]} trong tệp."))
        else:
            seen[cid] = row
            wanted.append((row, cid, str(raw.get("full_name") or "").strip()))
    found = people.by_citizen_ids(db, who, [cid for _, cid, _ in wanted])
    people_rows = []
    for row, cid, name in wanted:
        t = found.get(cid)
        if t is None:
            report.errors.append(RowError(row, CID, "Không có học viên với số CCCD này trong đơn vị bạn phụ trách; "
                                                    "hãy nhập hồ sơ học viên trước."))
        elif name and fold(name) != fold(t.full_name):
            report.errors.append(RowError(row, "Họ và tên", f"Tên trong tệp “{name}” khác tên trong hồ sơ "
                                                           f"“{t.full_name}” của số CCCD này."))
        else:
            people_rows.append((row, t))
    mark = notify.outbox_mark(db)
    savepoint = db.begin_nested()
    for row, t in people_rows:
        try:
            e = service.register(db, who, course.id, t.id)
        except service.NotEligible as err:
            why = "; ".join(r.vi for r in err.reasons) or err.message
            report.errors.append(RowError(row, "", f"{t.full_name}: {why}"))
            continue
        report.enrolled.append({"row": row, "name": t.full_name, "status": e.status,
                                "waitlist_position": e.waitlist_position})
    report.errors.sort(key=lambda e: (e.row, e.column))
    if report.errors or dry_run:
        savepoint.rollback()
        notify.discard_since(db, mark)
        return report
    savepoint.commit()
    audit.record(db, who, "enrolment.import", "course", course.id,
                 {"file": filename[:200], "enrolled": len(report.enrolled)})
    return report


def template_xlsx() -> bytes:
    """A two-column list to fill: citizen ID (as text, keeping its leading zero) and name."""


    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    for i, col in enumerate(LIST_COLUMNS, start=1):
        ws.cell(row=1, column=i, value=col.header + (" *" if col.required else "")).font = Font(bold=True)
        ws.cell(row=2, column=i, value=col.example)
        ws.column_dimensions["AB"[i - 1]].width = 32
    mark_example_row(ws, 2, len(LIST_COLUMNS))
    for r in range(2, 2002):
        ws[f"A{r}"].number_format = "@"
    return to_bytes(wb)
