"""Late changes to a closed period: the one choke point that keeps a submitted report from changing silently.

A closed period's report (`ReportSubmission`, kind "submitted") counts the courses that *start* in the period, under
the unit that organised them (courses held, budget) and under the commune recorded with each seat (people figures,
`enrolment_fact`). Every ORM flush that writes a row those figures are made of — the course itself (status, dates,
organiser, curriculum, programme), its enrolments' decisions and withdrawals, their facts, attendance marks,
certificates, results, a deleted session (its marks go with it), budget lines, and media products (counted where
they were produced) — is checked here, before anything reaches the database, whichever service, page, API, job or
import made it:
- the row's course is held (running, finished, closed: before or after the write) and starts in a closed period of
  a scope that contains the course's organiser or one of its seats' communes (or, for a media product, its unit):
  without a reason the flush is refused (`PeriodClosed`, 409), nothing written;
- with a reason (`app.db.LATE_REASON` on the session, at least `rules.MIN_REASON` characters: the API's
  `X-Late-Reason` header or a form's `late_reason` field, `allow` elsewhere) it goes through, and a `LateChange`
  row per submission, course, kind of row and action records who, when, what and why, with an audit event.

Cheap when nothing is closed: a course that starts today or later lies in no closed period (only ended periods are
closed), and the registration path has its course in the session already, so it costs no query. Otherwise one query
reads the closed periods (cached for the transaction), and a course in none of them costs nothing more.

A trainee's own check-in is never refused (the trainee is in the room and cannot give an organiser's reason): it is
recorded as a late change with `rules.SELF_CHECK_IN_REASON`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, exists, inspect, select
from sqlalchemy.orm import Session

from app import audit
from app.attendance.models import AttendanceMark
from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.courses.models import BudgetLine, Course, CourseSession
from app.db import LATE_ACTOR, LATE_REASON, utcnow
from app.enrolment.models import Enrolment, EnrolmentFact
from app.errors import Conflict
from app.i18n import DEFAULT_TZ
from app.media.models import MediaBudgetLine, MediaProduct
from app.places import service as places
from app.reports import rules
from app.reports.models import LateChange, ReportSubmission
from app.reports.rules import HELD_STATUSES as HELD

_CLOSED = "nangluc.late.closed"  # session.info: the closed periods, read once per transaction
_WITHIN = "nangluc.late.within"  # session.info: unit id -> the unit ids inside it
_RECORDED = "nangluc.late.recorded"  # session.info: the late changes and audit events of this transaction

# What a report counts, per kind of row: an update of other columns (a course's title, a mark's note) changes no
# figure and asks for nothing.
FIGURES: dict[type, frozenset[str]] = {
    # (budget_lines: a line added through the collection has no course id before the flush; the course's
    # collection changes instead)
    Course: frozenset({"status", "start_date", "end_date", "unit_id", "curriculum_version_id", "programme_id",
                       "budget_lines"}),
    Enrolment: frozenset({"status", "course_id", "trainee_id", "completed_at", "assessment_passed"}),
    EnrolmentFact: frozenset({"unit_id", "position", "organisation_type", "target_group_code", "priority_rank",
                              "commune_categories", "sex", "ethnic_minority"}),
    AttendanceMark: frozenset({"status", "enrolment_id", "session_id"}),
    Certificate: frozenset({"status", "enrolment_id", "course_id"}),
    BudgetLine: frozenset({"category", "planned_amount", "actual_amount", "funding_source", "course_id"}),
    MediaProduct: frozenset({"kind", "unit_id", "produced_on", "published_on", "rebroadcast_count", "deleted_at",
                             "budget_lines"}),
    MediaBudgetLine: frozenset({"category", "planned_amount", "actual_amount", "funding_source", "media_id"}),
}
SESSION_DELETED = CourseSession  # its marks are deleted with it by the database


class PeriodClosed(Conflict):
    """A write to a closed period's figures without a reason."""

    def __init__(self, message: str) -> None:
        super().__init__("period_closed", message, field="late_reason")


@dataclass
class _Touch:
    """One row a flush writes that a report counts."""

    entity: str
    action: str  # insert, update, delete
    row_id: Any
    fields: tuple[str, ...] = ()
    course: Any = None  # a course id, or a new Course object
    enrolment_ids: set[int] = field(default_factory=set)  # to find the course by
    media: Any = None  # a media product id, or a new MediaProduct
    units: set[int] = field(default_factory=set)  # units this row itself places in a scope (a fact, a product)
    dates: set[date] = field(default_factory=set)  # for a course row or a product: its dates before and after
    statuses: set[str] = field(default_factory=set)  # for a course row: its status before and after
    self_check_in: bool = False


@dataclass(frozen=True)
class Closed:
    """A closed period of a scope, as the refusal and the course pages name it."""

    id: int
    period: rules.Period
    scope_name: str
    unit_id: int | None  # None: the whole country
    closed_by: str
    closed_on: date


def allow(db: Session, who: object, reason: str) -> None:
    """Let this session's next writes change a closed period's figures, for this reason (a job, the CLI, a test; a
    request gives it in its header or form instead)."""
    db.info[LATE_REASON] = reason
    db.info[LATE_ACTOR] = who


def forget(db: Session) -> None:
    """Drop what this session cached (a period was closed in it)."""
    db.info.pop(_CLOSED, None)


def _today() -> date:
    return utcnow().astimezone(ZoneInfo(DEFAULT_TZ)).date()


def _history(obj: object, name: str) -> list[Any]:
    """The column's value now and, when the flush changes it, before."""
    h = inspect(obj).attrs[name].history
    return [v for v in (*h.added, *h.deleted, *h.unchanged) if v is not None]


def _changed(obj: object, names: frozenset[str]) -> tuple[str, ...]:
    state = inspect(obj)
    return tuple(sorted(n for n in names if state.attrs[n].history.has_changes()))


def _touches(db: Session) -> list[_Touch]:
    out: list[_Touch] = []
    for action, objects in (("insert", db.new), ("update", db.dirty), ("delete", db.deleted)):
        for obj in objects:
            cls = type(obj)
            if cls is SESSION_DELETED:
                if action == "delete":
                    out.append(_Touch("course_session", action, obj.id, course=obj.course_id))
                continue
            names = FIGURES.get(cls)
            if names is None:
                continue
            fields: tuple[str, ...] = ()
            if action == "update":
                fields = _changed(obj, names)
                if not fields:
                    continue
            t = _Touch(cls.__tablename__, action, getattr(obj, "id", None) if action != "insert" else None, fields)
            if cls is Course:
                t.course = obj.id if obj.id is not None else obj
                t.dates = set(_history(obj, "start_date"))
                t.statuses = set(_history(obj, "status"))
                t.units = set(_history(obj, "unit_id"))
            elif cls is Enrolment:  # before and after a move to another course
                out.extend(_Touch(t.entity, action, obj.id, fields, course=c) for c in _history(obj, "course_id"))
                continue
            elif cls is EnrolmentFact:
                t.row_id = obj.enrolment_id
                t.enrolment_ids = set(_history(obj, "enrolment_id"))
                t.units = set(_history(obj, "unit_id"))
            elif cls is AttendanceMark:
                t.enrolment_ids = set(_history(obj, "enrolment_id"))
                t.self_check_in = obj.method == "check_in" and action != "delete"
            elif cls in (Certificate, BudgetLine):
                t.course = obj.course_id
            elif cls is MediaProduct:
                t.media = obj.id if obj.id is not None else obj
                t.dates = set(_history(obj, "produced_on"))
                t.units = set(_history(obj, "unit_id"))
            elif cls is MediaBudgetLine:
                t.media = obj.media_id
            out.append(t)
    return out


def _loaded(db: Session, cls: type, key: Any, names: tuple[str, ...]) -> tuple | None:
    """The columns of a row this session holds, without a query (None when it does not hold them all)."""
    if not isinstance(key, int):  # a new row: it has no id yet, and its columns are what it was given
        return tuple(getattr(key, n) for n in names)
    obj = db.identity_map.get(inspect(cls).identity_key_from_primary_key((key,)))
    if obj is None:
        return None
    loaded = inspect(obj).dict
    if any(n not in loaded for n in names):
        return None
    return tuple(loaded[n] for n in names)


def _courses_of_enrolments(db: Session, ids: set[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    missing = set()
    for i in ids:
        got = _loaded(db, Enrolment, i, ("course_id",))
        if got is None:
            missing.add(i)
        else:
            out[i] = got[0]
    if missing:
        out.update(db.execute(select(Enrolment.id, Enrolment.course_id).where(Enrolment.id.in_(missing))).all())
    return out


_COURSE = ("id", "code", "start_date", "unit_id", "status")
_MEDIA = ("id", "title", "produced_on", "unit_id")


def _rows(db: Session, cls: type, keys: set[Any], names: tuple[str, ...]) -> dict[Any, tuple]:
    """(id, label, date, unit) of each course or media product, from the session where it holds them."""
    out: dict[Any, tuple] = {}
    missing = set()
    for k in keys:
        got = _loaded(db, cls, k, names)
        if got is None:
            missing.add(k)
        else:
            out[k] = got
    if missing:
        cols = [getattr(cls, n) for n in names]
        out.update({r[0]: tuple(r) for r in db.execute(select(*cols).where(cls.id.in_(missing)))})
    return out


def closed_periods(db: Session) -> list[Closed]:
    """Every closed period (a small table: one row per scope and period), read once per transaction."""
    cached = db.info.get(_CLOSED)
    if cached is None:
        rows = db.execute(select(ReportSubmission.id, ReportSubmission.period_key, ReportSubmission.scope_name,
                                 ReportSubmission.unit_id, ReportSubmission.submitted_by_label,
                                 ReportSubmission.submitted_at).where(ReportSubmission.kind == "submitted"))
        cached = db.info[_CLOSED] = [
            Closed(i, rules.parse_period(p), name, unit, by, at.astimezone(ZoneInfo(DEFAULT_TZ)).date())
            for i, p, name, unit, by, at in rows]
    return cached


def _within(db: Session, unit_id: int) -> frozenset[int]:
    cache = db.info.setdefault(_WITHIN, {})
    if unit_id not in cache:
        cache[unit_id] = frozenset(db.scalars(places.unit_ids_within(db, unit_id)))
    return cache[unit_id]


def _seat_in(db: Session, course_id: int, within: frozenset[int]) -> bool:
    """Whether one of the course's seats counts under the scope (its recorded commune)."""
    return bool(db.scalar(select(exists().where(EnrolmentFact.enrolment_id == Enrolment.id,
                                                Enrolment.course_id == course_id,
                                                EnrolmentFact.unit_id.in_(within)))))


def affected(db: Session, *, course_id: int | None, dates: set[date], units: set[int]) -> list[Closed]:
    """The closed periods whose figures a write to this course (or media product: course_id None) would change."""
    today = _today()
    if not any(rules.may_be_closed(d, today) for d in dates):
        return []
    out = []
    for c in closed_periods(db):
        if not any(rules.period_contains(c.period, d) for d in dates):
            continue
        if c.unit_id is None:
            out.append(c)
            continue
        within = _within(db, c.unit_id)
        if units & within or (course_id is not None and _seat_in(db, course_id, within)):
            out.append(c)
    return out


def closed_for_course(db: Session, course: Course) -> list[Closed]:
    """The closed periods a course lies in (the course pages show them above their forms)."""
    return affected(db, course_id=course.id, dates={course.start_date} if course.start_date else set(),
                    units={course.unit_id})


def _actor(db: Session) -> tuple[int | None, str, object]:
    who = db.info.get(LATE_ACTOR)
    who = getattr(who, "principal", who)
    if who is None or not hasattr(who, "user_id"):
        from app.auth.principal import Principal

        who = Principal.system()
    return who.user_id, (getattr(who, "full_name", "") or who.label), who


def _check(db: Session, _ctx: object = None, _instances: object = None) -> None:
    touches = _touches(db)
    if not touches:
        return
    with db.no_autoflush:
        _guard(db, touches)


def _guard(db: Session, touches: list[_Touch]) -> None:
    enrolments = {i for t in touches for i in t.enrolment_ids}
    by_enrolment = _courses_of_enrolments(db, enrolments) if enrolments else {}
    for t in touches:
        if t.course is None and t.enrolment_ids:
            courses = {by_enrolment[i] for i in t.enrolment_ids if i in by_enrolment}
            t.course = next(iter(courses), None)
    courses = _rows(db, Course, {t.course for t in touches if t.course is not None}, _COURSE)
    media = _rows(db, MediaProduct, {t.media for t in touches if t.media is not None}, _MEDIA)
    # (closed period, course or product) -> what the flush writes to it
    hits: dict[tuple[Closed, str, Any], list[_Touch]] = defaultdict(list)
    labels: dict[tuple[str, Any], str] = {}
    for t in touches:
        if t.course is not None and t.course in courses:
            cid, code, start, unit, status = courses[t.course]
            if not {status, *t.statuses} & HELD:  # a draft, open or cancelled course counts nowhere
                continue
            key = ("course", t.course if isinstance(t.course, int) else cid)
            found = affected(db, course_id=cid, dates={start, *t.dates} - {None}, units={unit, *t.units} - {None})
        elif t.media is not None and t.media in media:
            mid, code, produced, unit = media[t.media]
            key = ("media", mid)
            found = affected(db, course_id=None, dates={produced, *t.dates} - {None}, units={unit, *t.units} - {None})
        else:
            continue
        labels[key] = code
        for c in found:
            hits[(c, *key)].append(t)
    if not hits:
        return
    reason = rules.given_reason(db.info.get(LATE_REASON))
    if reason is None:
        for (c, kind, _key), ts in hits.items():
            if not all(t.self_check_in for t in ts):
                what = (f"khoá học {labels[(kind, _key)]}" if kind == "course"
                        else f"sản phẩm truyền thông “{labels[(kind, _key)]}”")
                raise PeriodClosed(rules.closed_message(c.period.key, c.scope_name, c.closed_by, c.closed_on, what))
    _record(db, hits, labels, reason)


def _gone(obj: object) -> bool:
    """Added by a savepoint since rolled back: no longer in the session."""
    state = inspect(obj)
    return state.transient or state.detached


def _record(db: Session, hits: dict, labels: dict, reason: str | None) -> None:
    """One LateChange per submission, course, kind of row, action, reason and writer for the whole transaction: a
    service that flushes row by row (ten certificates) still reads as one line ("Giấy chứng nhận: thêm ×10")."""
    user_id, label, who = _actor(db)
    recorded = db.info.setdefault(_RECORDED, {})
    for (c, kind, key), ts in hits.items():
        why = reason or rules.SELF_CHECK_IN_REASON
        grouped: dict[tuple[str, str], list[_Touch]] = defaultdict(list)
        for t in ts:
            grouped[(t.entity, t.action)].append(t)
        for (entity, action), group in sorted(grouped.items()):
            ids = {t.row_id for t in group if t.row_id is not None}
            fields = {f for t in group for f in t.fields}
            row = recorded.get((c.id, kind, key, entity, action, why, user_id))
            if row is None or _gone(row):
                row = recorded[(c.id, kind, key, entity, action, why, user_id)] = LateChange(
                    submission_id=c.id, course_id=key if kind == "course" else None,
                    course_label=labels[(kind, key)], entity=entity, action=action, count=0, entity_ids=[],
                    fields=[], reason=why, changed_by_id=user_id, changed_by_label=label[:200])
                db.add(row)
            row.count += len(group)
            row.entity_ids = sorted({*row.entity_ids, *ids})
            row.fields = sorted({*row.fields, *fields})
        # The trail is append-only: one event per flush (as the writes it follows are recorded).
        db.add(AuditEvent(**audit.values(
            who, "report.late_change", "report_submission", c.id,
            {"period": c.period.key, kind: labels[(kind, key)],
             "rows": {f"{e}.{a}": len(g) for (e, a), g in sorted(grouped.items())}}, note=why[:500])))


def _reset(db: Session, transaction: object) -> None:
    """The transaction is over (not a savepoint: SQLAlchemy reports those too): what it cached goes."""
    if getattr(transaction, "parent", None) is not None:
        return
    db.info.pop(_CLOSED, None)
    db.info.pop(_WITHIN, None)
    db.info.pop(_RECORDED, None)


def listen() -> None:
    """Hook the check on every ORM session (once, on import)."""
    if event.contains(Session, "before_flush", _check):
        return
    event.listen(Session, "before_flush", _check)
    event.listen(Session, "after_transaction_end", _reset)


listen()
