"""Attendance use cases: the grid, recording marks (roll call, bulk, import), self check-in with a rotating code,
the completion list and recording the results on the enrolments."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.assessment import rules as assessment_rules
from app.assessment import service as assessment
from app.attendance import rules
from app.attendance.models import AttendanceMark
from app.auth import scope
from app.auth.principal import Principal
from app.config import get_settings
from app.core.text import is_digits
from app.courses import service as courses
from app.courses.calendar import VN
from app.courses.models import Course, CourseSession, Lecturer
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.enrolment.rules import SEATED, EnrolmentStatus
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.notify.service import notify
from app.people import service as people
from app.people.models import Trainee
from app.places import service as places


def ensure_may_take(db: Session, who: Principal, course: Course) -> None:
    """Organisers of the course's unit, admins, and the lecturers who teach in it take attendance."""
    if scope.may_manage_course(db, who, course):
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
        .where(Enrolment.course_id == course.id, Enrolment.status.in_(SEATED))
        .options(places.with_chain(selectinload(Trainee.unit))).order_by(Trainee.search_name))]
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
    # In enrolment order: each write locks its enrolment for its results (app.enrolment.results), and two roll calls
    # of one course at once then take those locks in the same order.
    for m in sorted(marks, key=lambda m: (m["enrolment_id"], m["session_id"])):
        key = (m["session_id"], m["enrolment_id"])
        current = g.marks.get(key)
        note = (m.get("note") or "").strip() or None
        before = None
        if current is None:
            current = AttendanceMark(session_id=key[0], enrolment_id=key[1], status=m["status"], note=note,
                                     method=method, recorded_by_id=who.user_id)
            try:
                with db.begin_nested():
                    db.add(current)
                    db.flush()
            except IntegrityError:
                # Marked at the same instant by someone else (a second phone, or the person's own check-in), who
                # committed first: this mark came later, so it corrects that one, as a correction would.
                current = db.scalar(select(AttendanceMark).where(AttendanceMark.session_id == key[0],
                                                                 AttendanceMark.enrolment_id == key[1])
                                    .execution_options(populate_existing=True))
                before = current.status
            g.marks[key] = current
        else:
            before = current.status
        if before is not None:
            if (current.status, current.note) == (m["status"], note):
                continue
            current.status, current.note, current.method = m["status"], note, method
            current.recorded_by_id, current.recorded_at = who.user_id, utcnow()
            db.flush()
        audit.record(db, who, "attendance.mark", "attendance_mark", current.id,
                     {"session": key[0], "enrolment": key[1], "status": [before, m["status"]], "method": method})
        changed += 1
    return changed


def course_rule(course: Course) -> rules.CompletionRule:
    return rules.CompletionRule(min_attendance_share=course.min_attendance_share,
                                late_counts_as_present=course.late_counts_as_present,
                                excused_counts=course.excused_counts, assessment_required=course.assessment_required)


def completion_list(db: Session, who: Principal, course_id: int
                    ) -> list[tuple[Enrolment, Trainee, rules.Completion]]:
    """Everyone on the course with their attendance and whether they completed, by the course's own rule."""
    return _completions(db, grid(db, who, course_id))


def _completions(db: Session, g: Grid) -> list[tuple[Enrolment, Trainee, rules.Completion]]:
    rule = course_rule(g.course)
    session_ids = [s.id for s in g.sessions]
    required = g.course.post_test_min_percent
    # A course that requires a post-test score judges the test by the best score (online or paper), not by hand.
    best = assessment.best_percent(db, [e.id for e, _ in g.rows], "post") if required is not None else {}
    out = []
    for e, t in g.rows:
        marks = {sid: g.marks[(sid, e.id)].status for sid in session_ids if (sid, e.id) in g.marks}
        if required is None:
            c = rules.completion(rule, marks, session_ids, e.assessment_passed)
        else:
            why = assessment_rules.score_requirement(required, best.get(e.id))
            c = rules.completion(replace(rule, assessment_required=True), marks, session_ids, why is None,
                                 (why.vi, why.en) if why else None)
        out.append((e, t, c))
    return out


def record_results(db: Session, who: Principal, course_id: int) -> tuple[int, int]:
    """Write the completion list onto the enrolments (completed / not completed, with the share and the reason).

    Run again after a correction, it recomputes; certificates are issued only to `completed` enrolments.
    """
    g = grid(db, who, course_id)
    if not g.sessions:
        raise Conflict("no_sessions", "Khoá học chưa có buổi học nào, chưa thể chốt kết quả.")
    now = utcnow()
    done = not_done = 0
    for e, t, c in _completions(db, g):
        status = EnrolmentStatus.COMPLETED if c.completed else EnrolmentStatus.NOT_COMPLETED
        done, not_done = done + c.completed, not_done + (not c.completed)
        kept = [r for r in e.reasons if r.get("code") != "result"]
        result = {"code": "result", "vi": c.reason_vi, "en": c.reason_en}
        if (e.status, e.attendance_share) == (status, round(c.share, 4)) and result in e.reasons:
            continue
        before = e.status
        e.status, e.attendance_share, e.completed_at = status, round(c.share, 4), now
        e.reasons = [result, *kept]
        audit.record(db, who, "enrolment.result", "enrolment", e.id,
                     {"status": [before, status], "share": e.attendance_share, "reason": c.reason_vi})
        label = "Hoàn thành khoá học" if c.completed else "Chưa hoàn thành khoá học"
        notify(db, t.user_id, f"{g.course.code}: {label}", f"{g.course.title}. {c.reason_vi}",
               link=f"/courses/{g.course.id}", email=t.email)
    return done, not_done


def set_assessment(db: Session, who: Principal, course_id: int, enrolment_id: int, passed: bool | None) -> Enrolment:
    g = grid(db, who, course_id)
    e = next((e for e, _ in g.rows if e.id == enrolment_id), None)
    if e is None:
        raise NotFound("Không tìm thấy học viên này trong khoá học.", code="enrolment_not_found")
    if e.assessment_passed != passed:
        audit.record(db, who, "enrolment.assessment", "enrolment", e.id, {"passed": [e.assessment_passed, passed]})
        e.assessment_passed = passed
    return e


def unmark(db: Session, who: Principal, course_id: int, session_id: int, enrolment_id: int) -> bool:
    """Undo a mark (back to "not marked"); the audit trail keeps what it was."""
    g = grid(db, who, course_id)
    current = g.marks.get((session_id, enrolment_id))
    if current is None:
        return False
    audit.record(db, who, "attendance.unmark", "attendance_mark", current.id,
                 {"session": session_id, "enrolment": enrolment_id, "status": [current.status, None]})
    db.delete(current)  # through the session, so that the enrolment's results follow (app.enrolment.results)
    db.flush()
    del g.marks[(session_id, enrolment_id)]
    return True


# --- self check-in ------------------------------------------------------------------------------------------------


class CheckInRefused(DomainError):
    status = 409

    def __init__(self, refusal: rules.CheckInRefusal, at: datetime | None = None) -> None:
        super().__init__(refusal.value, rules.REFUSAL_TEXT[refusal])
        self.refusal = refusal
        self.at = at  # when check-in opens (not open yet) or when the session ended (closed)

    def as_json(self) -> dict:
        return {**super().as_json(), **({"at": self.at.isoformat()} if self.at else {})}


@dataclass(frozen=True)
class CheckIn:
    mark: AttendanceMark
    session: CourseSession
    course: Course
    already: bool  # the person had checked in before: the same answer again


def _secret() -> bytes:
    return hashlib.sha256(b"nangluc-check-in:" + get_settings().resolved_secret_key().encode()).digest()


def window(course: Course, s: CourseSession) -> rules.CheckInWindow:
    return rules.CheckInWindow(starts=datetime.combine(s.session_date, s.start_time, VN),
                               ends=datetime.combine(s.session_date, s.end_time, VN),
                               late_after_minutes=course.late_after_minutes)


def current_code(db: Session, who: Principal, course_id: int, session_id: int, now: datetime | None = None
                 ) -> tuple[str, str]:
    """The code the trainer's screen shows now, and the address the QR holds (for those who take attendance)."""
    g = grid(db, who, course_id)
    s = next((x for x in g.sessions if x.id == session_id), None)
    if s is None:
        raise NotFound("Không tìm thấy buổi học.", code="session_not_found")
    code = rules.make_code(_secret(), s.id, (now or utcnow()).timestamp())
    return code, f"{get_settings().public_url}/check-in/{code}"


def _scan_signer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().resolved_secret_key(), salt="check-in-scan")


def scan_token(code: str, now: datetime | None = None) -> str:
    """A token saying "this phone showed us `code` at this moment" (how long it counts: rules.judged_at)."""
    return _scan_signer().dumps([code[:100], int((now or utcnow()).timestamp())])


def scan_moment(token: str | None, code: str) -> datetime | None:
    """When the scan vouched for by `token` happened, if the token is ours and for this very code."""
    if not token:
        return None
    try:
        signed_code, epoch = _scan_signer().loads(token[:400])
        at = datetime.fromtimestamp(int(epoch), UTC)
    except (BadSignature, ValueError, TypeError, OverflowError, OSError):
        return None
    return at if signed_code == code else None


def session_of_code(code: str) -> int | None:
    head = code.split(".", 1)[0]
    return int(head) if is_digits(head) and len(head) <= 12 else None


def scanned(db: Session, who: Principal, code: str, now: datetime | None = None
            ) -> tuple[CourseSession | None, Course | None, str | None]:
    """The session a scanned code names, its course, and why the code is no good (None when it is).

    The session is described only when the code is one we made for it (fresh or stale) and the caller may see its
    course: a made-up code names no session, so that no one can read sessions (another province's draft) by id."""
    invalid = None, None, rules.REFUSAL_TEXT[rules.CheckInRefusal.CODE_INVALID]
    session_id = session_of_code(code)
    s = db.get(CourseSession, session_id) if session_id else None
    if s is None:
        return invalid
    refusal = rules.read_code(_secret(), code, s.id, (now or utcnow()).timestamp())
    course = db.get(Course, s.course_id)
    if refusal == rules.CheckInRefusal.CODE_INVALID or not scope.may_see_session(db, who, course):
        return invalid
    return s, course, rules.REFUSAL_TEXT[refusal] if refusal else None


@dataclass(frozen=True)
class _Scan:
    session: CourseSession
    course: Course
    enrolment: Enrolment | None
    existing: AttendanceMark | None
    outcome: str  # the mark a check-in now earns


def _assess(db: Session, who: Principal, session_id: int, code: str, now: datetime) -> _Scan:
    """Every check of a scan, in the order that tells the person the most useful thing first: a forged or stale
    code, then the session's times, then whether they are on the course. Raises CheckInRefused."""
    s = db.get(CourseSession, session_id)
    if s is None:  # a made-up code: say no more than that
        raise CheckInRefused(rules.CheckInRefusal.CODE_INVALID)
    refusal = rules.read_code(_secret(), code, session_id, now.timestamp())
    if refusal is not None:
        raise CheckInRefused(refusal)
    course = db.get(Course, s.course_id)
    if not scope.may_see_session(db, who, course):
        raise CheckInRefused(rules.CheckInRefusal.CODE_INVALID)
    t = people.own_record(db, who, with_place=False)
    e = None if t is None else db.scalar(select(Enrolment).where(Enrolment.course_id == course.id,
                                                                 Enrolment.trainee_id == t.id))
    existing = None if e is None else db.scalar(select(AttendanceMark).where(
        AttendanceMark.session_id == s.id, AttendanceMark.enrolment_id == e.id))
    if existing is not None and existing.status in (rules.Mark.PRESENT, rules.Mark.LATE):
        return _Scan(s, course, e, existing, existing.status)
    w = window(course, s)
    outcome = rules.check_in_status(w, now, e is not None and e.status in SEATED)
    if isinstance(outcome, rules.CheckInRefusal):
        raise CheckInRefused(outcome, {rules.CheckInRefusal.NOT_OPEN_YET: w.opens,
                                       rules.CheckInRefusal.CLOSED: w.ends}.get(outcome))
    return _Scan(s, course, e, existing, outcome)


def may_check_in(db: Session, who: Principal, code: str, now: datetime | None = None,
                 scanned_at: datetime | None = None) -> tuple[CourseSession | None, Course | None, CheckIn | None]:
    """What the scan page shows before the person confirms: raises CheckInRefused with the reason, or returns the
    session (and the earlier check-in when there is one). Writes nothing."""
    session_id = session_of_code(code) or 0
    scan = _assess(db, who, session_id, code, rules.judged_at(now or utcnow(), scanned_at))
    already = None
    if scan.existing is not None and scan.existing.status == scan.outcome and scan.existing.method == "check_in":
        already = CheckIn(scan.existing, scan.session, scan.course, already=True)
    return scan.session, scan.course, already


def check_in(db: Session, who: Principal, session_id: int, code: str, now: datetime | None = None,
             scanned_at: datetime | None = None) -> CheckIn:
    """A signed-in trainee scanned `code` for `session_id`: mark them present or late, or say why not.
    A second scan answers with the first mark. `scanned_at` (from `scan_moment`) judges the code, the session's
    times and lateness at the moment of the scan, and is the time the mark records."""
    now = rules.judged_at(now or utcnow(), scanned_at)
    scan = _assess(db, who, session_id, code, now)
    s, course, e, existing, outcome = scan.session, scan.course, scan.enrolment, scan.existing, scan.outcome
    if existing is not None and existing.status in (rules.Mark.PRESENT, rules.Mark.LATE):
        return CheckIn(existing, s, course, already=True)
    if existing is not None:  # marked absent or excused by the trainer, then scanned in: the scan is the evidence
        before = existing.status
        existing.status, existing.method, existing.recorded_by_id, existing.recorded_at = (
            outcome, "check_in", who.user_id, now)
        mark = existing
    else:
        before = None
        mark = AttendanceMark(session_id=s.id, enrolment_id=e.id, status=outcome, method="check_in",
                              recorded_by_id=who.user_id, recorded_at=now)
        try:
            with db.begin_nested():
                db.add(mark)
                db.flush()
        except IntegrityError:  # two scans at the same instant: the first one stands
            won = db.scalar(select(AttendanceMark).where(AttendanceMark.session_id == s.id,
                                                         AttendanceMark.enrolment_id == e.id))
            return CheckIn(won, s, course, already=True)
    db.flush()
    audit.record(db, who, "attendance.check_in", "attendance_mark", mark.id,
                 {"session": s.id, "enrolment": e.id, "status": [before, outcome], "method": "check_in"})
    return CheckIn(mark, s, course, already=False)
