"""Two people mark the same official for the same session at the same moment (two phones, or a trainer's mark and
the official's own check-in): both are kept as mark and correction, never a 500.

Found by the soak test (bench/soak.py): on PostgreSQL both requests saw no mark, both inserted, and the second got
the unique index's refusal. Real connections, one transaction each, the second started while the first is open.
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
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
from app.ops.migrate import upgrade
from app.places import service as places
from tests.conftest import fresh_database_url
from tests.courses.factories import add_trainee, open_course


def test_the_same_mark_recorded_twice_at_once_keeps_the_later(backend):
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        curricula.sync(db, Principal.system("t"))
        organiser = auth.create_user(db, Principal.system("t"), username="org", password="Mat-khau-2026",
                                     role="organiser", unit=places.get_by_key(db, "24"))
        who = auth.principal_for(organiser, None)
        course = open_course(db, who, capacity=5)
        sessions.add_session(db, who, course.id, sessions.SessionInput(
            session_date=course.start_date, part_of_day="morning", start_time=None, end_time=None,
            module_ids=[course.modules[0].id], lecturer_id=None, room="Phòng 1", online_link=None))
        e = enrolment.register(db, who, course.id, add_trainee(db, who, 1).id)
        session_id = courses.get_course(db, who, course.id).sessions[0].id
        db.commit()
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
