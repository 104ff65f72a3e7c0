"""Many people pressing "Đăng ký" at the same moment: the seat limit holds and nobody is enrolled twice.

Real threads, each with its own connection and transaction, against a real database of each kind.
"""
from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import service as auth
from app.auth.principal import Principal
from app.curricula import service as curricula
from app.db import make_engine, write_session
from app.enrolment import service
from app.enrolment.models import Enrolment
from app.ops.migrate import upgrade
from app.people import service as people
from tests.conftest import fresh_database_url
from tests.courses.factories import open_course
from tests.people.factories import person

SEATS, PEOPLE = 8, 24


def _world(engine, n: int):  # noqa: ANN001
    """An open course with SEATS seats and n eligible trainees with accounts; returns (course id, principals)."""
    with Session(engine, expire_on_commit=False) as db:
        system = Principal.system("test")
        curricula.sync(db, system)
        from app.places import service as places

        bac_ninh = places.get_by_key(db, "24")
        organiser = auth.create_user(db, system, username="org", password="Mat-khau-2026", role="organiser",
                                     unit=bac_ninh)
        who = auth.principal_for(organiser, None)
        course = open_course(db, who, capacity=SEATS, title="Lớp đông người")
        principals = []
        for i in range(1, n + 1):
            row = person(i)
            user = auth.create_user(db, system, username=f"hv{i}", password="Mat-khau-2026", role="trainee",
                                    unit=places.get_by_key(db, "07432"))
            data = people.parse_or_raise(db, {
                "full_name": row["Họ và tên"], "sex": row["Giới tính"], "birth_date": row["Ngày sinh"],
                "ethnicity": "kinh", "citizen_id": row["Số CCCD"], "position": "cong_chuc_vhxh",
                "organisation_type": "ubnd_xa", "commune": "07432", "in_charge_of_radio": True})
            t = people.create_trainee(db, who, data)
            t.user_id = user.id
            principals.append(auth.principal_for(user, None))
        db.commit()
        return course.id, principals


def _run_at_once(targets) -> list[BaseException]:  # noqa: ANN001
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(fn) -> None:  # noqa: ANN001
        barrier.wait()
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_simultaneous_registrations_never_oversubscribe(backend):
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    course_id, principals = _world(engine, PEOPLE)

    def register(who: Principal):  # noqa: ANN202
        def go() -> None:
            with write_session(engine) as db:
                service.register(db, who, course_id)
                db.commit()
        return go

    errors = _run_at_once([register(p) for p in principals])
    assert errors == []
    with Session(engine) as db:
        rows = dict(db.execute(select(Enrolment.status, func.count()).where(Enrolment.course_id == course_id)
                               .group_by(Enrolment.status)).all())
        positions = sorted(db.scalars(select(Enrolment.waitlist_position).where(
            Enrolment.course_id == course_id, Enrolment.status == "waitlisted")))
    assert rows == {"confirmed": SEATS, "waitlisted": PEOPLE - SEATS}
    assert positions == list(range(1, PEOPLE - SEATS + 1))
    engine.dispose()


def test_the_same_person_pressing_twice_at_once_gets_one_enrolment(backend):
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    course_id, principals = _world(engine, 1)
    results: list[int] = []

    def go() -> None:
        with write_session(engine) as db:
            results.append(service.register(db, principals[0], course_id).id)
            db.commit()

    assert _run_at_once([go] * 6) == []
    with Session(engine) as db:
        count = db.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course_id))
    assert count == 1 and len(set(results)) == 1
    engine.dispose()
