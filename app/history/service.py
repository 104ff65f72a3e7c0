"""Past courses: a course that already took place, recorded after the fact (a 2023 course of a former Bắc Giang
commune, say) — its details and dates, sessions, participants with their attendance and results — without the
registration window, and then finished, so that certificates are issued and reports count it as for any course.

Each step is a use case of its own, audited, shared by the guided pages and the API:
``create`` → sessions (``app.courses.sessions``) → ``record_participants`` or ``import_participants`` →
``finish``. The course stays a draft (invisible to trainees) while it is being recorded, is marked
``recorded_after``, and goes straight to finished.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.attendance import service as attendance
from app.auth.principal import Principal
from app.config import get_settings
from app.core.spreadsheet import Column, RowError, mark_example_row, read_table, to_bytes
from app.core.text import fold
from app.courses import rules as course_rules
from app.courses import service as courses
from app.courses.models import Course
from app.db import utcnow
from app.enrolment.facts import record_facts
from app.enrolment.models import Enrolment
from app.enrolment.rules import EnrolmentStatus
from app.errors import Conflict, Invalid, NotFound
from app.history import rules
from app.people import service as people
from app.people.fields import COLUMNS as PERSON_COLUMNS
from app.people.fields import UnitResolver, parse
from app.people.models import Trainee

VN = ZoneInfo("Asia/Ho_Chi_Minh")
RECORDED = {"code": "recorded_after", "vi": "Ghi nhận sau khi khoá học đã diễn ra",
            "en": "Recorded after the course took place"}
# The participants sheet: the officials' columns (only the citizen ID and the name are needed for someone already
# on record; the rest when the person is new), then the attendance and the result.
ATTENDED = Column("attended", "Số buổi có mặt", True, "2", ("so buoi", "co mat", "so buoi tham du"))
PASSED = Column("passed", "Kết quả kiểm tra", False, "Đạt", ("kiem tra", "ket qua", "danh gia"))
COLUMNS: tuple[Column, ...] = tuple(
    Column(c.key, c.header, c.key in ("citizen_id", "full_name"), c.example, c.aliases) for c in PERSON_COLUMNS
) + (ATTENDED, PASSED)


def today_vn() -> date:
    return datetime.now(VN).date()


@dataclass
class PastCourseIn:
    curriculum: str
    title: str
    unit: str | None
    start_date: date | None
    end_date: date | None
    venue: str = ""
    organising_body: str = ""
    signer_title: str = ""
    signer_name: str = ""
    places: list[str] = field(default_factory=list)
    min_attendance_share: float | None = None


def _refuse(problems) -> None:  # noqa: ANN001
    if problems:
        field_name = "end_date" if problems[0].code == "not_past" else "start_date"
        raise Invalid(problems[0].code, "; ".join(p.vi for p in problems), field=field_name)


def create(db: Session, who: Principal, data: PastCourseIn) -> Course:
    """Step 1: the course as it took place, numbered in its own year, for the places it was for."""
    _refuse(rules.date_problems(data.start_date, data.end_date, today_vn()))
    course = courses.create_course(db, who, curriculum_code=data.curriculum, title=data.title,
                                   unit_key=data.unit or None, year=data.start_date.year)
    changes = {"start_date": data.start_date, "end_date": data.end_date, "venue": data.venue.strip() or None,
               "organising_body": data.organising_body.strip(), "signer_title": data.signer_title.strip(),
               "signer_name": data.signer_name.strip()}
    if data.min_attendance_share is not None:
        changes["min_attendance_share"] = data.min_attendance_share
    courses.update_course(db, who, course.id, changes)
    courses.set_places(db, who, course.id, data.places or [course.unit.key])
    course.recorded_after = True
    db.flush()
    audit.record(db, who, "course.record_past", "course", course.id,
                 {"start": data.start_date, "end": data.end_date, "unit": course.unit.key})
    return courses.get_course(db, who, course.id)


def recording(db: Session, who: Principal, course_id: int) -> Course:
    """A past course being recorded, which the caller manages (a finished one is corrected as any course is)."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    if not course.recorded_after:
        raise Conflict("not_past_course", "Khoá học này được lập kế hoạch và đăng ký như thường lệ, không phải khoá "
                                          "học ghi nhận sau khi đã tổ chức.")
    if course.status != course_rules.Status.DRAFT:
        label = course_rules.STATUS_LABELS[course.status][0]
        raise Conflict("course_frozen", f"Khoá học đã ở trạng thái “{label}”: việc ghi nhận đã xong.")
    return course


def participants(db: Session, who: Principal, course_id: int) -> list[tuple[Enrolment, Trainee, int]]:
    """Who took part, with the sessions each attended (for the guided page)."""
    g = attendance.grid(db, who, course_id)
    return [(e, t, sum(1 for s in g.sessions if (m := g.marks.get((s.id, e.id))) and m.status != "absent"))
            for e, t in g.rows]


@dataclass
class Participant:
    trainee: Trainee
    attended: int
    passed: bool | None = None


def _enrol(db: Session, who: Principal, course: Course, people_: list[Participant]) -> int:
    """Enrol everyone as confirmed (no window, no seat count: they were there) and write their attendance."""
    session_ids = [s.id for s in course.sessions]
    current = {e.trainee_id: e for e in db.scalars(select(Enrolment).where(Enrolment.course_id == course.id))}
    start = datetime.combine(course.start_date, time(7, 30), tzinfo=VN) if course.start_date else utcnow()
    added = 0
    for p in people_:
        e = current.get(p.trainee.id)
        if e is None:
            e = Enrolment(course_id=course.id, trainee_id=p.trainee.id, status=EnrolmentStatus.CONFIRMED,
                          registered_at=start, decided_at=utcnow(), reasons=[RECORDED], nominated_by_id=who.user_id,
                          priority_rank=0, priority_sub_rank=0)
            db.add(e)
            db.flush()
            record_facts(db, e, p.trainee, course)
            audit.record(db, who, "enrolment.record_past", "enrolment", e.id,
                         {"course": course.code, "trainee": p.trainee.id})
            current[p.trainee.id] = e
            added += 1
        if p.passed is not None and e.assessment_passed != p.passed:
            e.assessment_passed = p.passed
    db.flush()
    marks = [{"session_id": sid, "enrolment_id": current[p.trainee.id].id, "status": status}
             for p in people_ for sid, status in rules.marks_for(p.attended, session_ids).items()]
    attendance.record_marks(db, who, course.id, marks, method="import")
    return added


def _need_sessions(course: Course) -> None:
    if not course.sessions:
        raise Conflict("no_sessions", "Hãy nhập các buổi học của khoá học trước khi ghi người tham dự.")


def record_participants(db: Session, who: Principal, course_id: int, items: list[dict]) -> int:
    """Step 3 (JSON): people already on record, each with the sessions attended and, optionally, the result."""
    course = recording(db, who, course_id)
    _need_sessions(course)
    out = []
    for i, item in enumerate(items):
        try:
            t = people.get_trainee(db, who, int(item["trainee_id"]))
        except NotFound:
            t = None
        if t is None:
            raise Invalid("trainee_not_found", f"Dòng {i + 1}: không tìm thấy học viên trong đơn vị bạn phụ trách.",
                          field=f"participants[{i}].trainee_id")
        attended, problem = rules.attended_problem(item.get("attended"), len(course.sessions))
        if problem:
            raise Invalid(problem.code, f"Dòng {i + 1}: {problem.vi}", field=f"participants[{i}].attended")
        out.append(Participant(t, attended, item.get("passed")))
    return _enrol(db, who, course, out)


@dataclass
class ImportReport:
    dry_run: bool = True
    new_people: int = 0
    known_people: int = 0
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "new_people": self.new_people, "known_people": self.known_people,
                "rows": self.rows, "errors": [e.as_dict() for e in self.errors],
                "imported": not self.dry_run and not self.errors}


def _passed(value: object) -> tuple[bool | None, bool]:
    word = fold(str(value or "")).strip(" .")
    if not word:
        return None, True
    return rules.PASSED_WORDS.get(word), word in rules.PASSED_WORDS


def import_participants(db: Session, who: Principal, course_id: int, content: bytes, *, dry_run: bool,
                        lawful_basis_confirmed: bool = False, filename: str = "") -> ImportReport:
    """Step 3 (spreadsheet): participants and their marks; all or nothing. Someone not yet on record is added
    (a commune may be named as it was then: "Đại Lâm", "Bắc Giang"); someone already on record is found by citizen
    ID. The preview (`dry_run`) changes nothing."""
    course = recording(db, who, course_id)
    _need_sessions(course)
    report = ImportReport(dry_run=dry_run)
    table = read_table(content, get_settings().import_max_bytes, COLUMNS)
    if table.errors:
        report.errors = table.errors
        return report
    report.errors = list(table.formulas)
    header = {c.key: c.header for c in COLUMNS}
    cids = [str(raw.get("citizen_id") or "").replace(" ", "").strip() for _, raw in table.rows]
    known = people.by_citizen_ids(db, who, [c for c in cids if c])
    elsewhere = set(db.scalars(select(Trainee.citizen_id).where(Trainee.citizen_id.in_(
        [c for c in cids if c and c not in known])))) if cids else set()
    resolver = UnitResolver(db, allow_former=True)
    todo: list[tuple[Trainee | None, object, int, bool | None, int]] = []
    seen: dict[str, int] = {}
    for (row, raw), cid in zip(table.rows, cids, strict=True):
        attended, problem = rules.attended_problem(raw.get("attended"), len(course.sessions))
        if problem:
            report.errors.append(RowError(row, header["attended"], problem.vi))
        passed, ok = _passed(raw.get("passed"))
        if not ok:
            report.errors.append(RowError(row, header["passed"], "Kết quả kiểm tra ghi Đạt hoặc Không đạt (hoặc để "
                                                                 "trống)."))
        if cid in seen:
            report.errors.append(RowError(row, header["citizen_id"], f"Số CCCD trùng với dòng {seen[cid]} trong tệp."))
            continue
        seen[cid] = row
        if cid in known:
            todo.append((known[cid], None, attended or 0, passed, row))
            continue
        if cid in elsewhere:
            report.errors.append(RowError(row, header["citizen_id"], "Số CCCD này thuộc học viên của đơn vị khác."))
            continue
        data, errors = parse(raw, resolver, today_vn())
        report.errors += [RowError(row, header[e.field], e.message) for e in errors]
        if data is not None:
            todo.append((None, data, attended or 0, passed, row))
    report.errors.sort(key=lambda e: e.row)
    report.new_people = sum(1 for t, *_ in todo if t is None)
    report.known_people = len(todo) - report.new_people
    for t, data, attended, passed, row in todo:
        report.rows.append({"row": row, "name": t.full_name if t else data.full_name, "new": t is None,
                            "attended": attended, "sessions": len(course.sessions), "passed": passed})
    if report.errors or dry_run:
        return report
    if report.new_people and not lawful_basis_confirmed:
        raise Invalid("lawful_basis_required", "Cần xác nhận căn cứ hợp pháp để xử lý dữ liệu cá nhân của những "
                      "người mới trước khi nhập.", field="lawful_basis_confirmed")
    out = []
    for t, data, attended, passed, _row in todo:
        out.append(Participant(t or people.create_trainee(db, who, data), attended, passed))
    _enrol(db, who, course, out)
    audit.record(db, who, "course.import_participants", "course", course.id,
                 {"file": filename[:200], "new_people": report.new_people, "known_people": report.known_people})
    return report


def template_xlsx(db: Session, who: Principal, course_id: int) -> bytes:
    """The participants sheet to fill: the officials' columns, sessions attended, result; an example row."""
    course = recording(db, who, course_id)
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    for i, col in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i, value=col.header + (" *" if col.required else "")).font = Font(bold=True)
        ws.cell(row=2, column=i, value=col.example)
    mark_example_row(ws, 2, len(COLUMNS))
    ws.cell(row=1, column=len(COLUMNS) + 2, value=f"{course.code}: {len(course.sessions)} buổi học")
    for r in range(2, 2002):
        ws.cell(row=r, column=[c.key for c in COLUMNS].index("citizen_id") + 1).number_format = "@"
    return to_bytes(wb)


def finish(db: Session, who: Principal, course_id: int) -> Course:
    """Step 4: completion by the course's own rule, then straight to finished; certificates are issued next."""
    course = recording(db, who, course_id)
    _need_sessions(course)
    if not db.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id)):
        raise Conflict("no_participants", "Khoá học chưa có người tham dự nào.")
    done, not_done = attendance.record_results(db, who, course.id)
    course.status = course_rules.Status.FINISHED
    db.flush()
    audit.record(db, who, "course.record_past_finish", "course", course.id,
                 {"status": [course_rules.Status.DRAFT, course_rules.Status.FINISHED], "completed": done,
                  "not_completed": not_done})
    return courses.get_course(db, who, course.id)
