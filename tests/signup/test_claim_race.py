"""Two people type the same invitation code at the same moment: one account gets the record, the other is refused,
on both databases, with real threads each holding its own connection."""
from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.models import User
from app.auth.principal import Principal
from app.db import make_engine, write_session
from app.errors import DomainError
from app.ops.migrate import upgrade
from app.people import service as people
from app.people.models import Trainee
from app.signup import service
from tests.conftest import fresh_database_url
from tests.helpers import PASSWORD
from tests.people.factories import person


def test_one_code_claimed_twice_at_once_gives_one_account(backend):
    url = fresh_database_url(backend)
    upgrade("head", url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            row = person(3)
            admin = Principal(None, "t", "t", "admin", None, None)
            t = people.create_trainee(db, admin, people.parse_or_raise(db, {
                "full_name": row["Họ và tên"], "sex": row["Giới tính"], "birth_date": row["Ngày sinh"],
                "ethnicity": "kinh", "citizen_id": row["Số CCCD"], "position": "cong_chuc_vhxh",
                "organisation_type": "ubnd_xa", "commune": "07432", "in_charge_of_radio": True}))
            code = service.invite(db, Principal.system("test"), t.id).code
            db.commit()
        counters = sessionmaker(bind=engine, expire_on_commit=False)
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def claim() -> None:
            barrier.wait()
            with write_session(engine) as db:
                try:
                    service.claim(db, counters, code=code, password=PASSWORD, ip="192.0.2.1")
                    db.commit()
                    outcomes.append("claimed")
                except DomainError as err:
                    db.rollback()
                    outcomes.append(err.code)

        threads = [threading.Thread(target=claim) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert sorted(outcomes) == ["claimed", "invalid_invitation"], outcomes
        with Session(engine) as db:
            assert db.scalar(select(func.count()).select_from(User)) == 1
            assert db.scalar(select(Trainee.user_id)) == db.scalar(select(User.id))
    finally:
        engine.dispose()
