"""The results an enrolment carries for the reports: whether it was marked present or late at one session at least
(``Enrolment.marked_present``) and whether it holds a valid certificate (``Enrolment.certified``).

They are facts of other rows (the attendance marks, the certificates), kept on the enrolment so that a national
report reads one narrow row per seat instead of looking up three million marks and a quarter of a million
certificates. Nobody sets them by hand: every ORM write of a mark or a certificate (and every session deleted, whose
marks the database deletes with it) notes the enrolments it touched, and they are worked out again from the marks and
certificates themselves (``refresh``) at the end of that flush, in the same transaction. A write that bypasses the
ORM (the national demo's COPY, a repair) calls ``refresh_all``; `nangluc reports refresh` does the same from the
command line.

Concurrency: before a flush writes marks or certificates, their enrolments are locked (in id order); the refresh
after it reads the marks in a statement of its own (a deleted session's course: its rows locked first, too). A
transaction whose new mark is not yet visible to another one's refresh refreshes the same row itself (it waits for
the other's lock), after that one has committed, and sees both. Locks are held to the end of the transaction: the
writers that touch several enrolments take them in id order (record_marks writes its marks in enrolment order) or in
one statement, so two of them never wait for each other in a circle.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import exists, or_, select, text, update
from sqlalchemy.orm import Session, object_session

from app.attendance.models import AttendanceMark
from app.certificates.models import Certificate
from app.courses.models import CourseSession
from app.enrolment.models import Enrolment
from app.reports.rules import ATTENDED_MARKS

VALID = "valid"  # app.certificates.service.VALID (which imports far more than this module may)
_PENDING = "nangluc.results.enrolments"  # session.info keys: the enrolments and courses to work out again
_PENDING_COURSES = "nangluc.results.courses"
_table = Enrolment.__table__


def _marked() -> object:
    return exists().where(AttendanceMark.enrolment_id == _table.c.id, AttendanceMark.status.in_(ATTENDED_MARKS))


def _certified() -> object:
    return exists().where(Certificate.enrolment_id == _table.c.id, Certificate.status == VALID)


def _update(db: Session, where: object) -> int:
    """Work the results out again for the enrolments `where` selects; rows already right are not written (nor is
    `updated_at`: the enrolment itself did not change). Returns how many changed."""
    marked, certified = _marked(), _certified()
    stmt = (update(_table).where(where, or_(_table.c.marked_present != marked, _table.c.certified != certified))
            .values(marked_present=marked, certified=certified, updated_at=_table.c.updated_at))
    return db.connection().execute(stmt).rowcount


def _lock(db: Session, where: object) -> None:
    """Lock the enrolment rows `where` selects, in id order, before the statement that reads their marks (PostgreSQL;
    SQLite has one writer and no row locks)."""
    if db.get_bind().dialect.name == "postgresql":
        db.connection().execute(select(_table.c.id).where(where).order_by(_table.c.id).with_for_update())


def _expire(db: Session, which: Callable[[Enrolment], bool]) -> None:
    """What this session holds in memory reads the new values."""
    for obj in list(db.identity_map.values()):
        if isinstance(obj, Enrolment) and which(obj):
            db.expire(obj, ["marked_present", "certified"])


def refresh(db: Session, enrolment_ids: Iterable[int] = (), course_ids: Iterable[int] = ()) -> int:
    """Work out again the results of these enrolments and of every enrolment of these courses."""
    ids = sorted(set(enrolment_ids))
    if ids:
        _lock(db, _table.c.id.in_(ids))
    return _worked_out(db, ids, sorted(set(course_ids)))


def _worked_out(db: Session, ids: list[int], courses: list[int]) -> int:
    """`refresh`, the rows of `ids` being locked already (the courses' rows are locked here)."""
    changed = _update(db, _table.c.id.in_(ids)) if ids else 0
    if courses:
        where = _table.c.course_id.in_(courses)
        _lock(db, where)
        changed += _update(db, where)
    _expire(db, lambda e: e.id in ids or e.course_id in courses)
    return changed


def refresh_all(db: Session) -> int:
    """Every enrolment's results from scratch (after a bulk load, or to repair): returns how many were wrong.

    Rather than lock every enrolment, it holds off the writers of marks and certificates while it runs (SHARE mode
    waits for those in flight to commit, so the statement that follows sees them); SQLite has one writer anyway."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("LOCK TABLE attendance_mark, certificate IN SHARE MODE"))
    changed = _update(db, _table.c.id.is_not(None))
    _expire(db, lambda _e: True)
    return changed


def settle(db: Session) -> None:
    """Flush, so that every write of this session so far has its results worked out (the reports call it before
    they read them)."""
    db.flush()
    _after_flush(db)


def _lock_before_writing(db: Session, *_: object) -> None:
    """Before a flush writes marks or certificates: their enrolments locked first, in id order.

    Inserting a mark or a certificate makes PostgreSQL take a share lock on its enrolment (the foreign key's check),
    and the refresh after the flush asks for the row's update lock. Two transactions writing for one enrolment at
    once each held the share lock and waited for the other's to go: a deadlock (the soak test: two roll calls, one
    503). Locked first, the second waits before it writes. SQLite has one writer and no row locks."""
    ids = {obj.enrolment_id for obj in (*db.new, *db.dirty, *db.deleted)
           if isinstance(obj, AttendanceMark | Certificate) and obj.enrolment_id is not None}
    if ids:
        _lock(db, _table.c.id.in_(ids))


def _after_flush(db: Session, *_: object) -> None:
    """After each flush: the enrolments noted during it are worked out again, in the same transaction, so that
    whatever reads next — this session, or another on the same connection — sees them right."""
    ids, courses = db.info.pop(_PENDING, set()), db.info.pop(_PENDING_COURSES, set())
    if ids or courses:
        # The marks and certificates this flush wrote had their enrolments locked before it (`_lock_before_writing`).
        _worked_out(db, sorted(ids), sorted(courses))


def _pending(target: object, key: str) -> set[int] | None:
    db = object_session(target)
    return None if db is None else db.info.setdefault(key, set())


def _written(_mapper: object, _connection: object, target: AttendanceMark | Certificate) -> None:
    """A mark or a certificate inserted, updated or deleted by a flush: its enrolment is worked out again."""
    pending = _pending(target, _PENDING)
    if pending is not None and target.enrolment_id is not None:
        pending.add(target.enrolment_id)


def _session_deleted(_mapper: object, _connection: object, target: CourseSession) -> None:
    """A session deleted (also as an orphan of its course): the database deleted its marks, unseen by the ORM."""
    pending = _pending(target, _PENDING_COURSES)
    if pending is not None and target.course_id is not None:
        pending.add(target.course_id)


def _refuse_bulk(state) -> None:  # noqa: ANN001
    """A bulk UPDATE or DELETE of marks or certificates through the session would change results unseen: refused,
    so that such code fails its first test rather than leave the reports wrong."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None and \
            state.bind_mapper.class_ in (AttendanceMark, Certificate):
        raise RuntimeError(f"bulk {'UPDATE' if state.is_update else 'DELETE'} of {state.bind_mapper.class_.__name__}"
                           ": write the objects (or call app.enrolment.results.refresh) so the results follow")


def listen() -> None:
    """Hook the bookkeeping on every ORM session (once, on import: app.enrolment.models imports this module)."""
    from sqlalchemy import event

    if event.contains(Session, "after_flush_postexec", _after_flush):
        return
    for model in (AttendanceMark, Certificate):
        for name in ("after_insert", "after_update", "after_delete"):
            event.listen(model, name, _written)
    event.listen(CourseSession, "after_delete", _session_deleted)
    event.listen(Session, "before_flush", _lock_before_writing)
    event.listen(Session, "after_flush_postexec", _after_flush)
    event.listen(Session, "do_orm_execute", _refuse_bulk)


listen()
