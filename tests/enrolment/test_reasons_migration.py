"""Reasons recorded before waitlist positions were worked out when read carried the position in their words; the
migration 0017_reasons takes it out once, so no code has to find it in the text (issue #23.2). Both databases."""
from __future__ import annotations

from sqlalchemy import select

from app.db import make_engine
from app.ops.migrate import upgrade
from tests.conftest import fresh_database_url
from tests.old_rows import OldRows

OLD = [{"code": "waitlisted", "vi": "Danh sách chờ vị trí 5: Khoá học đã đủ 30 chỗ",
        "en": "Waitlist position 5: The course is full (30 seats)"},
       {"code": "priority_1", "vi": "Ưu tiên 1: công chức văn hoá - xã hội", "en": "Priority 1: culture-social"}]


def test_old_waitlist_reasons_lose_the_position_written_into_them(backend):
    url = fresh_database_url(backend)
    upgrade("0016_aggregates", url)
    engine = make_engine(url)
    rows = OldRows(engine)
    add = rows.add
    with engine.begin() as conn:
        unit, course = rows.course(conn, "OLD-2")
        people = [add(conn, "trainee", unit_id=unit, citizen_id=f"00118500000{i}", user_id=None) for i in (1, 2)]
        old = add(conn, "enrolment", course_id=course, trainee_id=people[0], status="waitlisted", reasons=OLD,
                  nominated_by_id=None)
        new = add(conn, "enrolment", course_id=course, trainee_id=people[1], status="waitlisted",
                  reasons=[{**OLD[0], "vi": "Khoá học đã đủ 30 chỗ", "en": "The course is full (30 seats)"}],
                  nominated_by_id=None)
    upgrade("head", url)
    enrolment = rows.meta.tables["enrolment"]
    with engine.connect() as conn:
        reasons = dict(conn.execute(select(enrolment.c.id, enrolment.c.reasons)).all())
    full = {"code": "waitlisted", "vi": "Khoá học đã đủ 30 chỗ", "en": "The course is full (30 seats)"}
    assert reasons[old] == [full, OLD[1]]  # the position gone, the rest untouched
    assert reasons[new] == [full]
    engine.dispose()
