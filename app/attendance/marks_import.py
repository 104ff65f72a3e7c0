"""Marks typed on paper and imported afterwards: one row per person and session, all or nothing.

The template lists every person on the course against every session, so the trainer only fills the mark column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from app import audit
from app.attendance import rules, service
from app.auth.principal import Principal
from app.config import get_settings
from app.core.spreadsheet import Column, RowError, match_class_member, read_table, safe_cell, to_bytes
from app.core.text import fold

COLUMNS = (
    Column("citizen_id", "Số CCCD", True, "024188001234", ("cccd", "so can cuoc", "citizen id")),
    Column("full_name", "Họ và tên", False, "Nguyễn Thị Hồng Nhung", ("ho ten", "full name")),
    Column("session", "Buổi", True, "1 · 14/12/2026 07:30", ("buoi hoc", "session")),
    Column("mark", "Điểm danh", True, "Có mặt", ("diem danh", "trang thai", "mark", "status")),
    Column("note", "Ghi chú", False, "", ("note",)),
)
HEADER = {c.key: c.header for c in COLUMNS}
# What people type for each mark: the label, its first letters, and the usual paper shorthand.
MARK_WORDS = {
    rules.Mark.PRESENT: {"co mat", "x", "c", "co", "present"},
    rules.Mark.LATE: {"di muon", "muon", "m", "late", "l"},
    rules.Mark.EXCUSED: {"vang co phep", "co phep", "phep", "p", "cp", "excused", "e"},
    rules.Mark.ABSENT: {"vang", "v", "k", "khong", "absent", "a"},
}


@dataclass
class MarksReport:
    dry_run: bool = True
    marks: int = 0
    changed: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "marks": self.marks, "changed": self.changed,
                "imported": not self.dry_run and not self.errors, "errors": [e.as_dict() for e in self.errors]}


def _mark(value: object) -> str | None:
    word = fold(str(value or "")).strip(" .")
    return next((m.value for m, words in MARK_WORDS.items() if word in words), None)


def import_marks(db: Session, who: Principal, course_id: int, content: bytes, *, dry_run: bool,
                 filename: str = "") -> MarksReport:
    g = service.grid(db, who, course_id)
    report = MarksReport(dry_run=dry_run)
    table = read_table(content, get_settings().import_max_bytes, COLUMNS)
    if table.errors:
        report.errors = table.errors
        return report
    report.errors = list(table.formulas)
    by_cid = {t.citizen_id: (e, t) for e, t in g.rows}
    numbers = {n: s for n, s in enumerate(g.sessions, start=1)}
    marks: list[dict] = []
    seen: dict[tuple[int, int], int] = {}
    for row, raw in table.rows:
        found = match_class_member(row, raw, by_cid, HEADER, report.errors,
                                   "Số CCCD này không có trong danh sách học viên đã xác nhận của khoá học.")
        if found is None:
            continue
        e, t = found
        number = re.match(r"\s*([0-9]+)", str(raw.get("session") or ""))
        s = numbers.get(int(number.group(1))) if number else None
        if s is None:
            report.errors.append(RowError(row, HEADER["session"], f"Không có buổi số này; khoá học có buổi 1 đến "
                                                                  f"{len(numbers)}."))
            continue
        status = _mark(raw.get("mark"))
        if status is None:
            report.errors.append(RowError(row, HEADER["mark"], "Điểm danh phải là Có mặt (x), Đi muộn (M), Vắng có "
                                                               "phép (P) hoặc Vắng (V)."))
            continue
        if (s.id, e.id) in seen:
            report.errors.append(RowError(row, HEADER["session"], f"Người này và buổi này đã có ở dòng "
                                                                  f"{seen[(s.id, e.id)]}."))
            continue
        seen[(s.id, e.id)] = row
        marks.append({"session_id": s.id, "enrolment_id": e.id, "status": status,
                      "note": str(raw.get("note") or "").strip()[:500] or None})
    report.errors.sort(key=lambda x: (x.row, x.column))
    report.marks = len(marks)
    if report.errors or dry_run:
        return report
    report.changed = service.record_marks(db, who, course_id, marks, method="import")
    audit.record(db, who, "attendance.import", "course", course_id,
                 {"file": filename[:200], "marks": report.marks, "changed": report.changed})
    return report


def template_xlsx(db: Session, who: Principal, course_id: int) -> bytes:
    """Every person on the course against every session, with the current mark filled in where there is one."""
    g = service.grid(db, who, course_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "Điểm danh"
    ws.append([c.header + (" *" if c.required else "") for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    labels = {m: rules.MARK_LABELS[m][0] for m in rules.Mark}
    for n, s in enumerate(g.sessions, start=1):
        for e, t in g.rows:
            current = g.marks.get((s.id, e.id))
            ws.append([t.citizen_id, safe_cell(t.full_name), f"{n} · {s.session_date:%d/%m/%Y} {s.start_time:%H:%M}",
                       labels[current.status] if current else "", safe_cell(current.note or "") if current else ""])
    for r in range(2, ws.max_row + 1):
        ws[f"A{r}"].number_format = "@"
    dv = DataValidation(type="list", formula1='"' + ",".join(labels.values()) + '"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"D2:D{max(ws.max_row, 2)}")
    for letter, width in zip("ABCDE", (16, 30, 24, 16, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return to_bytes(wb)
