"""Programmes and periods as data: which one a course belongs to by default, and changing it.

A course belongs to the programme whose period covers the year it starts (the year it was created while it has no
dates); after the last period known, to the latest programme. An organiser may choose another (course page, API).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from app.courses.models import Course, Programme, programme_for_year
from app.db import utcnow
from app.errors import Invalid


def default_for(db: Session | Connection, start: date | None) -> int | None:
    return db.scalar(programme_for_year((start or utcnow().date()).year))


def by_code(db: Session, code: str) -> Programme:
    """A programme by its code; an unknown code is a 422 naming the field."""
    p = db.scalar(select(Programme).where(Programme.code == (code or "").strip().upper()))
    if p is None:
        msg = f"Không có chương trình “{code}”; hãy chọn một chương trình trong danh sách."
        raise Invalid("programme_invalid", msg, field="programme")
    return p


def listing(db: Session) -> list[Programme]:
    return list(db.scalars(select(Programme).order_by(Programme.start_year)))


def assign_missing(db: Session) -> None:
    """Courses written in bulk (the national demo) get their default programme: one statement per programme."""
    for p in reversed(listing(db)):  # the latest first: a course takes the latest that started before it
        db.execute(update(Course).where(Course.programme_id.is_(None), Course.start_date.is_not(None),
                                        Course.start_date >= date(p.start_year, 1, 1))
                   .values(programme_id=p.id))
    oldest = db.scalar(select(Programme.id).order_by(Programme.start_year).limit(1))
    db.execute(update(Course).where(Course.programme_id.is_(None)).values(programme_id=oldest))
