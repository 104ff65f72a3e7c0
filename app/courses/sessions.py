"""Sessions and lecturers: plan who teaches what, when and where; the conflict checks run on every change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.auth import scope
from app.auth.models import Role, User
from app.auth.principal import Principal
from app.core.text import clean_name
from app.courses import rules
from app.courses.models import CourseSession, Lecturer
from app.courses.service import ensure_may_manage, get_course
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.places import service as places


@dataclass
class SessionInput:
    session_date: date
    part_of_day: str
    start_time: time | None
    end_time: time | None
    module_ids: list[int]
    lecturer_id: int | None
    room: str | None
    online_link: str | None
    topics_note: str | None = None


def lecturers(db: Session, who: Principal) -> list[Lecturer]:
    """Lecturers on the lists of the caller's unit (an admin sees every list)."""
    stmt = select(Lecturer).order_by(Lecturer.full_name)
    if not who.is_admin:
        stmt = stmt.where(Lecturer.unit_id.in_(places.unit_ids_within(db, who.unit_id)))
    return list(db.scalars(stmt))


def create_lecturer(db: Session, who: Principal, *, full_name: str, title: str = "", organisation: str = "",
                    email: str | None = None, phone: str | None = None, username: str | None = None) -> Lecturer:
    """Add a lecturer to the caller's list; `username` links an existing trainer account."""
    if who.role not in (Role.ADMIN, Role.ORGANISER):
        raise Forbidden()
    if who.unit_id is None:
        raise Invalid("unit_required", "Tài khoản quản trị chưa gắn đơn vị: hãy thêm giảng viên bằng tài khoản cán "
                      "bộ tổ chức của đơn vị.", field="unit")
    name = clean_name(full_name)
    if not name:
        raise Invalid("name_required", "Cần nhập họ tên giảng viên.", field="full_name")
    user_id = None
    if username:
        user = db.scalar(select(User).where(User.username == username.strip().lower()))
        # Only an account of the caller's own unit: one elsewhere is not theirs to claim (linking it would also
        # stop its own organiser from ever linking it), so it answers as if it did not exist.
        if user is None or not scope.may_see_account(db, who, user):
            raise Invalid("user_not_found", f"Không có tài khoản “{username}”.", field="username")
        user_id = user.id
        if db.scalar(select(Lecturer.id).where(Lecturer.user_id == user_id)) is not None:
            raise Conflict("lecturer_exists", "Tài khoản này đã gắn với một giảng viên.", field="username")
    unit_id = who.unit_id
    lecturer = Lecturer(full_name=name, title=title.strip(), organisation=organisation.strip(),
                        email=(email or "").strip() or None, phone=(phone or "").strip() or None, user_id=user_id,
                        unit_id=unit_id)
    db.add(lecturer)
    db.flush()
    audit.record(db, who, "lecturer.create", "lecturer", lecturer.id, {"full_name": name, "user": username})
    return lecturer


def _lecturer_for(db: Session, who: Principal, lecturer_id: int | None) -> Lecturer | None:
    if lecturer_id is None:
        return None
    lecturer = db.get(Lecturer, lecturer_id)
    if lecturer is None or not scope.may_manage_unit(db, who, lecturer.unit_id):
        raise Invalid("lecturer_not_found", "Không tìm thấy giảng viên trong danh sách của đơn vị.",
                      field="lecturer_id")
    return lecturer


def _apply(db: Session, who: Principal, course_id: int, session: CourseSession, data: SessionInput) -> None:
    course = get_course(db, who, course_id)
    try:
        start, end = rules.session_times(data.part_of_day, data.start_time, data.end_time)
    except ValueError as err:
        raise Invalid("times_invalid", str(err), field="start_time") from None
    by_id = {m.id: m for m in course.modules}
    unknown = [i for i in data.module_ids if i not in by_id]
    if unknown:
        raise Invalid("module_not_in_course", "Chuyên đề không thuộc khoá học này.", field="module_ids")
    if not data.module_ids:
        raise Invalid("module_required", "Cần chọn ít nhất một chuyên đề cho buổi học.", field="module_ids")
    if end <= start:
        raise Invalid("times_invalid", "Giờ kết thúc phải sau giờ bắt đầu.", field="end_time")
    _lecturer_for(db, who, data.lecturer_id)
    link = (data.online_link or "").strip() or None
    if link and not link.startswith(("https://", "http://")):
        raise Invalid("link_invalid", "Đường dẫn trực tuyến phải bắt đầu bằng https://", field="online_link")
    session.session_date, session.part_of_day = data.session_date, data.part_of_day
    session.start_time, session.end_time = start, end
    session.lecturer_id = data.lecturer_id
    session.room = (data.room or "").strip() or None
    session.online_link = link
    session.topics_note = (data.topics_note or "").strip() or None
    session.modules = [by_id[i] for i in data.module_ids]


def add_session(db: Session, who: Principal, course_id: int, data: SessionInput) -> CourseSession:
    """Plan a session. Problems that do not make it meaningless (outside the dates, a clash) are warnings shown on
    the course page and block opening registration; they do not stop the organiser from typing the plan in."""
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    _ensure_plannable(course)
    session = CourseSession(course_id=course.id)
    _apply(db, who, course_id, session, data)
    course.sessions.append(session)
    db.flush()
    audit.record(db, who, "session.create", "course", course.id, _describe(session))
    return session


def update_session(db: Session, who: Principal, course_id: int, session_id: int, data: SessionInput) -> CourseSession:
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    _ensure_plannable(course)
    session = _session_of(course, session_id)
    before = _describe(session)
    _apply(db, who, course_id, session, data)
    session.sequence += 1  # calendar apps replace the event they have
    db.flush()
    audit.record(db, who, "session.update", "course", course.id, {"before": before, "after": _describe(session)})
    return session


def delete_session(db: Session, who: Principal, course_id: int, session_id: int) -> None:
    course = get_course(db, who, course_id)
    ensure_may_manage(db, who, course)
    _ensure_plannable(course)
    session = _session_of(course, session_id)
    before = _describe(session)
    course.sessions.remove(session)
    db.flush()
    audit.record(db, who, "session.delete", "course", course.id, before)


def _session_of(course, session_id: int) -> CourseSession:  # noqa: ANN001
    session = next((s for s in course.sessions if s.id == session_id), None)
    if session is None:
        raise NotFound("Không tìm thấy buổi học.", code="session_not_found")
    return session


def _ensure_plannable(course) -> None:  # noqa: ANN001
    if course.status in (rules.Status.FINISHED, rules.Status.CLOSED, rules.Status.CANCELLED):
        label = rules.STATUS_LABELS[course.status][0]
        raise Conflict("course_frozen", f"Khoá học ở trạng thái “{label}”: không sửa lịch học được nữa.")


def _describe(s: CourseSession) -> dict:
    return {"session": s.id, "date": s.session_date, "start": s.start_time.isoformat(timespec="minutes"),
            "end": s.end_time.isoformat(timespec="minutes"), "lecturer": s.lecturer_id, "room": s.room,
            "modules": [m.code for m in s.modules]}

