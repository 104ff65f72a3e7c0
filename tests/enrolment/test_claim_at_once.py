"""A press on a full course (or one allocated by review) is decided in one round trip on PostgreSQL
(`service._claim_at_once`), and writes exactly what the usual way writes: the enrolment, its reasons and waitlist
place, the audit event (the same JSON text), the notification and the queued e-mail.

Each test presses as the API does (`register_once(..., finish=True)` in a session of its own on a real engine), on
both databases; on SQLite the usual way runs and the same figures must come out.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.config import get_settings
from app.db import write_session
from app.enrolment import service
from app.enrolment.models import Enrolment
from app.notify.models import Notification
from app.people.models import Trainee
from tests.enrolment.test_seat_claim import SEATS, TAN_DINH, _press, _world

CLAIM = "UPDATE enrolment SET status = CASE"


@pytest.fixture(autouse=True)
def _queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """E-mail goes through the queue on PostgreSQL, as `nangluc serve` runs it (the suite's default is inline)."""
    monkeypatch.setattr(get_settings(), "jobs_runner", "queue")
    # Each test has a database of its own whose first course has id 1 again: what this process remembers of another
    # test's course 1 (`service._FULL`, by course id, as a server with one database keeps it) does not apply.
    service._FULL.clear()


def _statements(engine) -> list[str]:  # noqa: ANN001
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_: seen.append(sql))
    return seen


def _given_emails(engine, course_id: int) -> None:  # noqa: ANN001
    with Session(engine) as db:
        for t in db.scalars(select(Trainee)):
            t.email = f"hv{t.id}@xa.gov.vn"
        db.commit()


def _what_was_written(engine, course_id: int, user_id: int) -> dict:  # noqa: ANN001
    """What one person's registration left: the row, the audit event's JSON as stored, the notification, the e-mail."""
    with Session(engine) as db:
        t = db.scalar(select(Trainee).where(Trainee.user_id == user_id))
        e = db.scalar(select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.trainee_id == t.id))
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "enrolment.register",
                                                     AuditEvent.entity_id == str(e.id))).all()
        raw = db.execute(text("SELECT CAST(changes AS TEXT) FROM audit_event WHERE action = 'enrolment.register'"
                              " AND entity_id = :id"), {"id": str(e.id)}).scalars().all()
        notes = db.scalars(select(Notification).where(Notification.user_id == user_id)).all()
        mails = []
        if engine.dialect.name == "postgresql":
            mails = [row[0]["message"] for row in db.execute(text(
                "SELECT args FROM procrastinate_jobs WHERE task_name = 'nangluc.email'"
                " AND args->'message'->>'to' = :to"), {"to": t.email})]
        return {"status": e.status, "reasons": e.reasons, "place": e.waitlist_position, "ranks": (
            e.priority_rank, e.priority_sub_rank), "events": [ev.changes for ev in events], "raw": raw,
            "notes": [(n.subject, n.body, n.link) for n in notes], "mails": mails, "trainee": t.id, "id": e.id}


@pytest.mark.parametrize("review", [False, True], ids=["first-come", "review"])
def test_a_press_on_a_full_course_writes_what_the_usual_way_writes(backend: str, review: bool):
    engine, course_id, _, principals = _world(backend, [TAN_DINH] * (SEATS + 4), review=review)
    _given_emails(engine, course_id)
    answers: list = []
    for p in principals[:SEATS]:  # the seats fill (review: all pending) the usual way
        _press(engine, course_id, p, answers)()
    statements = _statements(engine)
    quick, usual = principals[SEATS], principals[SEATS + 1]
    _press(engine, course_id, quick, answers)()
    claimed_at_once = any(s.startswith(CLAIM) for s in statements)
    statements.clear()
    service._FULL.clear()  # this process forgets the course was full: the next press goes the usual way
    if review:  # review mode needs no count: make the usual way run by asking for it
        with write_session(engine) as db:
            service._register_once(db, usual, course_id, None, "", finish=True, at_once=False)
            db.commit()
    else:
        _press(engine, course_id, usual, answers)()
    assert not any(s.startswith(CLAIM) for s in statements)
    assert claimed_at_once == (backend == "postgresql")

    a, b = _what_was_written(engine, course_id, quick.user_id), _what_was_written(engine, course_id, usual.user_id)
    status = "pending" if review else "waitlisted"
    assert a["status"] == b["status"] == status
    assert [r["code"] for r in a["reasons"]][:1] == [r["code"] for r in b["reasons"]][:1]
    assert a["reasons"][0] == b["reasons"][0]  # the decision's reason, word for word (the rest: each one's priority)
    if not review:
        assert (a["place"], b["place"]) == (a["place"], a["place"] + 1 if a["ranks"] <= b["ranks"] else b["place"])
    for w in (a, b):
        place = w["place"] if status == "waitlisted" else None
        expected = {"course": w["events"][0]["course"], "trainee": w["trainee"], "status": status,
                    "nominated": False, "waitlist_position": place}
        assert w["events"] == [expected]
        assert w["raw"] == [json.dumps(expected)]  # the same JSON text either way
        label = "Danh sách chờ" if status == "waitlisted" else w["notes"][0][0].split(": ", 1)[1]
        subject = f"{expected['course']}: {label}" + (f" (vị trí {place})" if place else "")
        assert [n[0] for n in w["notes"]] == [subject]
        assert w["notes"][0][1].endswith("; ".join(r["vi"] for r in w["reasons"][:2]))
        if backend == "postgresql":
            assert w["mails"] == [{"to": f"hv{w['trainee']}@xa.gov.vn", "subject": subject,
                                   "body": w["notes"][0][1], "link": w["notes"][0][2]}]
    engine.dispose()


def test_a_seat_that_came_free_is_taken_and_the_refused_claim_leaves_nothing(backend: str):
    """This process believes the course full, but a seat is free: the one-round-trip claim is refused under the lock
    (on PostgreSQL), its whole transaction rolled back, and the press decided the usual way: seated, one row, one
    audit event, one notification, one e-mail."""
    engine, course_id, _, principals = _world(backend, [TAN_DINH] * 3)
    _given_emails(engine, course_id)
    service._FULL[course_id] = True
    statements = _statements(engine)
    answers: list = []
    _press(engine, course_id, principals[0], answers)()
    w = _what_was_written(engine, course_id, principals[0].user_id)
    assert w["status"] == "confirmed" and w["place"] is None
    assert w["reasons"][0]["code"] == "confirmed_seat_free"
    assert len(w["events"]) == 1 and len(w["notes"]) == 1
    assert len(w["mails"]) == (1 if backend == "postgresql" else 0)
    with Session(engine) as db:
        assert db.scalar(select(Enrolment.id).where(Enrolment.course_id == course_id)) == w["id"]
        assert len(db.scalars(select(Enrolment)).all()) == 1
    assert any(s.startswith(CLAIM) for s in statements) == (backend == "postgresql")
    assert service._FULL.get(course_id) is False or backend == "sqlite"
    engine.dispose()


def test_the_e_mail_of_a_press_decided_at_once_is_sent_by_a_worker(tmp_path):
    """PostgreSQL's queue, a real `nangluc worker`: the e-mail queued by the one-round-trip statement is taken and
    sent like any other, its subject with the waitlist place the lock counted."""
    import os
    import time

    from tests.reliability import live
    from tests.reliability.test_scale_jobs import QUEUE, _stop, _worker

    engine, course_id, _, principals = _world("postgresql", [TAN_DINH] * (SEATS + 1))
    _given_emails(engine, course_id)
    answers: list = []
    for p in principals[:SEATS]:
        _press(engine, course_id, p, answers)()
    statements = _statements(engine)
    _press(engine, course_id, principals[SEATS], answers)()
    assert any(s.startswith(CLAIM) for s in statements)
    w = _what_was_written(engine, course_id, principals[SEATS].user_id)
    assert w["status"] == "waitlisted" and w["place"] == 1
    env = live.environment(engine.url.render_as_string(hide_password=False), tmp_path / "data", **QUEUE)
    worker = _worker(env, tmp_path / "worker.log")
    outbox = tmp_path / "data" / "outbox.log"
    try:
        sent: list[dict] = []
        for _ in range(600):
            if outbox.exists():
                sent = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
                if any(m["to"] == f"hv{w['trainee']}@xa.gov.vn" for m in sent):
                    break
            time.sleep(0.1)
    finally:
        _stop(worker)
    mine = [m for m in sent if m["to"] == f"hv{w['trainee']}@xa.gov.vn"]
    assert [(m["subject"], m["body"]) for m in mine] == [(w["notes"][0][0], w["notes"][0][1])], (
        (tmp_path / "worker.log").read_text() if os.path.exists(tmp_path / "worker.log") else "")
    assert mine[0]["subject"].endswith("(vị trí 1)")
    engine.dispose()


def test_through_pgbouncer_a_press_is_decided_at_once_and_a_refused_claim_rolls_back_whole():
    """PgBouncer in transaction mode (as several servers share one PostgreSQL): the one-round-trip claim on a full
    course, and a refused one (a seat free), each end their transaction and leave exactly one row each."""
    from app.db import make_engine
    from tests.reliability.pgbouncer import pgbouncer

    direct, course_id, _, principals = _world("postgresql", [TAN_DINH] * (SEATS + 2))
    _given_emails(direct, course_id)
    with pgbouncer(direct.url.render_as_string(hide_password=False), pool_size=2) as through:
        engine = make_engine(through, pgbouncer=True)
        statements = _statements(engine)
        answers: list = []
        for p in principals[:SEATS + 1]:
            _press(engine, course_id, p, answers)()
        assert sum(s.startswith(CLAIM) for s in statements) == 1  # the press after the course filled
        with write_session(direct) as db:  # one seated person leaves, and nobody is promoted: a seat is free
            db.execute(text("UPDATE enrolment SET status = 'withdrawn' WHERE id = :id"), {"id": answers[0][1]})
            db.commit()
        service._FULL[course_id] = True
        _press(engine, course_id, principals[SEATS + 1], answers)()
        assert sum(s.startswith(CLAIM) for s in statements) == 2  # tried, refused under the lock, then seated
        engine.dispose()
    w = _what_was_written(direct, course_id, principals[SEATS + 1].user_id)
    assert w["status"] == "confirmed" and len(w["events"]) == 1 and len(w["notes"]) == 1 and len(w["mails"]) == 1
    with Session(direct) as db:
        assert len(db.scalars(select(Enrolment)).all()) == SEATS + 2
    direct.dispose()


def test_a_course_code_holding_the_mark_s_digits_is_decided_the_usual_way(backend: str):
    engine, course_id, _, principals = _world(backend, [TAN_DINH] * (SEATS + 1))
    with Session(engine) as db:
        db.execute(text("UPDATE course SET code = :code WHERE id = :id"),
                   {"code": f"CT2-{service._MARK}", "id": course_id})
        db.commit()
    answers: list = []
    for p in principals[:SEATS]:
        _press(engine, course_id, p, answers)()
    statements = _statements(engine)
    _press(engine, course_id, principals[SEATS], answers)()
    assert not any(s.startswith(CLAIM) for s in statements)
    w = _what_was_written(engine, course_id, principals[SEATS].user_id)
    assert [n[0] for n in w["notes"]] == [f"CT2-{service._MARK}: Danh sách chờ (vị trí 1)"]
    assert w["events"][0]["course"] == f"CT2-{service._MARK}" and w["events"][0]["waitlist_position"] == 1
    engine.dispose()


def test_the_hint_that_a_course_is_full_stays_bounded_as_courses_come_and_go(monkeypatch):
    """A national server runs for years and sees courses by the thousand: what it remembers of them stays bounded
    (it forgets them all at the bound, which costs each course one usual press), and the newest is always kept."""
    monkeypatch.setattr(service, "_FULL", {})
    monkeypatch.setattr(service, "_FULL_KEPT", 3)
    for course_id in range(1, 11):
        service._note_full(course_id, True)
        assert len(service._FULL) <= 3 and service._FULL[course_id] is True
    assert service._FULL == {10: True}  # 1-3, then 4-6, then 7-9 were forgotten in turn
    service._note_full(11, True)
    service._note_full(12, False)
    service._note_full(11, False)  # at the bound, a course already known is updated without forgetting the others
    assert service._FULL == {10: True, 11: False, 12: False}
