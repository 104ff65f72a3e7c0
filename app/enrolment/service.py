"""Enrolment use cases: register, nominate, allocate, decide, withdraw with automatic promotion.

Every change that can touch the seat limit first locks the course row (SELECT … FOR UPDATE on PostgreSQL; on SQLite
the request's transaction already holds the single write lock, see app.db.write_session), then counts, decides with
the pure rules, writes, and keeps the unique (course, trainee) pair as the last guard. Waitlist positions are not
stored: they are worked out when read (Enrolment.waitlist_position, in rules.WAITLIST_KEY's order), so joining or
leaving the waitlist writes one row, not every row behind it.
"""
from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from psycopg.errors import NotNullViolation
from psycopg.types.json import Json
from sqlalchemy import bindparam, func, inspect, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app.auth import scope
from app.auth.models import Role
from app.auth.principal import Principal
from app.courses import rules as course_rules
from app.courses import service as courses
from app.courses.models import Course, CoursePlace
from app.curricula.models import CurriculumTargetGroup, CurriculumVersion, TargetGroup
from app.db import utcnow
from app.enrolment import rules
from app.enrolment.facts import record_facts, record_facts_sql
from app.enrolment.models import CourseQuota, Enrolment
from app.errors import Conflict, DomainError, Forbidden, NotFound
from app.jobs import queue
from app.notify.service import email_statement, notify
from app.people import rules as people_rules
from app.people import service as people
from app.people.models import Trainee, TraineeStatus
from app.places import service as places
from app.places.models import AdminUnit

ES = rules.EnrolmentStatus


class NotEligible(DomainError):
    status = 409

    def __init__(self, reasons: list[people_rules.Reason], nominated: bool = False) -> None:
        # An organiser may override the retraining refusal with a written reason: say so where it applies.
        self.overridable = nominated and rules.overridable(reasons)
        hint = " (cán bộ tổ chức có thể cử học lại khi ghi lý do)" if self.overridable else ""
        super().__init__("not_eligible", "Không đăng ký được: " + "; ".join(r.vi for r in reasons) + hint)
        self.reasons = reasons

    def as_json(self) -> dict:
        return {**super().as_json(), "reasons": [{"code": r.code, "vi": r.vi, "en": r.en} for r in self.reasons],
                "overridable": self.overridable}


def _reasons(rs) -> list[dict]:  # noqa: ANN001
    return [{"code": r.code, "vi": r.vi, "en": r.en} for r in rs]


def _lock_course(db: Session, course_id: int) -> Course:
    # FOR NO KEY UPDATE, not FOR UPDATE: an enrolment row inserted in this transaction before the lock holds a
    # key-share lock on the course (its foreign key), which FOR UPDATE would wait for (two such: a deadlock).
    course = db.scalar(select(Course).where(Course.id == course_id).with_for_update(key_share=True)
                       .execution_options(populate_existing=True))
    if course is None:
        raise NotFound("Không tìm thấy khoá học.", code="course_not_found")
    return course


_GROUP_NAMES: list = [0.0, {}]  # [read at (monotonic seconds), names]
_GROUP_NAMES_FOR = 60.0  # seconds


def _group_names(db: Session) -> dict[str, str]:
    """The target groups' Vietnamese names, which only word the priority reasons: read again after a minute (they
    change when the curricula are synced), not at every registration."""
    read_at, names = _GROUP_NAMES
    if not names or time.monotonic() - read_at > _GROUP_NAMES_FOR:
        names = {code: name for code, name in db.execute(select(TargetGroup.code, TargetGroup.name_vi))}
        _GROUP_NAMES[:] = [time.monotonic(), names]
    return names


@dataclass(frozen=True)
class _Reference:
    """What `window` reads besides the course row: fixed for a given course row (see `_reference`)."""
    curriculum_code: str
    groups: tuple[str, ...]
    eligible: frozenset[int]  # every unit inside the course's places
    quotas: dict[int, int]


_REFERENCE: dict[tuple, _Reference] = {}  # this process's copy, by (course, course.updated_at)
_REFERENCE_KEPT = 256  # courses; an entry is a few KB (a province's units)


def _reference(db: Session, course: Course) -> _Reference:
    """The curriculum's code and target groups, the units inside the course's places and the reserved seats.

    Kept in this process by the course row's `updated_at`: a curriculum version never changes once synced, the
    places' tree is the fixed list of administrative units, and changing the course's places, quotas or curriculum
    version writes the course row (`courses.set_places`, `courses.set_quotas`, `courses.update_course`), so a
    registration rush reads them once per process instead of four statements per press, and any server sees a
    change by the next course row it reads."""
    key = (course.id, course.updated_at, course.curriculum_version_id)
    found = _REFERENCE.get(key)
    if found is not None:
        return found
    # The curriculum's code and target groups in one statement, without loading the version's whole document.
    rows = db.execute(select(CurriculumVersion.curriculum_code, CurriculumTargetGroup.priority,
                             CurriculumTargetGroup.target_group_code)
                      .outerjoin(CurriculumTargetGroup, CurriculumTargetGroup.version_id == CurriculumVersion.id)
                      .where(CurriculumVersion.id == course.curriculum_version_id)).all()
    eligible: set[int] = set()
    # The places' units come with the course's places, so that expanding each finds its unit in the session.
    for place in db.scalars(select(AdminUnit).join(CoursePlace, CoursePlace.unit_id == AdminUnit.id)
                            .where(CoursePlace.course_id == course.id)):
        eligible |= set(db.scalars(places.unit_ids_within(db, place.id)))
    quotas = {q.unit_id: q.seats for q in db.scalars(select(CourseQuota).where(CourseQuota.course_id == course.id))}
    found = _Reference(rows[0].curriculum_code, tuple(g for _, g in sorted((p, g) for _, p, g in rows
                                                                           if g is not None)),
                       frozenset(eligible), quotas)
    if course.id is not None and course.updated_at is not None and not db.dirty and not db.new:
        if len(_REFERENCE) >= _REFERENCE_KEPT:
            _REFERENCE.clear()
        _REFERENCE[key] = found
    return found


def window(db: Session, course: Course, units: Iterable[int] | None = None) -> rules.CourseWindow:
    """What the rules need to know about the course: its window, places, curriculum groups, seats and quotas.

    `units`: only these units are looked for inside the course's places (a registration asks about one person's
    unit, not the province's thousand), so `eligible_unit_ids` holds those of them inside; None: every unit."""
    ref = _reference(db, course)
    eligible = ref.eligible if units is None else ref.eligible & frozenset(units)
    return rules.CourseWindow(
        course_status=course.status, registration_opens=course.registration_opens,
        registration_closes=course.registration_closes, eligible_unit_ids=eligible,
        curriculum_code=ref.curriculum_code, curriculum_target_groups=ref.groups, capacity=course.capacity or 0,
        mode=course.allocation_mode, quotas=dict(ref.quotas), recent_years=course.retraining_gap_years or 0)


def _completed_on(db: Session, trainee_ids: list[int], curriculum_code: str,
                  except_course: int) -> dict[int, date]:
    """When each person last completed the same curriculum (one query for everyone)."""
    if not trainee_ids:
        return {}
    rows = db.execute(select(Enrolment.trainee_id, func.max(Course.end_date))
                      .join(Course, Course.id == Enrolment.course_id)
                      .join(CurriculumVersion, CurriculumVersion.id == Course.curriculum_version_id)
                      .where(Enrolment.trainee_id.in_(trainee_ids), Enrolment.status == ES.COMPLETED,
                             CurriculumVersion.curriculum_code == curriculum_code, Course.id != except_course)
                      .group_by(Enrolment.trainee_id))
    return {tid: ended for tid, ended in rows if ended is not None}


def _applicants(db: Session, course: Course, people_: list[tuple[Trainee, object]],
                curriculum_code: str | None = None) -> list[rules.Applicant]:
    """The people as the rules see them. When they last completed the same curriculum is read only when the
    course sets a retraining gap (`rules.retraining_refusal`, the one rule that asks): otherwise it stays None."""
    if curriculum_code is None:
        curriculum_code = db.scalar(select(CurriculumVersion.curriculum_code)
                                    .where(CurriculumVersion.id == course.curriculum_version_id))
    completed = (_completed_on(db, [t.id for t, _ in people_], curriculum_code, course.id)
                 if (course.retraining_gap_years or 0) > 0 else {})
    return [rules.Applicant(
        trainee_id=t.id, unit_id=t.unit_id,
        facts=people_rules.PersonFacts(position=t.position, organisation_type=t.organisation_type,
                                       in_charge_of_radio=t.in_charge_of_radio,
                                       commune_categories=frozenset(t.commune_categories or ())),
        record_confirmed=t.status == TraineeStatus.ACTIVE, registered_at=at or utcnow(),
        completed_same_curriculum_on=completed.get(t.id)) for t, at in people_]


def applicant(db: Session, t: Trainee, course: Course, registered_at=None) -> rules.Applicant:  # noqa: ANN001
    return _applicants(db, course, [(t, registered_at)])[0]


def check(db: Session, course: Course, t: Trainee, w: rules.CourseWindow | None = None
          ) -> tuple[bool, list[people_rules.Reason]]:
    """Whether the person may register now, and why (or why not), in their own terms."""
    return rules.eligibility(w or window(db, course), applicant(db, t, course), utcnow().date(), _group_names(db))


# The registration's hot statements are built once, with bound parameters, and reused: building a statement and
# deriving its cache key cost more CPU than sending it (bench/README.md, "What a request costs before its own work").
_OWN_RECORD = (select(Course, Trainee, Enrolment).select_from(Course)
               .outerjoin(Trainee, Trainee.user_id == bindparam("user_id"))
               .outerjoin(Enrolment, (Enrolment.trainee_id == Trainee.id) & (Enrolment.course_id == Course.id))
               .where(Course.id == bindparam("course_id")))


def _course_and_own_record(db: Session, who: Principal, course_id: int
                           ) -> tuple[Course, Trainee, Enrolment | None]:
    """The course as `courses.find_course` gives it (404 outside the caller's scope), the signed-in person's trainee
    record (as `people.own_record`) and their enrolment in the course, if any: one statement, for the registration's
    hot path (find_course then finds the course row already in the session)."""
    row = None if who.user_id is None else db.execute(
        _OWN_RECORD, {"course_id": course_id, "user_id": who.user_id}).first()
    course = courses.find_course(db, who, course_id)  # the scope's one check; no statement when the row came above
    if row is None or row[1] is None:
        raise NotFound("Tài khoản này chưa có hồ sơ học viên.", code="trainee_not_found")
    return course, row[1], row[2]


def _ranked(db: Session, course: Course, statuses: set[str], w: rules.CourseWindow | None = None
            ) -> list[rules.Ranked]:
    rows = list(db.execute(select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
                           .where(Enrolment.course_id == course.id, Enrolment.status.in_(statuses))))
    return rules.rank(w or window(db, course), _applicants(db, course, [(t, e.registered_at) for e, t in rows]))


_INSERT_COLUMNS = ("course_id", "trainee_id", "status", "registered_at", "reasons", "decided_at", "nominated_by_id",
                   "priority_rank", "priority_sub_rank")


@functools.cache
def _insert_statement(dialect: str):  # noqa: ANN202 - an INSERT … ON CONFLICT of the dialect's own flavour
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Enrolment.__table__
    # A Core INSERT whose RETURNING rows the ORM loads as the entity (the ORM's own INSERT would go through its
    # bulk-persistence machinery: a third of this registration's CPU)
    returning = (insert_(table).values({name: bindparam(name) for name in _INSERT_COLUMNS})
                 .on_conflict_do_nothing(index_elements=[table.c.course_id, table.c.trainee_id])
                 .returning(*table.c))
    return select(Enrolment).from_statement(returning)


def _insert_once(db: Session, values: dict) -> Enrolment | None:
    """INSERT … ON CONFLICT (course, trainee) DO NOTHING: None when the same person's other request got there first.

    The unique pair stays the last guard without a SAVEPOINT (two more round trips inside the course lock)."""
    return db.scalar(_insert_statement(db.get_bind().dialect.name), values)


def _enrolment_of(db: Session, course_id: int, trainee_id: int, fresh: bool = False) -> Enrolment | None:
    stmt = select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.trainee_id == trainee_id)
    return db.scalar(stmt.execution_options(populate_existing=True) if fresh else stmt)


def _counts(db: Session, course_id: int) -> tuple[int, dict[int, int]]:
    rows = db.execute(select(Trainee.unit_id, func.count()).join(Enrolment, Enrolment.trainee_id == Trainee.id)
                      .where(Enrolment.course_id == course_id, Enrolment.status == ES.CONFIRMED)
                      .group_by(Trainee.unit_id))
    by_unit = {unit: n for unit, n in rows}
    return sum(by_unit.values()), by_unit


def _confirmed(db: Session, course_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Enrolment)
                     .where(Enrolment.course_id == course_id, Enrolment.status == ES.CONFIRMED)) or 0


def _positions_moved(db: Session) -> None:
    """Someone joined or left the waitlist: positions read earlier in this session are read again when next used."""
    db.flush()
    _places_read_again(db)


def _priority_keys(r: rules.Ranked) -> tuple[int, int]:
    """The stored part of the waitlist key (rules.WAITLIST_KEY): the priority's rank and sub-rank."""
    rank, sub = r.priority.sort_key[:2]
    return min(rank, INT_MAX), min(sub, INT_MAX)


INT_MAX = 2**31 - 1


def _message(e: Enrolment, course: Course) -> tuple[str, str, str]:
    """What the person is told about their enrolment: subject, text and link."""
    label = rules.STATUS_LABELS[e.status][0]
    position = f" (vị trí {e.waitlist_position})" if e.status == ES.WAITLISTED and e.waitlist_position else ""
    why = "; ".join(r["vi"] for r in e.reasons[:2])
    return f"{course.code}: {label}{position}", f"{course.title}. {why}", f"/courses/{course.id}"


def _tell(db: Session, e: Enrolment, t: Trainee, course: Course) -> None:
    subject, body, link = _message(e, course)
    notify(db, t.user_id, subject, body, link=link, email=t.email)


def register(db: Session, who: Principal, course_id: int, trainee_id: int | None = None,
             reason: str = "") -> Enrolment:
    """Register oneself (or, for an organiser, nominate someone). Asking twice answers with the same enrolment."""
    return register_once(db, who, course_id, trainee_id, reason)[0]


def _override(nominated: bool, reasons: list[people_rules.Reason], written: str) -> people_rules.Reason | None:
    """An organiser nominating someone the course's retraining setting refuses, with a written reason: the one
    refusal that may be overridden (rules.OVERRIDABLE), and only with the reason kept on the enrolment."""
    if not (nominated and written and rules.overridable(reasons)):
        return None
    return people_rules.Reason("nominated_again", f"Cán bộ tổ chức cử học lại: {written}",
                               f"Nominated again by an organiser: {written}")


def register_once(db: Session, who: Principal, course_id: int, trainee_id: int | None = None,
                  reason: str = "", *, finish: bool = False) -> tuple[Enrolment, Trainee, bool]:
    """`register`, also giving the person and whether this call created or renewed the enrolment (False: it
    already stood). A person's own press on a course already full (or allocated by review) first tries to be
    decided in one round trip (`_claim_at_once`); when a seat turned out to be free, that attempt is rolled back
    whole and the press decided the usual way."""
    try:
        return _register_once(db, who, course_id, trainee_id, reason, finish=finish, at_once=True)
    except _SeatFree:
        db.rollback()  # the pending row and the facts went with the refused claim: nothing of it stands
        return _register_once(db, who, course_id, trainee_id, reason, finish=finish, at_once=False)


def _register_once(db: Session, who: Principal, course_id: int, trainee_id: int | None, reason: str, *,
                   finish: bool, at_once: bool) -> tuple[Enrolment, Trainee, bool]:
    """`register_once`.

    Everything that does not depend on the seats is read and decided before queueing for the course's seat lock,
    with no lock held: the course, the person, the eligibility, the priority. The person's own press (`finish`: the
    API's and the page's registration) inserts its row, still "pending" and seen by nobody, as soon as it finds
    none, so a double tap waits on that row's unique (course, trainee) pair and answers with the row that won,
    without reading further or queueing for the seats (a nomination inserts it once the person is known to be
    eligible). The seat lock is taken last, by `_seat_state` (on PostgreSQL the lock, the seat counts and the
    would-be waitlist place in one round trip); the decision is the rules' (`rules.decide_first_come`, review mode,
    quotas) on counts read under the lock; then the row's status, the audit event and the notification are written
    and, with `finish`, committed at once from this thread (on PostgreSQL in one more round trip,
    `_decide_and_commit`), so the lock is held for two round trips and no wait for the event loop. With `at_once`,
    a person's own press whose decision does not depend on the count (`_outcome_when_full`) is sent with the lock
    and the commit in a single round trip instead (`_claim_at_once`), which may raise `_SeatFree`."""
    nominated = trainee_id is not None
    if nominated:
        visible = courses.find_course(db, who, course_id)  # the row only: the hot path needs no modules or sessions
        if not (who.is_admin or who.role == Role.ORGANISER):
            raise Forbidden("Chỉ cán bộ tổ chức mới cử người khác đi học.")
        courses.ensure_may_manage(db, who, visible)
        t = people.get_trainee(db, who, trainee_id)
        existing = _enrolment_of(db, visible.id, t.id)
    else:
        visible, t, existing = _course_and_own_record(db, who, course_id)
    if existing is not None and existing.status in rules.ACTIVE | {ES.COMPLETED}:
        return existing, t, False  # a repeated press: nothing to decide, no lock to queue for
    now = utcnow()
    e = existing
    if existing is None and finish:  # the person's own press: a double tap stops here, before any more reading
        e = _insert_pending(db, who, visible, t, now, nominated)
        if e is None:  # the same person pressed twice at once: answer with the row that won
            return _enrolment_of(db, visible.id, t.id, fresh=True), t, False
    seen = (visible.status, visible.capacity, visible.registration_closes)
    w = window(db, visible, [t.unit_id])
    me = _applicants(db, visible, [(t, now)], w.curriculum_code)[0]
    groups = _group_names(db)
    ok, reasons = rules.eligibility(w, me, now.date(), groups)
    ranked_new = rules.rank(w, [me])[0]
    rank_keys = _priority_keys(ranked_new)
    override = None if ok else _override(nominated, reasons, " ".join(reason.split())[:1000])
    if not ok and override is None:
        raise NotEligible(reasons, nominated)
    if e is None:  # a nomination: the row once the person is known to be eligible (a refused one leaves none)
        e = _insert_pending(db, who, visible, t, now, nominated)
        if e is None:
            return _enrolment_of(db, visible.id, t.id, fresh=True), t, False
    # The person's facts as counted for this course, written before the lock (on PostgreSQL in its round trip).
    pipelined = db.get_bind().dialect.name == "postgresql"
    facts = record_facts_sql(db, e, t, visible, rank_keys[0]) if pipelined else None
    if not pipelined:
        record_facts(db, e, t, visible, rank_keys[0])
    if at_once and finish and facts is not None and existing is None and override is None and not nominated:
        outcome = _outcome_when_full(visible, w, ranked_new, reasons, now)
        if outcome is not None and isinstance(db.get_bind(), Engine) and (t.email is None or queue.in_use(db)):
            _claim_at_once(db, who, e, t, visible, outcome, rank_keys, now, facts, seen)
            return e, t, True
    state = _seat_state(db, course_id, bool(w.quotas), (*rank_keys, now, t.id), facts)  # the seat lock from here
    if existing is not None:  # came back after withdrawing or being refused: look again now that we hold the lock
        e = _enrolment_of(db, state.course.id, t.id, fresh=True)
        if e is None:
            raise NotFound("Không tìm thấy lượt đăng ký.", code="enrolment_not_found")
        if e.status in rules.ACTIVE | {ES.COMPLETED}:
            return e, t, False
    course = state.course
    if (course.status, course.capacity, course.registration_closes) != seen:  # changed while we waited
        w = window(db, course, [t.unit_id])
        ok, reasons = rules.eligibility(w, me, now.date(), groups)
        override = None if ok else _override(nominated, reasons, " ".join(reason.split())[:1000])
        if not ok and override is None:
            raise NotEligible(reasons, nominated)  # the caller's rollback takes the row inserted above
    if override is not None:
        reasons = list(ranked_new.priority.reasons)
    if course.allocation_mode == rules.AllocationMode.REVIEW:
        status, why = ES.PENDING, [_AWAITING, *reasons]
    else:
        decision = rules.decide_first_come(w, ranked_new, state.confirmed, state.by_unit, today=now.date())
        status, why = decision.status, list(decision.reasons)
        if state.pipelined:  # what the next press here tries first (`_claim_at_once`)
            _note_full(course.id, state.confirmed + (status == ES.CONFIRMED) >= max(w.capacity, 0))
    if override is not None:  # kept next to the decision's own reason (the seat), where the list shows it
        why = [*why[:1], override, *why[1:]]
    decided = {"status": status, "registered_at": now, "reasons": _reasons(why), "decided_at": now,
               "priority_rank": rank_keys[0], "priority_sub_rank": rank_keys[1],
               "override_reason": override.vi if override else None}
    if status == ES.WAITLISTED:
        _places_read_again(db, e)
    # Its own position as the row will read once written, counted under the lock (it is never stored).
    decided["waitlist_position"] = state.position if status == ES.WAITLISTED else None
    changes = {"course": course.code, "trainee": t.id, "status": status, "nominated": nominated,
               "waitlist_position": decided["waitlist_position"]}
    note = override.vi if override else None
    if finish and state.pipelined:
        _decide_and_commit(db, who, e, t, course, decided, changes, note)
        return e, t, True
    for name, value in decided.items():
        if name == "waitlist_position":
            set_committed_value(e, name, value)
        else:
            setattr(e, name, value)
    audit.record(db, who, "enrolment.register", "enrolment", e.id, changes, note=note)
    _tell(db, e, t, course)
    if finish:
        db.commit()  # releases the seat lock now, from this thread
    return e, t, True


_AWAITING = people_rules.Reason("awaiting_allocation", "Chờ xét duyệt khi hết hạn đăng ký theo thứ tự ưu tiên",
                                "Waiting for allocation by priority when registration closes")
_FULL: dict[int, bool] = {}
"""Per process, by course: whether its seats were all taken at the last registration decided here. Only a hint of
what to try first: `_claim_at_once` checks it under the seat lock."""
_FULL_KEPT = 10_000  # courses remembered at most; forgetting them all costs one usual press each, nothing else


def _note_full(course_id: int, full: bool) -> None:
    if course_id not in _FULL and len(_FULL) >= _FULL_KEPT:
        _FULL.clear()  # a national installation opens courses for years: the hint must not grow with them
    _FULL[course_id] = full


class _SeatFree(Exception):
    """`_claim_at_once` found a seat free (or the course changed) under the lock, or could not write the place into
    its texts: its transaction is rolled back and the press decided the usual way."""


@dataclass(frozen=True)
class _Outcome:
    status: str
    why: list


def _outcome_when_full(course: Course, w: rules.CourseWindow, ranked_new: rules.Ranked, reasons: list,
                       now: datetime) -> _Outcome | None:
    """The decision that does not depend on the seat count, when there is one to try: REVIEW mode always; FIRST_COME
    when the course was full at its last registration here and reserves no seats (`rules.decision_when_full`)."""
    if course.allocation_mode == rules.AllocationMode.REVIEW:
        return _Outcome(ES.PENDING, [_AWAITING, *reasons])
    if not _FULL.get(course.id):
        return None
    decision = rules.decision_when_full(w, ranked_new, today=now.date())
    return None if decision is None else _Outcome(decision.status, list(decision.reasons))


_MARK = 987654321  # where the waitlist place goes in a text made before the place is known


def _claim_at_once(db: Session, who: Principal, e: Enrolment, t: Trainee, course: Course, outcome: _Outcome,
                   rank_keys: tuple, now: datetime, facts: tuple[str, dict], seen: tuple) -> None:
    """PostgreSQL, a person's own first press, the decision known before the seat count (`_outcome_when_full`):
    the facts, the seat lock, the decision, its audit event, the notification, the e-mail and the COMMIT go to the
    server in **one** round trip, so the seat lock is held for the server's own time on these statements, with no
    wait on this process in between. The decision's statement checks, under the lock, what the decision assumed
    (every seat taken; the course as it was read); if not, it fails (its status would be NULL), the whole
    transaction is rolled back and `_SeatFree` raised. The waitlist place, which only the lock can tell, is counted
    by the statements themselves and written into the texts made here (`_MARK` stands for it): the same rows, texts
    and audit event as `_decide_and_commit` writes."""
    waitlisted = outcome.status == ES.WAITLISTED
    decided = {"status": outcome.status, "registered_at": now, "reasons": _reasons(outcome.why), "decided_at": now,
               "priority_rank": rank_keys[0], "priority_sub_rank": rank_keys[1], "override_reason": None}
    for name, value in decided.items():
        set_committed_value(e, name, value)
    set_committed_value(e, "waitlist_position", _MARK if waitlisted else None)
    subject, body, link = _message(e, course)
    changes = {"course": course.code, "trainee": t.id, "status": outcome.status, "nominated": False,
               "waitlist_position": _MARK if waitlisted else None}
    event = audit.values(who, "enrolment.register", "enrolment", e.id, changes, None)
    changes_text = json.dumps(event["changes"])  # as psycopg's Json writes it on the usual way
    if waitlisted and any(text.count(str(_MARK)) != 1 for text in (changes_text, subject)):
        raise _SeatFree()  # the course's own code holds the mark's digits: the usual way (nothing was sent yet)
    place = _PLACE_SQL if waitlisted else "NULL"
    params = {**{k: decided[k] for k in _DECIDED}, "reasons": Json(decided["reasons"]),
              "updated_at": now, "id": e.id, "c": course.id, "course_status": seen[0], "capacity": seen[1],
              "closes": seen[2], "mode": course.allocation_mode,
              "when_full": course.allocation_mode != rules.AllocationMode.REVIEW,  # REVIEW decides so at any count
              "seats": max(course.capacity or 0, 0), "r": rank_keys[0], "s": rank_keys[1], "at": now, "t": t.id,
              **{k: v for k, v in event.items() if k != "changes"},
              **_split("changes", changes_text), **_split("subject", subject),
              "body": body, "link": link, "user_id": t.user_id, "created_at": now}
    db.flush()  # anything else this request changed is written first, outside the pipeline
    conn = db.connection()
    driver = conn.connection.driver_connection
    try:
        with driver.pipeline():
            driver.cursor().execute(*facts)
            driver.cursor().execute(_LOCK_SQL, params)
            conn.exec_driver_sql(_CLAIM_SQL, params)
            placed = driver.cursor()
            placed.execute(f"SELECT {place}", params)
            conn.exec_driver_sql(_AUDIT_SQL_WITH.format(changes=f"CAST({_joined('changes', place)} AS json)"), params)
            if t.user_id is not None:
                conn.exec_driver_sql(_NOTIFICATION_SQL_WITH.format(subject=_joined("subject", place)), params)
            if t.email:
                sql, job = email_statement(t.email, subject, body, link, subject_sql=_joined("subject", place))
                conn.exec_driver_sql(sql, {**params, **job})
            driver.commit()  # the seat lock ends with this round trip
    except (NotNullViolation, IntegrityError) as err:
        cause = getattr(err, "orig", err)
        if not (isinstance(cause, NotNullViolation) and cause.diag.column_name == "status"):
            raise
        _note_full(course.id, False)
        raise _SeatFree() from err
    position = placed.fetchone()[0]
    set_committed_value(e, "waitlist_position", position)
    if waitlisted:
        _places_read_again(db, e)
    db.commit()  # the session's side of the commit (nothing left to send)


def _places_read_again(db: Session, e: Enrolment | None = None) -> None:
    """The waitlist moved: the places read earlier in this session (but `e`'s, just counted) are read again when
    used."""
    for other in list(db.identity_map.values()):
        if isinstance(other, Enrolment) and other is not e:
            db.expire(other, ["waitlist_position"])


def _split(name: str, text: str) -> dict[str, str]:
    """`text` as the parts before and after `_MARK` (all of it before, when it has none)."""
    before, _, after = text.partition(str(_MARK))
    return {f"{name}_before": before, f"{name}_after": after}


def _joined(name: str, place: str) -> str:
    """SQL for `name`'s text with the waitlist place counted by `place` where `_MARK` stood."""
    return f"(%({name}_before)s || coalesce(({place})::text, '') || %({name}_after)s)"


def _insert_pending(db: Session, who: Principal, course: Course, t: Trainee, now: datetime,
                    nominated: bool) -> Enrolment | None:
    """The enrolment row, created "pending" (seen by nobody until the commit): its status, reasons and priority
    are written once decided, under the seat lock. None when the same person's other request holds the pair."""
    return _insert_once(db, {"course_id": course.id, "trainee_id": t.id, "status": ES.PENDING,
                             "registered_at": now, "reasons": [], "decided_at": now,
                             "nominated_by_id": who.user_id if nominated else None,
                             "priority_rank": 0, "priority_sub_rank": 0})


@dataclass(frozen=True)
class SeatState:
    course: Course  # as it is now, locked
    confirmed: int
    by_unit: dict[int, int]  # confirmed per commune, read only when the course has reserved seats
    position: int  # the place on the waitlist of someone with the given key, were they waitlisted now
    pipelined: bool = False  # read through psycopg's pipeline (PostgreSQL): the writes can go the same way


def _decide_and_commit(db: Session, who: Principal, e: Enrolment, t: Trainee, course: Course, decided: dict,
                       changes: dict, note: str | None) -> None:
    """PostgreSQL, the API's own registration: the decision, its audit event and the person's notification are
    written and committed in one round trip (psycopg's pipeline), so the seat lock taken by `_seat_state` is held
    for the server's time on these statements and not for a wait on this process between them. The same columns
    as the ORM path (`audit.values`, `_message`); the session's copy of the row is updated without a flush."""
    for name, value in decided.items():
        set_committed_value(e, name, value)
    subject, body, link = _message(e, course)
    event = audit.values(who, "enrolment.register", "enrolment", e.id, changes, note)
    db.flush()  # anything else this request changed is written first, outside the pipeline
    conn = db.connection()  # the statements go through SQLAlchemy's connection (its events see them)
    driver = conn.connection.driver_connection
    with driver.pipeline():
        conn.exec_driver_sql(_DECIDE_SQL, {**{k: decided[k] for k in _DECIDED}, "reasons": Json(decided["reasons"]),
                                           "updated_at": decided["decided_at"], "id": e.id})
        conn.exec_driver_sql(_AUDIT_SQL, {**event, "changes": Json(event["changes"])})
        if t.user_id is not None:
            conn.exec_driver_sql(_NOTIFICATION_SQL, {"user_id": t.user_id, "subject": subject[:300], "body": body,
                                                     "link": link, "created_at": decided["decided_at"]})
        notify(db, None, subject, body, link=link, email=t.email)  # the e-mail only, queued in this transaction
        if isinstance(db.get_bind(), Engine):  # the session owns its transaction (a request's, not a test's)
            driver.commit()  # COMMIT goes with the statements above: the seat lock ends with this round trip
    db.commit()  # the session's side of the commit (nothing left to send after the line above)


_DECIDED = ("status", "registered_at", "decided_at", "priority_rank", "priority_sub_rank", "override_reason")
_DECIDE_SQL_WITH = ("UPDATE enrolment SET status = {status}, registered_at = %(registered_at)s,"
                    " reasons = %(reasons)s, decided_at = %(decided_at)s, priority_rank = %(priority_rank)s,"
                    " priority_sub_rank = %(priority_sub_rank)s, override_reason = %(override_reason)s,"
                    " updated_at = %(updated_at)s WHERE id = %(id)s")
_DECIDE_SQL = _DECIDE_SQL_WITH.format(status="%(status)s")
# With the changes or the subject as SQL (`_claim_at_once` writes the waitlist place into them in the statement).
_AUDIT_SQL_WITH = ("INSERT INTO audit_event (occurred_at, actor_id, actor_label, ip_address, action, entity_type,"
                   " entity_id, changes, note) VALUES (%(occurred_at)s, %(actor_id)s, %(actor_label)s,"
                   " %(ip_address)s, %(action)s, %(entity_type)s, %(entity_id)s, {changes}, %(note)s)")
_NOTIFICATION_SQL_WITH = ("INSERT INTO notification (user_id, subject, body, link, created_at)"
                          " VALUES (%(user_id)s, left({subject}, 300), %(body)s, %(link)s, %(created_at)s)")
_AUDIT_SQL = _AUDIT_SQL_WITH.format(changes="%(changes)s")
_NOTIFICATION_SQL = _NOTIFICATION_SQL_WITH.format(subject="%(subject)s")


_SEATS_SQL = (
    "SELECT count(*) FROM enrolment WHERE course_id = %(c)s AND status = 'confirmed'",
    "SELECT trainee.unit_id, count(*) FROM enrolment JOIN trainee ON trainee.id = enrolment.trainee_id"
    " WHERE enrolment.course_id = %(c)s AND enrolment.status = 'confirmed' GROUP BY trainee.unit_id",
)
_LOCK_SQL = ("SELECT status, capacity, registration_closes, allocation_mode FROM course WHERE id = %(c)s"
             " FOR NO KEY UPDATE")  # see _lock_course
_AHEAD_SQL = ("SELECT count(*) FROM enrolment WHERE course_id = %(c)s AND status = 'waitlisted'"
              " AND (priority_rank, priority_sub_rank, registered_at, trainee_id) <= (%(r)s, %(s)s, %(at)s, %(t)s)")
# After `_claim_at_once`'s decision the person's own row is among the waitlisted: this count is its place.
_PLACE_SQL = f"({_AHEAD_SQL})"
# `_claim_at_once`'s decision: the status only if, under the lock, the course is as it was read and (first come)
# every seat is taken; else NULL, which the column refuses, and the whole transaction goes.
_CLAIM_SQL = _DECIDE_SQL_WITH.format(status=(
    "CASE WHEN EXISTS (SELECT 1 FROM course WHERE id = %(c)s AND status = %(course_status)s"  # noqa: S608 - constants
    " AND capacity IS NOT DISTINCT FROM %(capacity)s AND registration_closes IS NOT DISTINCT FROM %(closes)s"
    f" AND allocation_mode = %(mode)s) AND (NOT %(when_full)s OR ({_SEATS_SQL[0]}) >= %(seats)s)"
    " THEN %(status)s END"))


def _seat_state(db: Session, course_id: int, per_unit: bool, key: tuple, before: tuple[str, dict] | None = None
                ) -> SeatState:
    """Take the course's seat lock and read, under it, the confirmed count (per commune when `per_unit`) and the
    waitlist place of someone with the waitlist `key` (rules.WAITLIST_KEY's fields).

    On PostgreSQL the lock and the counts go to the server in one round trip (psycopg's pipeline: each statement
    still runs after the one before, so the counts are read under the lock, with their own snapshot), after the
    statement `before` (SQL and parameters: the registration's facts) when given; the locked row is then loaded
    into the session without another query. On SQLite the request's transaction already holds the write lock."""
    if db.get_bind().dialect.name != "postgresql":
        course = _lock_course(db, course_id)
        confirmed, by_unit = _counts(db, course_id) if per_unit else (_confirmed(db, course_id), {})
        ahead = db.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.course_id == course_id, Enrolment.status == ES.WAITLISTED,
            tuple_(*(getattr(Enrolment, f) for f in rules.WAITLIST_KEY)) <= tuple_(*key)))
        return SeatState(course, confirmed, by_unit, (ahead or 0) + 1)
    raw = db.connection().connection.driver_connection
    params = {"c": course_id, "r": key[0], "s": key[1], "at": key[2], "t": key[3]}
    db.flush()  # anything this request changed is written before the pipeline
    with raw.pipeline():
        if before is not None:
            raw.cursor().execute(*before)
        locked, seats, ahead = raw.cursor(), raw.cursor(), raw.cursor()
        locked.execute(_LOCK_SQL, params)
        seats.execute(_SEATS_SQL[per_unit], params)
        ahead.execute(_AHEAD_SQL, params)
    row = locked.fetchone()
    course = db.get(Course, course_id)  # in the session already (find_course): no query
    if row is None or course is None:
        raise NotFound("Không tìm thấy khoá học.", code="course_not_found")
    if tuple(row) != (course.status, course.capacity, course.registration_closes, course.allocation_mode):
        db.refresh(course)  # changed since it was read: the session's copy becomes the locked row's
    if per_unit:
        by_unit = {unit: n for unit, n in seats.fetchall()}
        confirmed = sum(by_unit.values())
    else:
        confirmed, by_unit = seats.fetchone()[0], {}
    return SeatState(course, confirmed, by_unit, ahead.fetchone()[0] + 1, pipelined=True)


def _get(db: Session, who: Principal, enrolment_id: int) -> tuple[Enrolment, Trainee]:
    row = db.execute(select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
                     .where(Enrolment.id == enrolment_id)).first()
    if row is None:
        raise NotFound("Không tìm thấy lượt đăng ký.", code="enrolment_not_found")
    e, t = row
    course = courses.get_course(db, who, e.course_id)  # 404 outside the caller's scope
    own = who.user_id is not None and t.user_id == who.user_id
    if not (own or scope.may_manage_course(db, who, course)):
        raise NotFound("Không tìm thấy lượt đăng ký.", code="enrolment_not_found")
    return e, t


def _waiting_head(db: Session, course: Course, n: int) -> list[rules.Waiting]:
    """The first `n` on the course's waitlist in rules.WAITLIST_KEY's order, read along ix_enrolment_waitlist: a
    withdrawal during a rush reads the one or two it may promote, not the hundreds waiting, under the seat lock."""
    if n <= 0:
        return []
    return [rules.Waiting(*row) for row in db.execute(
        select(Enrolment.id, Enrolment.trainee_id, Enrolment.priority_rank, Enrolment.priority_sub_rank,
               Enrolment.registered_at)
        .where(Enrolment.course_id == course.id, Enrolment.status == ES.WAITLISTED)
        .order_by(*(getattr(Enrolment, f) for f in rules.WAITLIST_KEY)).limit(n))]


def _promote(db: Session, who: Principal, course: Course, more_seats: bool = False) -> list[Enrolment]:
    """Seats came free: the rules choose who moves up from the waitlist, in order; each is told."""
    capacity, confirmed = course.capacity or 0, _confirmed(db, course.id)
    chosen = rules.promote(capacity, confirmed, _waiting_head(db, course, capacity - confirmed))
    promoted = []
    for w in chosen:
        e = db.get(Enrolment, w.enrolment_id)
        e.status, e.decided_at = ES.CONFIRMED, utcnow()
        kept = [r for r in e.reasons if not r["code"].startswith("waitlist")]
        e.reasons = _reasons([rules.promoted_reason(more_seats)]) + kept
        db.flush()
        record_facts(db, e, db.get(Trainee, e.trainee_id), course)
        audit.record(db, who, "enrolment.promote", "enrolment", e.id, {"course": course.code, "trainee": e.trainee_id})
        _tell(db, e, db.get(Trainee, e.trainee_id), course)
        promoted.append(e)
    if promoted:
        _positions_moved(db)
    return promoted


def fill_free_seats(db: Session, who: Principal, course_id: int) -> list[Enrolment]:
    """The course got more seats: the waitlist moves up into them at once, in order (rules.promote)."""
    return _promote(db, who, _lock_course(db, course_id), more_seats=True)


def withdraw(db: Session, who: Principal, enrolment_id: int, reason: str = "") -> Enrolment:
    """The person (or an organiser for them) leaves the course; the next on the waitlist moves up."""
    e, t = _get(db, who, enrolment_id)
    course = _lock_course(db, e.course_id)
    if not rules.may_change(e.status, ES.WITHDRAWN):
        raise Conflict("cannot_withdraw", f"Không thể rút khi đang ở trạng thái “{rules.STATUS_LABELS[e.status][0]}”.")
    old = e.status
    e.status, e.decided_at = ES.WITHDRAWN, utcnow()
    e.reasons = _reasons([people_rules.Reason("withdrawn", "Đã rút khỏi khoá học" + (f": {reason}" if reason else ""),
                                              "Withdrew from the course" + (f": {reason}" if reason else ""))])
    db.flush()
    audit.record(db, who, "enrolment.withdraw", "enrolment", e.id, {"status": [old, ES.WITHDRAWN]}, note=reason or None)
    _positions_moved(db)
    if old == ES.CONFIRMED:
        _promote(db, who, course)
    return e


def decide(db: Session, who: Principal, enrolment_id: int, status: str, reason: str = "") -> Enrolment:
    """An organiser confirms or rejects one person. Going against the priority order needs a written reason."""
    e, t = _get(db, who, enrolment_id)
    course = _lock_course(db, e.course_id)
    courses.ensure_may_manage(db, who, courses.get_course(db, who, course.id))
    if status not in (ES.CONFIRMED, ES.REJECTED, ES.WAITLISTED) or not rules.may_change(e.status, status):
        raise Conflict("cannot_change", f"Không thể chuyển từ “{rules.STATUS_LABELS[e.status][0]}” sang "
                                        f"“{rules.STATUS_LABELS.get(status, (status,))[0]}”.")
    if status == ES.CONFIRMED:
        confirmed, _ = _counts(db, course.id)
        if confirmed >= (course.capacity or 0):
            raise Conflict("course_full", f"Khoá học đã đủ {course.capacity} chỗ; hãy từ chối hoặc để người khác rút "
                                          "trước.")
        waiting = _ranked(db, course, {ES.WAITLISTED, ES.PENDING})
        ahead = [r for r in waiting if r.applicant.trainee_id != t.id]
        mine = next((r for r in waiting if r.applicant.trainee_id == t.id), None)
        if mine is not None and ahead and ahead[0].key < mine.key and not reason.strip():
            raise DomainError("reason_required", "Có người được ưu tiên hơn đang chờ; cần ghi lý do khi duyệt "
                              "vượt thứ tự.", field="reason", status=422)
    if status == ES.REJECTED and not reason.strip():
        raise DomainError("reason_required", "Cần ghi lý do không duyệt.", field="reason", status=422)
    old = e.status
    e.status, e.decided_at = status, utcnow()
    e.override_reason = reason.strip() or None
    label = "Được cán bộ tổ chức duyệt" if status == ES.CONFIRMED else (
        "Không được duyệt" if status == ES.REJECTED else "Chuyển vào danh sách chờ")
    e.reasons = _reasons([people_rules.Reason(f"decided_{status}", label + (f": {reason.strip()}" if reason.strip()
                                                                             else ""), label)])
    db.flush()
    record_facts(db, e, t, course)
    audit.record(db, who, "enrolment.decide", "enrolment", e.id, {"status": [old, status]}, note=reason or None)
    _positions_moved(db)
    _tell(db, e, t, course)
    if old == ES.CONFIRMED and status == ES.REJECTED:
        _promote(db, who, course)
    return e


def allocate(db: Session, who: Principal, course_id: int) -> list[Enrolment]:
    """Review mode, at the close of registration: the best-ranked up to capacity (quotas first), the rest
    waitlisted in order."""
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    course = _lock_course(db, course_id)
    if course.allocation_mode != rules.AllocationMode.REVIEW:
        raise Conflict("not_review_mode", "Khoá học xét theo thứ tự đăng ký; không cần xét duyệt.")
    if course.registration_closes and utcnow().date() <= course.registration_closes:
        raise Conflict("registration_still_open", "Chưa hết hạn đăng ký; hãy xét duyệt sau ngày "
                                                  f"{course.registration_closes:%d/%m/%Y}.")
    ranked = _ranked(db, course, {ES.PENDING, ES.WAITLISTED})
    confirmed_now, _ = _counts(db, course.id)
    decisions = {d.trainee_id: d for d in rules.allocate(
        _with_capacity(window(db, course), (course.capacity or 0) - confirmed_now), ranked)}
    changed = []
    for e in db.scalars(select(Enrolment).where(Enrolment.course_id == course.id,
                                                Enrolment.status.in_([ES.PENDING, ES.WAITLISTED]))):
        d = decisions[e.trainee_id]
        e.status, e.decided_at = d.status, utcnow()
        e.reasons = _reasons(d.reasons)
        changed.append(e)
    course.allocated_at = utcnow()
    _positions_moved(db)
    audit.record(db, who, "enrolment.allocate", "course", course.id,
                 {"confirmed": sum(e.status == ES.CONFIRMED for e in changed),
                  "waitlisted": sum(e.status == ES.WAITLISTED for e in changed)})
    trainees = {t.id: t for t in db.scalars(select(Trainee).where(Trainee.id.in_([e.trainee_id for e in changed])))}
    for e in changed:
        record_facts(db, e, trainees[e.trainee_id], course)
        _tell(db, e, trainees[e.trainee_id], course)
    return changed


def _with_capacity(w: rules.CourseWindow, seats: int) -> rules.CourseWindow:
    return replace(w, capacity=max(0, seats))


def nominate_many(db: Session, who: Principal, course_id: int, trainee_ids: list[int],
                  reason: str = "") -> list[Enrolment]:
    """Enrol a whole list at once; if anyone cannot be enrolled, no one is (the caller's transaction rolls back).
    A written `reason` lets the organiser nominate people the course's retraining setting would refuse."""
    out, refused = [], []
    for tid in dict.fromkeys(trainee_ids):
        try:
            out.append(register(db, who, course_id, tid, reason))
        except NotEligible as err:
            t = db.get(Trainee, tid)
            refused.append(f"{t.full_name if t else tid}: {err.reasons[0].vi if err.reasons else err.message}")
    if refused:
        listing = "; ".join(refused[:20])
        raise Conflict("nomination_refused", f"Không cử được, chưa ai được ghi danh: {listing}")
    return out


def course_enrolments(db: Session, who: Principal, course_id: int, status: str | None = None
                      ) -> list[tuple[Enrolment, Trainee]]:
    course = courses.get_course(db, who, course_id)
    courses.ensure_may_manage(db, who, course)
    stmt = (select(Enrolment, Trainee).join(Trainee, Trainee.id == Enrolment.trainee_id)
            .where(Enrolment.course_id == course.id)
            .options(places.with_chain(selectinload(Trainee.unit)))  # the class list names the province
            .order_by(Enrolment.status, Enrolment.waitlist_position, Trainee.search_name))
    if status:
        stmt = stmt.where(Enrolment.status == status)
    return [(e, t) for e, t in db.execute(stmt)]


def counts(db: Session, course_id: int) -> dict[str, int]:
    rows = db.execute(select(Enrolment.status, func.count()).where(Enrolment.course_id == course_id)
                      .group_by(Enrolment.status))
    return {s: n for s, n in rows}


def my_enrolments(db: Session, who: Principal) -> list[tuple[Enrolment, Course]]:
    t = people.own_record(db, who)
    if t is None:
        return []
    return list(db.execute(select(Enrolment, Course).join(Course, Course.id == Enrolment.course_id)
                           .where(Enrolment.trainee_id == t.id).order_by(Course.start_date.desc(), Course.id.desc())
                           ))


def may_register_again(db: Session, who: Principal, mine: list[tuple[Enrolment, Course]]) -> set[int]:
    """The courses among the caller's where they withdrew and may take it back now: registration is still open to
    them (the same eligibility as a first registration). Registering again puts them where anyone registering now
    would go: a free seat, else the waitlist in its usual order, never their old place."""
    t = people.own_record(db, who, with_place=False)
    if t is None:
        return set()
    return {c.id for e, c in mine
            if e.status == ES.WITHDRAWN and c.status == course_rules.Status.OPEN and check(db, c, t)[0]}


def joinable(db: Session, who: Principal) -> list[tuple[Course, bool, list[people_rules.Reason]]]:
    """Open courses and, for each, whether the caller may register and why."""
    t = people.own_record(db, who)
    open_courses = courses.visible_courses(db, who, courses.CourseFilters(status=course_rules.Status.OPEN))
    if t is None:
        return []
    mine = set(db.scalars(select(Enrolment.course_id).where(Enrolment.trainee_id == t.id)))
    return [(c, *check(db, c, t)) for c in open_courses if c.id not in mine]



def unit_name(t: Trainee) -> str:
    return t.unit.name if "unit" not in inspect(t).unloaded else ""
