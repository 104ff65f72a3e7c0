"""Attendance use cases: the grid, recording marks (roll call, bulk), the completion list."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.attendance import rules
from app.attendance.models import AttendanceMark
from app.auth.models import Role
from app.auth.principal import Principal
from app.courses import service as courses
from app.courses.models import Course, CourseSession, Lecturer
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.enrolment.rules import EnrolmentStatus
from app.errors import Forbidden, Invalid, NotFound
from app.people.models import Trainee
from app.places import service as places


def ensure_may_take(db: Session, who: Principal, course: Course) -> None:
    """Organisers of the course's unit, admins, and the lecturers who teach in it take attendance."""
    if who.is_admin or (who.role == Role.ORGANISER and places.is_within(db, course.unit_id, who.unit_id)):
        return
    teaches = db.scalar(select(CourseSession.id).join(Lecturer, Lecturer.id == CourseSession.lecturer_id)
                        .where(CourseSession.course_id == course.id, Lecturer.user_id == who.user_id).limit(1))
    if who.user_id is None or teaches is None:
        raise Forbidden("Chỉ cán bộ tổ chức và giảng viên của khoá học mới điểm danh.")


@dataclass
class Grid:
    course: Course
    sessions: list[CourseSession]
    rows: list[tuple[Enrolment, Trainee]]
    marks: dict[tuple[int, int], AttendanceMark]  # (session id, enrolment id)


def grid(db: Session, who: Principal, course_id: int) -> Grid:
    course = courses.get_course(db, who, course_id)
    ensure_may_take(db, who, course)
    rows = [(e, t) for e, t in db.execute(
        select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
        .where(Enrolment.course_id == course.id,
               Enrolment.status.in_([EnrolmentStatus.CONFIRMED, EnrolmentStatus.COMPLETED,
                                     EnrolmentStatus.NOT_COMPLETED]))
        .options(selectinload(Trainee.unit)).order_by(Trainee.search_name))]
    session_ids = [s.id for s in course.sessions]
    marks = {(m.session_id, m.enrolment_id): m for m in db.scalars(
        select(AttendanceMark).where(AttendanceMark.session_id.in_(session_ids)))} if session_ids else {}
    return Grid(course, list(course.sessions), rows, marks)


def record_marks(db: Session, who: Principal, course_id: int, marks: list[dict], method: str = "roll_call") -> int:
    """Record or correct marks in one go ({session_id, enrolment_id, status, note}); all or nothing."""
    g = grid(db, who, course_id)
    sessions = {s.id for s in g.sessions}
    enrolments = {e.id for e, _ in g.rows}
    for i, m in enumerate(marks):
        if m.get("session_id") not in sessions:
            raise NotFound(f"Buổi học ở dòng {i + 1} không thuộc khoá học.", code="session_not_found")
        if m.get("enrolment_id") not in enrolments:
            raise Invalid("not_confirmed", f"Dòng {i + 1}: người này chưa được xác nhận vào khoá học.",
                          field=f"marks[{i}].enrolment_id")
        if m.get("status") not in set(rules.Mark):
            raise Invalid("mark_invalid", f"Dòng {i + 1}: trạng thái điểm danh không hợp lệ.",
                          field=f"marks[{i}].status")
    changed = 0
    for m in marks:
        key = (m["session_id"], m["enrolment_id"])
        current = g.marks.get(key)
        note = (m.get("note") or "").strip() or None
        if current is None:
            current = AttendanceMark(session_id=key[0], enrolment_id=key[1], status=m["status"], note=note,
                                     method=method, recorded_by_id=who.user_id)
            db.add(current)
            g.marks[key] = current
            before = None
        elif (current.status, current.note) == (m["status"], note):
            continue
        else:
            before = current.status
            current.status, current.note, current.method = m["status"], note, method
            current.recorded_by_id, current.recorded_at = who.user_id, utcnow()
        db.flush()
        audit.record(db, who, "attendance.mark", "attendance_mark", current.id,
                     {"session": key[0], "enrolment": key[1], "status": [before, m["status"]], "method": method})
        changed += 1
    return changed


def completion_list(db: Session, who: Principal, course_id: int) -> list[tuple[Trainee, rules.Completion]]:
    g = grid(db, who, course_id)
    rule = rules.CompletionRule(min_attendance_share=g.course.min_attendance_share,
                                assessment_required=g.course.assessment_required)
    session_ids = [s.id for s in g.sessions]
    out = []
    for e, t in g.rows:
        marks = {sid: g.marks[(sid, e.id)].status for sid in session_ids if (sid, e.id) in g.marks}
        out.append((t, rules.completion(rule, marks, session_ids)))
    return out
