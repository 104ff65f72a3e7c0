"""A person's own registration wrote its facts before its decision, with priority rank 0; migration 0018_fact_rank
gives recorded facts with rank 0 the rank their enrolment was given, and leaves every other fact alone. Both
databases."""
from __future__ import annotations

from sqlalchemy import select

from app.db import make_engine
from app.ops.migrate import upgrade
from tests.conftest import fresh_database_url
from tests.old_rows import COURSE_TABLES, OldRows


def test_facts_written_with_rank_0_take_the_rank_decided(backend):
    url = fresh_database_url(backend)
    upgrade("0017_reasons", url)
    engine = make_engine(url)
    rows = OldRows(engine, (*COURSE_TABLES, "enrolment_fact"))
    add = rows.add
    with engine.begin() as conn:
        unit, course = rows.course(conn, "OLD-3")
        people = [add(conn, "trainee", unit_id=unit, citizen_id=f"00118500001{i}", user_id=None) for i in range(4)]
        # (rank on the enrolment, rank on the fact, source): only the first is the mistake to put right
        cases = [(2, 0, "recorded"), (3, 1, "recorded"), (2, 0, "backfilled"), (0, 0, "recorded")]
        ids = []
        for person, (decided, written, source) in zip(people, cases, strict=True):
            e = add(conn, "enrolment", course_id=course, trainee_id=person, status="confirmed", reasons=[],
                    nominated_by_id=None, priority_rank=decided)
            add(conn, "enrolment_fact", enrolment_id=e, unit_id=unit, priority_rank=written, source=source)
            ids.append(e)
    upgrade("head", url)
    fact = rows.meta.tables["enrolment_fact"]
    with engine.connect() as conn:
        ranks = dict(conn.execute(select(fact.c.enrolment_id, fact.c.priority_rank)).all())
    assert [ranks[e] for e in ids] == [2, 1, 0, 0]
    engine.dispose()
