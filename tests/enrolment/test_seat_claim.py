"""The seat claim under a real rush: reserved seats, review mode, double taps and withdrawals, all at once.

Real threads, each with its own connection and transaction, against a real database of each kind (on PostgreSQL the
registrations really overlap: everything before the seat lock runs in parallel, and the row is inserted before it).
Each registration goes the API's way (`register_once(..., finish=True)`: committed as soon as the seat is decided).
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth import service as auth
from app.auth.principal import Principal
from app.courses import service as courses
from app.curricula import service as curricula
from app.db import make_engine, write_session
from app.enrolment import service
from app.enrolment.models import Enrolment
from app.errors import DomainError
from app.ops.migrate import upgrade
from app.people import service as people
from app.people.models import Trainee
from app.places import service as places
from tests.conftest import fresh_database_url
from tests.courses.factories import open_course
from tests.enrolment.test_concurrency import _run_at_once as _at_once
from tests.people.factories import person

SEATS = 8
TAN_DINH, BAC_GIANG = "07432", "07210"  # two communes of Bắc Ninh


def _world(backend: str, communes: list[str], review: bool = False, quotas: dict[str, int] | None = None):
    """An open course of SEATS seats in Bắc Ninh and one official (with an account) per entry of `communes`.
    Returns the engine, the course id, the organiser and the officials' principals."""
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        system = Principal.system("test")
        curricula.sync(db, system)
        organiser = auth.create_user(db, system, username="org", password="Mat-khau-2026", role="organiser",
                                     unit=places.get_by_key(db, "24"))
        who = auth.principal_for(organiser, None)
        course = open_course(db, who, capacity=SEATS, title="Lớp đông người")
        if review:
            course.allocation_mode = "review"
        if quotas:
            courses.set_quotas(db, who, course.id, quotas)
        principals = []
        for i, commune in enumerate(communes, start=1):
            row = person(i)
            user = auth.create_user(db, system, username=f"hv{i}", password="Mat-khau-2026", role="trainee",
                                    unit=places.get_by_key(db, commune))
            data = people.parse_or_raise(db, {
                "full_name": row["Họ và tên"], "sex": row["Giới tính"], "birth_date": row["Ngày sinh"],
                "ethnicity": "kinh", "citizen_id": row["Số CCCD"], "position": "cong_chuc_vhxh",
                "organisation_type": "ubnd_xa", "commune": commune, "in_charge_of_radio": i % 3 == 0})
            t = people.create_trainee(db, who, data)
            t.user_id = user.id
            principals.append(auth.principal_for(user, None))
        db.commit()
        return engine, course.id, who, principals


def _press(engine, course_id: int, who: Principal, answers: list):  # noqa: ANN001, ANN202
    """One press of "Đăng ký", as the API runs it; the answer (enrolment id, status) goes to `answers`."""
    def go() -> None:
        with write_session(engine) as db:
            e, _, _ = service.register_once(db, who, course_id, finish=True)
            answers.append((who.user_id, e.id, e.status))
            db.commit()
    return go


def _seats(engine, course_id: int) -> tuple[dict[str, int], dict[str, int], list[int]]:
    """Rows per status, confirmed per commune (by unit key) and the waitlist's positions."""
    with Session(engine) as db:
        rows = dict(db.execute(select(Enrolment.status, func.count()).where(Enrolment.course_id == course_id)
                               .group_by(Enrolment.status)).all())
        by_unit = {places.get_by_key(db, k).id: k for k in (TAN_DINH, BAC_GIANG)}
        confirmed = dict(db.execute(select(Trainee.unit_id, func.count()).join(Enrolment)
                                    .where(Enrolment.course_id == course_id, Enrolment.status == "confirmed")
                                    .group_by(Trainee.unit_id)).all())
        positions = sorted(db.scalars(select(Enrolment.waitlist_position).where(
            Enrolment.course_id == course_id, Enrolment.status == "waitlisted")))
    return rows, {by_unit[u]: n for u, n in confirmed.items()}, positions


def test_a_double_tap_rush_with_reserved_seats_never_oversells(backend):
    # 12 officials of Tân Dĩnh and 12 of Phường Bắc Giang, 3 of the 8 seats reserved for Phường Bắc Giang;
    # everyone presses twice at the same instant.
    engine, course_id, _, principals = _world(backend, [TAN_DINH, BAC_GIANG] * 12, quotas={BAC_GIANG: 3})
    answers: list = []
    assert _at_once([_press(engine, course_id, p, answers) for p in principals for _ in (0, 1)]) == []
    rows, confirmed, positions = _seats(engine, course_id)
    assert rows == {"confirmed": SEATS, "waitlisted": 24 - SEATS}  # one row per official, never a ninth seat
    assert confirmed.get(BAC_GIANG, 0) >= 3 and confirmed.get(TAN_DINH, 0) <= SEATS - 3  # the reserved seats held
    assert positions == list(range(1, 24 - SEATS + 1))
    by_person: dict[int, set] = {}
    for user_id, enrolment_id, status in answers:
        by_person.setdefault(user_id, set()).add((enrolment_id, status))
    assert len(answers) == 48 and all(len(a) == 1 for a in by_person.values())  # both presses: the same answer
    engine.dispose()


def test_withdrawals_during_the_rush_are_refilled_from_the_waitlist(backend):
    engine, course_id, _, principals = _world(backend, [TAN_DINH] * 20)
    early = []
    for p in principals[:3]:  # three seated before the rush, who withdraw while it runs
        _press(engine, course_id, p, early)()

    def withdraw(enrolment_id: int, who: Principal):  # noqa: ANN202
        def go() -> None:
            with write_session(engine) as db:
                service.withdraw(db, who, enrolment_id)
                db.commit()
        return go

    answers: list = []
    rush = [_press(engine, course_id, p, answers) for p in principals[3:] for _ in (0, 1)]
    leave = [withdraw(e_id, p) for (_, e_id, _), p in zip(early, principals[:3], strict=True)]
    assert _at_once(rush + leave) == []
    rows, _, positions = _seats(engine, course_id)
    assert rows == {"confirmed": SEATS, "waitlisted": 20 - 3 - SEATS, "withdrawn": 3}
    assert positions == list(range(1, 20 - 3 - SEATS + 1))
    engine.dispose()


def test_review_mode_under_a_rush_waits_for_the_organiser_who_never_confirms_past_the_seats(backend):
    engine, course_id, organiser, principals = _world(backend, [TAN_DINH] * 16, review=True)
    answers: list = []
    assert _at_once([_press(engine, course_id, p, answers) for p in principals for _ in (0, 1)]) == []
    rows, _, _ = _seats(engine, course_id)
    assert rows == {"pending": 16}  # nobody is seated by registering; one row each
    ids = sorted({e_id for _, e_id, _ in answers})
    refused: list[str] = []

    def confirm(enrolment_id: int):  # noqa: ANN202
        def go() -> None:
            with write_session(engine) as db:
                try:
                    service.decide(db, organiser, enrolment_id, "confirmed", reason="Duyệt trực tiếp")
                    db.commit()
                except DomainError as err:
                    refused.append(err.code)
        return go

    assert _at_once([confirm(i) for i in ids]) == []  # the organiser (two tabs…) confirms everyone at once
    rows, _, _ = _seats(engine, course_id)
    assert rows == {"confirmed": SEATS, "pending": 16 - SEATS}
    assert sorted(refused) == ["course_full"] * (16 - SEATS)
    engine.dispose()


@pytest.mark.parametrize("taps", [2, 5])
def test_the_api_answers_every_tap_with_the_same_row(backend, taps):
    engine, course_id, _, principals = _world(backend, [TAN_DINH] * 4)
    answers: list = []
    assert _at_once([_press(engine, course_id, p, answers) for p in principals for _ in range(taps)]) == []
    rows, _, _ = _seats(engine, course_id)
    assert rows == {"confirmed": 4}
    assert len({(u, e) for u, e, _ in answers}) == 4 and len(answers) == 4 * taps
    engine.dispose()
