"""Calendars: the month view's data and the iCalendar feeds behind each person's unguessable token."""
from __future__ import annotations

import secrets
from calendar import Calendar
from datetime import date, datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth.models import User
from app.auth.principal import Principal
from app.config import get_settings
from app.courses import calendar as ical
from app.courses import rules
from app.courses.models import CalendarFeed, Course, CourseSession, Lecturer
from app.courses.service import visible_courses
from app.db import utcnow
from app.enrolment.models import Enrolment
from app.people.models import Trainee

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def feed_token(db: Session, who: Principal) -> str:
    """The caller's calendar token, created on first use. The token is a credential (it opens the person's
    calendar without signing in), so making one is recorded like resetting it."""
    row = db.get(CalendarFeed, who.user_id)
    if row is None:
        row = CalendarFeed(user_id=who.user_id, token=secrets.token_urlsafe(32))
        db.add(row)
        db.flush()
        audit.record(db, who, "calendar.create_token", "user", who.user_id)
    return row.token


def reset_feed_token(db: Session, who: Principal) -> str:
    """A new token; every calendar link made with the old one stops working."""
    row = db.get(CalendarFeed, who.user_id)
    if row is None:
        return feed_token(db, who)
    row.token = secrets.token_urlsafe(32)
    row.created_at = utcnow()
    audit.record(db, who, "calendar.reset_token", "user", who.user_id)
    return row.token


def user_for_token(db: Session, token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    row = db.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    return db.get(User, row.user_id) if row else None


def _host() -> str:
    return urlparse(get_settings().public_url).hostname or "nangluc"


def _event(s: CourseSession, course: Course) -> ical.CalEvent:
    modules = ", ".join(f"{m.code}. {m.title}" for m in s.modules)
    lecturer = s.lecturer.full_name if s.lecturer else None
    where = ", ".join(x for x in (s.room, course.venue) if x) or None
    description = "\n".join(x for x in (course.title, f"Chuyên đề: {modules}" if modules else None,
                                        f"Giảng viên: {lecturer}" if lecturer else None,
                                        f"Trực tuyến: {s.online_link}" if s.online_link else None) if x)
    cancelled = course.status == rules.Status.CANCELLED
    return ical.CalEvent(
        uid=ical.session_uid(s.id, _host()), summary=f"{course.code}: {modules or course.title}"[:250],
        start=datetime.combine(s.session_date, s.start_time, VN), end=datetime.combine(s.session_date, s.end_time, VN),
        location=where, description=description, url=f"{get_settings().public_url}/courses/{course.id}",
        status="CANCELLED" if cancelled else "CONFIRMED", sequence=s.sequence + (1 if cancelled else 0),
        last_modified=s.updated_at)


def _session_options():  # noqa: ANN202
    return (selectinload(CourseSession.modules), selectinload(CourseSession.lecturer),
            selectinload(CourseSession.course))


def course_feed(db: Session, course: Course) -> bytes:
    sessions = db.scalars(select(CourseSession).where(CourseSession.course_id == course.id)
                          .options(*_session_options()))
    return ical.build_calendar(f"{course.code} — {course.title}", [_event(s, course) for s in sessions], utcnow())


def teaching_feed(db: Session, user: User) -> bytes:
    """Every session the person teaches, in every course."""
    sessions = db.scalars(select(CourseSession).join(Lecturer, Lecturer.id == CourseSession.lecturer_id)
                          .where(Lecturer.user_id == user.id).options(*_session_options()))
    return ical.build_calendar(f"Lịch giảng — {user.full_name}", [_event(s, s.course) for s in sessions],
                               utcnow())


def month(db: Session, who: Principal, year: int, month_no: int) -> dict:
    """The weeks of a month with the sessions of the courses the caller may see on each day."""
    weeks = Calendar(firstweekday=0).monthdatescalendar(year, month_no)
    first, last = weeks[0][0], weeks[-1][-1]
    course_ids = {c.id: c for c in visible_courses(db, who) if c.status != rules.Status.CANCELLED}
    by_day: dict[date, list[CourseSession]] = {}
    if course_ids:
        stmt = (select(CourseSession).where(CourseSession.course_id.in_(course_ids),
                                            CourseSession.session_date.between(first, last))
                .order_by(CourseSession.session_date, CourseSession.start_time).options(*_session_options()))
        for s in db.scalars(stmt):
            by_day.setdefault(s.session_date, []).append(s)
    return {"weeks": weeks, "by_day": by_day, "year": year, "month": month_no}


def trainee_feed(db: Session, user: User) -> bytes:
    """The sessions of every course the person holds a confirmed seat on."""
    stmt = (select(CourseSession).join(Enrolment, Enrolment.course_id == CourseSession.course_id)
            .join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(Trainee.user_id == user.id, Enrolment.status.in_(("confirmed", "completed")))
            .options(*_session_options()))
    return ical.build_calendar(f"Lịch học — {user.full_name}", [_event(s, s.course) for s in db.scalars(stmt)],
                               utcnow())
