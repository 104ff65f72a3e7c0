"""Facts as at training time: what a report counts about a person for a course, recorded with the enrolment.

When facts freeze: they are (re)written each time the enrolment is decided (registration, a renewed registration,
an organiser's decision, a promotion from the waitlist, the allocation, a past course recorded) as long as the
course has not ended; once its end date has passed they stay as they were, whatever later happens to the person's
record (a new position or commune, a category, anonymisation). Reports read only these (app.reports.service).
"""
from __future__ import annotations

from datetime import date

from psycopg.types.json import Json
from sqlalchemy import bindparam, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.courses.models import Course
from app.db import utcnow
from app.enrolment.models import Enrolment, EnrolmentFact
from app.people.models import Trainee

KINH = "kinh"
FACT_FIELDS = ("unit_id", "position", "organisation_type", "target_group_code", "commune_categories", "sex")


def _values(e: Enrolment, t: Trainee, priority_rank: int | None = None) -> dict:
    rank = e.priority_rank if priority_rank is None else priority_rank
    return {"enrolment_id": e.id, **{k: getattr(t, k) for k in FACT_FIELDS},
            "commune_categories": list(t.commune_categories or []), "priority_rank": rank or 0,
            "ethnic_minority": t.ethnicity != KINH, "source": "recorded", "recorded_at": utcnow()}


def frozen(course: Course | None, today: date | None = None) -> bool:
    """A course that has ended keeps its facts."""
    end = course.end_date if course is not None else None
    return end is not None and end < (today or utcnow().date())


def record_facts(db: Session, e: Enrolment, t: Trainee, course: Course | None = None,
                 priority_rank: int | None = None) -> None:
    """Write (or refresh) the enrolment's facts from the person's record of now: one statement, no read.
    A course that has ended only gets facts it lacks. `priority_rank`: the rank being decided, when the enrolment
    does not carry it yet (a registration writes its facts before its decision)."""
    if course is None:
        course = db.get(Course, e.course_id)
    insert_ = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = _values(e, t, priority_rank)
    stmt = insert_(EnrolmentFact).values(**values)
    if frozen(course):
        stmt = stmt.on_conflict_do_nothing(index_elements=[EnrolmentFact.enrolment_id])
    else:
        stmt = stmt.on_conflict_do_update(index_elements=[EnrolmentFact.enrolment_id],
                                          set_={k: v for k, v in values.items() if k != "enrolment_id"})
    db.execute(stmt)
    _forget(db, e)


def _forget(db: Session, e: Enrolment) -> None:
    fact = db.identity_map.get(db.identity_key(EnrolmentFact, (e.id,)))
    if fact is not None:
        db.expire(fact)


def _pg_upsert(refresh: bool) -> str:
    """The upsert of `record_facts` as PostgreSQL SQL with named parameters (compiled once, from the table)."""
    from sqlalchemy.dialects.postgresql import psycopg

    columns = ("enrolment_id", *FACT_FIELDS, "priority_rank", "ethnic_minority", "source", "recorded_at")
    stmt = pg_insert(EnrolmentFact.__table__).values({c: bindparam(c) for c in columns})
    stmt = (stmt.on_conflict_do_update(index_elements=["enrolment_id"],
                                       set_={c: stmt.excluded[c] for c in columns[1:]})
            if refresh else stmt.on_conflict_do_nothing(index_elements=["enrolment_id"]))
    return str(stmt.compile(dialect=psycopg.dialect()))


_UPSERT_SQL = {refresh: _pg_upsert(refresh) for refresh in (True, False)}


def record_facts_sql(db: Session, e: Enrolment, t: Trainee, course: Course, priority_rank: int
                     ) -> tuple[str, dict]:
    """PostgreSQL: `record_facts` as SQL and parameters for psycopg, to be sent in a pipeline with other statements
    (the registration sends it in the round trip that takes the seat lock). Same columns, same freezing."""
    values = _values(e, t, priority_rank)
    values["commune_categories"] = Json(values["commune_categories"])
    _forget(db, e)
    return _UPSERT_SQL[not frozen(course)], values


def record_many(db: Session, enrolment_ids: list[int] | None = None, course_ids: list[int] | None = None,
                source: str = "recorded") -> None:
    """Facts for many enrolments at once from today's records (INSERT … SELECT; those that have facts keep them):
    the bulk loaders' way (app.demo.national), and the migration's."""
    stmt = (select(Enrolment.id, Trainee.unit_id, Trainee.position, Trainee.organisation_type,
                   Trainee.target_group_code, Enrolment.priority_rank, Trainee.commune_categories, Trainee.sex,
                   Trainee.ethnicity != KINH, literal(source), literal(utcnow(), EnrolmentFact.recorded_at.type))
            .join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(~select(EnrolmentFact.enrolment_id).where(EnrolmentFact.enrolment_id == Enrolment.id).exists()))
    if enrolment_ids is not None:
        stmt = stmt.where(Enrolment.id.in_(enrolment_ids))
    if course_ids is not None:
        stmt = stmt.where(Enrolment.course_id.in_(course_ids))
    db.execute(insert(EnrolmentFact).from_select(
        ["enrolment_id", "unit_id", "position", "organisation_type", "target_group_code", "priority_rank",
         "commune_categories", "sex", "ethnic_minority", "source", "recorded_at"], stmt))
