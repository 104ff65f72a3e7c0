"""A trainee's home: what is next for them, what they can join, where they wait and why, what they have earned.

Gathered from the services that own each part (enrolment, materials, certificates), so the home shows exactly what
"Khoá học của tôi", "Tài liệu của tôi" and "Chứng nhận" show, only shorter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.certificates import service as certificates
from app.courses.calendar import VN
from app.courses.models import Course, CourseSession
from app.db import utcnow
from app.enrolment import service as enrolment
from app.enrolment.models import Enrolment
from app.enrolment.rules import EnrolmentStatus
from app.materials import service as materials
from app.people import service as people

ON_COURSE = (EnrolmentStatus.CONFIRMED,)


@dataclass(frozen=True)
class Waiting:
    enrolment: Enrolment
    course: Course
    vi: str  # one sentence: the place and its reason
    en: str


@dataclass
class TraineeHome:
    has_record: bool
    next_session: CourseSession | None = None
    next_course: Course | None = None
    upcoming: list[tuple[Enrolment, Course]] = field(default_factory=list)  # confirmed or pending, not finished
    waiting: list[Waiting] = field(default_factory=list)
    joinable: list[Course] = field(default_factory=list)  # open to them now: each with a register button
    not_yet: int = 0  # open courses they cannot join (the reasons are on "Khoá học của tôi")
    materials: list[tuple[Course, int]] = field(default_factory=list)  # seated courses with their file count
    certificates: list = field(default_factory=list)
    awaiting: list[Course] = field(default_factory=list)  # completed, certificate not issued yet


def waitlist_sentence(position: int | None, reasons: list[dict]) -> tuple[str, str]:
    """"You are number 3 on the waitlist because the course is full (30 seats)." in both languages, from the reason
    recorded when the person was placed (the reason's words hold no position: that is a field, worked out when read;
    migration 0017_reasons took it out of reasons recorded before)."""
    first = next((r for r in reasons if str(r.get("code", "")).startswith("waitlisted")), None)
    why_vi = first["vi"] if first else ""
    why_en = first["en"] if first else ""
    where_vi = f"Bạn đang ở vị trí {position} trong danh sách chờ" if position else "Bạn đang trong danh sách chờ"
    where_en = f"You are number {position} on the waitlist" if position else "You are on the waitlist"
    if not why_vi:
        return where_vi + ".", where_en + "."
    return (f"{where_vi} vì {why_vi[:1].lower()}{why_vi[1:].rstrip('.')}.",
            f"{where_en} because {why_en[:1].lower()}{why_en[1:].rstrip('.')}.")


def next_session(db: Session, trainee_id: int, now: datetime | None = None
                 ) -> tuple[CourseSession, Course] | None:
    """The first session not yet over of a course the person has a confirmed seat on."""
    now = (now or utcnow()).astimezone(VN)
    rows = db.execute(
        select(CourseSession, Course).join(Course, Course.id == CourseSession.course_id)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.trainee_id == trainee_id, Enrolment.status.in_(ON_COURSE),
               Course.status.in_(("open", "running")), CourseSession.session_date >= now.date())
        .order_by(CourseSession.session_date, CourseSession.start_time).limit(5))
    for s, course in rows:
        if s.session_date > now.date() or s.end_time >= now.time().replace(tzinfo=None):
            return s, course
    return None


def for_trainee(db: Session, who: Principal) -> TraineeHome:
    t = people.own_record(db, who, with_place=False)
    if t is None:
        return TraineeHome(has_record=False)
    home = TraineeHome(has_record=True)
    found = next_session(db, t.id)
    if found:
        home.next_session, home.next_course = found
    enrolled = enrolment.my_enrolments(db, who)
    for e, c in enrolled:
        if e.status == EnrolmentStatus.WAITLISTED:
            vi, en = waitlist_sentence(e.waitlist_position, e.reasons or [])
            home.waiting.append(Waiting(e, c, vi, en))
        elif e.status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING) and c.status in ("open", "running"):
            home.upcoming.append((e, c))
    for c, ok, _reasons in enrolment.joinable(db, who):
        if ok:
            home.joinable.append(c)
        else:
            home.not_yet += 1
    home.materials = [(m.course, m.count) for m in materials.my_materials(db, who) if m.count]
    mine = certificates.mine(db, who)
    home.certificates = [(cert, c) for cert, c in mine if cert.status == "valid"]
    certified = {c.id for _, c in mine}
    home.awaiting = [c for e, c in enrolled if e.status == EnrolmentStatus.COMPLETED and c.id not in certified]
    return home




@dataclass(frozen=True)
class Registration:
    """What the course page offers the signed-in person: their enrolment, or whether they may register and why."""

    enrolment: Enrolment | None
    may_register: bool
    reasons: list


def registration_for(db: Session, who: Principal, course: Course) -> Registration | None:
    """None for someone without a trainee record (staff); otherwise their place on the course or the register
    decision with its reasons (only while the course takes registrations)."""
    t = people.own_record(db, who, with_place=False)
    if t is None:
        return None
    e = db.scalar(select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.trainee_id == t.id))
    if e is not None and e.status not in (EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REJECTED):
        return Registration(e, False, [])
    if course.status != "open":
        return Registration(e, False, []) if e is not None else None
    ok, reasons = enrolment.check(db, course, t)
    return Registration(e, ok, reasons)
