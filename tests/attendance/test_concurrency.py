"""Two people mark the same official for the same session at the same moment (two phones, or a trainer's mark and
the official's own check-in): both are kept as mark and correction, never a 500.

Found by the soak test (bench/soak.py): on PostgreSQL both requests saw no mark, both inserted, and the second got
the unique index's refusal. Real connections, one transaction each, the second started while the first is open.
"""
from __future__ import annotations

import contextlib
import threading
import time
from functools import partial

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.attendance import service
from app.attendance.models import AttendanceMark
from app.audit.models import AuditEvent
from app.auth import service as auth
from app.auth.principal import Principal
from app.courses import service as courses
from app.courses import sessions
from app.curricula import service as curricula
from app.db import make_engine, write_session
from app.enrolment import service as enrolment
from app.enrolment.models import Enrolment
from app.ops.migrate import upgrade
from app.places import service as places
from tests.conftest import fresh_database_url
from tests.courses.factories import add_trainee, open_course
from tests.enrolment.test_concurrency import _run_at_once


def test_the_same_mark_recorded_twice_at_once_keeps_the_later(backend):
    engine, who, course, e, (session_id,) = _one_person_on_a_course(backend, ["morning"])
    mark = {"session_id": session_id, "enrolment_id": e.id}
    errors: list[BaseException] = []
    second_started = threading.Event()

    def second() -> None:
        try:
            with write_session(engine) as db2:
                second_started.set()
                service.record_marks(db2, who, course.id, [{**mark, "status": "late", "note": "Đến muộn 20 phút"}])
                db2.commit()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    with write_session(engine) as db1:
        assert service.record_marks(db1, who, course.id, [{**mark, "status": "present"}]) == 1
        thread = threading.Thread(target=second)
        thread.start()
        second_started.wait(10)
        time.sleep(0.5)  # the second is now waiting on the first's row (PostgreSQL) or its write lock (SQLite)
        db1.commit()
    thread.join(30)
    assert errors == []
    with Session(engine) as db:
        rows = list(db.scalars(select(AttendanceMark)))
        assert [(r.status, r.note) for r in rows] == [("late", "Đến muộn 20 phút")]
        events = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "attendance.mark"))
        assert events == 2  # the mark and its correction, both on record
    engine.dispose()


def test_two_marks_of_one_person_written_at_the_same_instant_both_stand(backend):
    """Two trainers mark the same official for two sessions at the same instant: both marks stand, no 503.

    Found by the soak test across two servers behind PgBouncer (one roll call answered 503): inserting a mark makes
    PostgreSQL take a share lock on its enrolment (the foreign key's check), and the results' refresh after the flush
    then asks for the row's update lock. Two transactions that had both inserted each waited for the other: a deadlock.
    Here each transaction pauses right after its insert until the other has inserted too (or 3 s have passed): the
    other never has, since it waits for the enrolment's lock before it writes (app.enrolment.results)."""
    engine, who, course, e, session_ids = _one_person_on_a_course(backend, ["morning", "afternoon"])
    both_inserted = threading.Barrier(2, timeout=3)
    met: list[bool] = []  # both transactions had written their mark at the same time

    def pause_after_insert(*_: object) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):  # the other could not insert yet: go on
            both_inserted.wait()
            met.append(True)

    def mark(session_id: int) -> None:
        with write_session(engine) as db:
            event.listen(db, "after_flush", pause_after_insert)
            service.record_marks(db, who, course.id, [{"session_id": session_id, "enrolment_id": e.id,
                                                       "status": "present"}])
            db.commit()

    assert _run_at_once([partial(mark, s) for s in session_ids]) == []
    assert met == []  # the second waited for the first's lock on the enrolment before writing its own mark
    with Session(engine) as db:
        assert sorted(db.scalars(select(AttendanceMark.session_id))) == sorted(session_ids)
        assert db.get(Enrolment, e.id).marked_present
    engine.dispose()


def _one_person_on_a_course(backend: str, parts: list[str]):  # noqa: ANN202
    """A fresh database with an open course, one session per part of its first day, and one official registered:
    (engine, the organiser, the course, the enrolment, the sessions' ids)."""
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        curricula.sync(db, Principal.system("t"))
        organiser = auth.create_user(db, Principal.system("t"), username="org", password="Mat-khau-2026",
                                     role="organiser", unit=places.get_by_key(db, "24"))
        who = auth.principal_for(organiser, None)
        course = open_course(db, who, capacity=5)
        for part in parts:
            sessions.add_session(db, who, course.id, sessions.SessionInput(
                session_date=course.start_date, part_of_day=part, start_time=None, end_time=None,
                module_ids=[course.modules[0].id], lecturer_id=None, room="Phòng 1", online_link=None))
        e = enrolment.register(db, who, course.id, add_trainee(db, who, 1).id)
        session_ids = [s.id for s in courses.get_course(db, who, course.id).sessions]
        db.commit()
    return engine, who, course, e, session_ids
