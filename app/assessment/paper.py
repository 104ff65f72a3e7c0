"""Tests taken on paper: the scores typed into a prefilled spreadsheet and imported, all or nothing, as attendance
marks are. Each person's paper score is one attempt of the test (source "paper"); importing again corrects it."""
from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.assessment import service
from app.assessment.models import Attempt, CourseTest
from app.auth.principal import Principal
from app.config import get_settings
from app.core.spreadsheet import Column, RowError, match_class_member, read_table, safe_cell, to_bytes
from app.courses import service as courses
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.people.models import Trainee

COLUMNS = (
    Column("citizen_id", "Số CCCD", True, "024188001234", ("cccd", "so can cuoc", "citizen id")),
    Column("full_name", "Họ và tên", False, "Nguyễn Thị Hồng Nhung", ("ho ten", "full name")),
    Column("score", "Điểm (%)", False, "85", ("diem", "diem so", "score", "percent")),
)
HEADER = {c.key: c.header for c in COLUMNS}


@dataclass
class ScoresReport:
    dry_run: bool = True
    scores: int = 0
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "scores": self.scores, "imported": not self.dry_run and not self.errors,
                "errors": [e.as_dict() for e in self.errors]}


def _test(db: Session, who: Principal, test_id: int) -> CourseTest:
    t, course = service.get_test(db, who, test_id)
    courses.ensure_may_manage(db, who, course)
    return t


def _seated(db: Session, course_id: int) -> list[tuple[Enrolment, Trainee]]:
    return list(db.execute(select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
                            .where(Enrolment.course_id == course_id, Enrolment.status.in_(service.SEATED))
                            .order_by(Trainee.search_name)).all())


def _score(value: object) -> float | None | str:
    """A percentage as people type it: 85, 85,5, 85.5, 85%. Returns the problem's text when it is not one."""
    text = str(value if value is not None else "").strip().rstrip("%").strip().replace(",", ".")
    if not text:
        return None
    try:
        if not text.replace(".", "", 1).isascii():
            raise ValueError
        number = float(text)
    except ValueError:
        return f"“{value}” không phải là điểm (số từ 0 đến 100)."
    if not 0 <= number <= 100:
        return f"Điểm {number:g} nằm ngoài khoảng 0–100."
    return round(number, 1)


def import_scores(db: Session, who: Principal, test_id: int, content: bytes, *, dry_run: bool,
                  filename: str = "") -> ScoresReport:
    """Paper scores of one test from the prefilled sheet; a blank score leaves that person as they were."""
    t = _test(db, who, test_id)
    report = ScoresReport(dry_run=dry_run)
    table = read_table(content, get_settings().import_max_bytes, COLUMNS)
    if table.errors:
        report.errors = table.errors
        return report
    report.errors = list(table.formulas)
    by_cid = {tr.citizen_id: (e, tr) for e, tr in _seated(db, t.course_id)}
    scores: dict[int, float] = {}
    seen: dict[int, int] = {}
    for row, raw in table.rows:
        found = match_class_member(row, raw, by_cid, HEADER, report.errors,
                                   "Số CCCD này không có trong danh sách học viên của khoá học.")
        if found is None:
            continue
        e, tr = found
        if e.id in seen:
            report.errors.append(RowError(row, HEADER["citizen_id"], f"Người này đã có ở dòng {seen[e.id]}."))
            continue
        seen[e.id] = row
        score = _score(raw.get("score"))
        if isinstance(score, str):
            report.errors.append(RowError(row, HEADER["score"], score))
        elif score is not None:
            scores[e.id] = score
    report.errors.sort(key=lambda x: (x.row, x.column))
    report.scores = len(scores)
    if report.errors or dry_run:
        return report
    now = utcnow()
    existing = {a.enrolment_id: a for a in db.scalars(select(Attempt).where(
        Attempt.test_id == t.id, Attempt.source == "paper", Attempt.enrolment_id.in_(list(scores))))}
    numbers = dict(db.execute(select(Attempt.enrolment_id, func.max(Attempt.number)).where(
        Attempt.test_id == t.id, Attempt.enrolment_id.in_(list(scores))).group_by(Attempt.enrolment_id)).all())
    for enrolment_id, score in scores.items():
        a = existing.get(enrolment_id)
        if a is None:
            a = Attempt(test_id=t.id, enrolment_id=enrolment_id, number=(numbers.get(enrolment_id) or 0) + 1,
                        source="paper", questions=[], answers=[], started_at=now)
            db.add(a)
        a.points, a.total, a.percent, a.submitted_at = score, 100.0, score, now
    db.flush()
    audit.record(db, who, "test.paper_import", "course_test", t.id, {"file": filename[:200], "scores": len(scores)})
    return report


def template_xlsx(db: Session, who: Principal, test_id: int) -> bytes:
    """Every participant with their paper score so far, for the trainer to fill in."""
    t = _test(db, who, test_id)
    paper = {a.enrolment_id: a.percent for a in db.scalars(select(Attempt).where(
        Attempt.test_id == t.id, Attempt.source == "paper"))}
    wb = Workbook()
    ws = wb.active
    ws.title = "Điểm"
    ws.append([c.header + (" *" if c.required else "") for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for e, tr in _seated(db, t.course_id):
        ws.append([tr.citizen_id, safe_cell(tr.full_name), paper.get(e.id)])
    for r in range(2, ws.max_row + 1):
        ws[f"A{r}"].number_format = "@"
    for letter, width in zip("ABC", (16, 32, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return to_bytes(wb)
