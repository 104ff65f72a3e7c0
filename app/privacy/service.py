"""Personal-data rights: a person's own data in one file, their requests, anonymisation, and retention."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app import audit
from app.attendance.models import AttendanceMark
from app.audit.models import AuditEvent
from app.auth import scope
from app.auth.models import AuthSession, User
from app.auth.passwords import hash_password
from app.auth.principal import Principal
from app.certificates.models import Certificate
from app.config import get_settings
from app.core.text import fold
from app.courses.models import CalendarFeed, Course, CourseSession
from app.db import utcnow
from app.enrolment.models import Enrolment, EnrolmentFact
from app.enrolment.rules import ACTIVE
from app.errors import Conflict, Invalid, NotFound
from app.notify.models import Notification
from app.notify.service import notify
from app.paperwork import rules as paperwork_rules
from app.paperwork import service as paperwork
from app.people import reference
from app.people import service as people
from app.people.models import Trainee
from app.places import service as places
from app.places.models import AdminUnit
from app.privacy import rules
from app.privacy.models import DataRequest
from app.signup.models import SignUp, SignUpStatus


def _own(db: Session, who: Principal) -> Trainee:
    t = people.own_record(db, who)
    if t is None:
        raise NotFound("Tài khoản này chưa có hồ sơ học viên.", code="trainee_not_found")
    return t


def _facts(db: Session, f: EnrolmentFact | None) -> dict | None:
    """What the reports count about the person for a course, as recorded then (app.enrolment.facts)."""
    if f is None:
        return None
    def label(options: tuple, code: str | None) -> str | None:
        return next((o.vi for o in options if o.code == code), code)

    unit = db.get(AdminUnit, f.unit_id)
    return {"commune": unit.name if unit else None, "commune_key": unit.key if unit else None,
            "position": label(reference.POSITIONS, f.position),
            "organisation_type": label(reference.ORGANISATION_TYPES, f.organisation_type),
            "target_group": f.target_group_code, "priority_rank": f.priority_rank,
            "commune_categories": list(f.commune_categories or []), "sex": label(reference.SEXES, f.sex),
            "ethnic_minority": f.ethnic_minority, "source": f.source, "recorded_at": f.recorded_at.isoformat()}


def my_data(db: Session, who: Principal) -> dict:
    """Everything held about the signed-in person, in one document (and the download is recorded)."""
    user = db.get(User, who.user_id)
    t = people.own_record(db, who)
    label = lambda options, code: reference.by_code(options, code).vi if code else None  # noqa: E731
    data: dict = {"generated_at": utcnow().isoformat(),
                  "account": {"username": user.username, "full_name": user.full_name, "role": user.role,
                              "created_at": user.created_at.isoformat(),
                              "last_sign_in_at": user.last_sign_in_at.isoformat() if user.last_sign_in_at else None,
                              "locale": user.locale}}
    signed_up = db.scalar(select(SignUp).where(SignUp.user_id == user.id))
    if signed_up is not None:  # what the person typed at /signup, kept until an organiser decides
        data["sign_up"] = {"status": signed_up.status, "created_at": signed_up.created_at.isoformat(),
                           "decided_at": signed_up.decided_at.isoformat() if signed_up.decided_at else None,
                           "reason": signed_up.note, "typed": dict(signed_up.data or {})}
    if t is not None:
        data["trainee"] = {
            "full_name": t.full_name, "sex": label(reference.SEXES, t.sex), "birth_date": t.birth_date.isoformat(),
            "ethnicity": label(reference.ETHNICITIES, t.ethnicity), "citizen_id": t.citizen_id, "phone": t.phone,
            "email": t.email, "position": label(reference.POSITIONS, t.position),
            "organisation_type": label(reference.ORGANISATION_TYPES, t.organisation_type),
            "commune": places.path_label(t.unit), "in_charge_of_radio": t.in_charge_of_radio,
            "commune_categories": list(t.commune_categories or []), "target_group": t.target_group_code,
            "status": t.status, "created_at": t.created_at.isoformat(), "updated_at": t.updated_at.isoformat()}
        enrolments = db.execute(select(Enrolment, Course, EnrolmentFact).join(Course, Course.id == Enrolment.course_id)
                                .outerjoin(EnrolmentFact, EnrolmentFact.enrolment_id == Enrolment.id)
                                .where(Enrolment.trainee_id == t.id).order_by(Enrolment.id)).all()
        data["enrolments"] = [{"course": c.code, "title": c.title, "status": e.status,
                               "registered_at": e.registered_at.isoformat(), "reasons": [r["vi"] for r in e.reasons],
                               "attendance_share": e.attendance_share, "counted_as": _facts(db, fact)}
                              for e, c, fact in enrolments]
        marks = db.execute(select(AttendanceMark, CourseSession, Course)
                           .join(CourseSession, CourseSession.id == AttendanceMark.session_id)
                           .join(Course, Course.id == CourseSession.course_id)
                           .join(Enrolment, Enrolment.id == AttendanceMark.enrolment_id)
                           .where(Enrolment.trainee_id == t.id).order_by(CourseSession.session_date)).all()
        data["attendance"] = [{"course": c.code, "date": s.session_date.isoformat(),
                               "start": s.start_time.strftime("%H:%M"), "mark": m.status, "method": m.method,
                               "note": m.note} for m, s, c in marks]
        certs = db.scalars(select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
                           .where(Enrolment.trainee_id == t.id).order_by(Certificate.id))
        data["certificates"] = [{"number": c.number, "status": c.status, "issued_at": c.issued_at.isoformat(),
                                 "verify_url": c.data.get("verify_url"), "course": c.data.get("course_title")}
                                for c in certs]
        data["documents"] = [{"course": c.code, "document": paperwork_rules.KINDS[doc.kind].vi,
                              "generated_at": doc.generated_at.isoformat(), "number": doc.number}
                             for doc in paperwork.documents_naming(db, t)
                             for c in [db.get(Course, doc.course_id)]]
        data["requests"] = [{"kind": r.kind, "message": r.message, "status": r.status,
                             "created_at": r.created_at.isoformat(), "response": r.response}
                            for r in db.scalars(select(DataRequest).where(DataRequest.trainee_id == t.id))]
    data["notifications"] = [{"subject": n.subject, "created_at": n.created_at.isoformat()}
                             for n in db.scalars(select(Notification).where(Notification.user_id == user.id)
                                                 .order_by(Notification.id))]
    about = [("user", str(user.id))] + ([("trainee", str(t.id))] if t is not None else [])
    events = db.scalars(select(AuditEvent).where(or_(*[(AuditEvent.entity_type == kind) & (AuditEvent.entity_id == i)
                                                       for kind, i in about]))
                        .order_by(AuditEvent.id))
    data["access_and_changes"] = [{"at": e.occurred_at.isoformat(), "by": e.actor_label, "action": e.action}
                                  for e in events]
    audit.record(db, who, "privacy.download", "user", user.id)
    return data


def request_change(db: Session, who: Principal, kind: str, message: str) -> DataRequest:
    if kind not in rules.KINDS:
        raise Invalid("kind_invalid", "Loại yêu cầu không hợp lệ.", field="kind")
    message = " ".join((message or "").split())
    if kind == "correction" and len(message) < 5:
        raise Invalid("message_required", "Hãy ghi rõ thông tin nào cần sửa và sửa thành gì.", field="message")
    t = _own(db, who)
    if db.scalar(select(DataRequest.id).where(DataRequest.trainee_id == t.id, DataRequest.kind == kind,
                                             DataRequest.status == "open")) is not None:
        raise Conflict("request_open", "Bạn đã có một yêu cầu loại này đang chờ xử lý.")
    r = DataRequest(trainee_id=t.id, kind=kind, message=message[:2000] or "—")
    db.add(r)
    db.flush()
    audit.record(db, who, f"privacy.request.{kind}", "trainee", t.id, {"request": r.id})
    return r


def _may_handle(db: Session, who: Principal, t: Trainee) -> None:
    """Outside the caller's unit the person does not exist for them: 404, like any record out of scope."""
    if not scope.may_manage_trainee(db, who, t):
        raise NotFound("Không tìm thấy hồ sơ.", code="trainee_not_found")


def open_requests(db: Session, who: Principal) -> list[tuple[DataRequest, Trainee]]:
    stmt = (select(DataRequest, Trainee).join(Trainee, Trainee.id == DataRequest.trainee_id)
            .where(DataRequest.status == "open").order_by(DataRequest.created_at))
    if not who.is_admin:
        stmt = stmt.where(Trainee.unit_id.in_(places.unit_ids_within(db, who.unit_id)))
    return list(db.execute(stmt))


def handle(db: Session, who: Principal, request_id: int, outcome: str, response: str) -> DataRequest:
    """Close a request: `done` (a correction made, or a deletion carried out by anonymising), or `refused` with
    the reason the law allows (e.g. the record is needed for an ongoing course)."""
    r = db.get(DataRequest, request_id)
    t = db.get(Trainee, r.trainee_id) if r is not None else None
    if r is None or r.status != "open" or not scope.may_manage_trainee(db, who, t):
        raise NotFound("Không tìm thấy yêu cầu đang chờ xử lý.", code="request_not_found")
    response = " ".join((response or "").split())
    if outcome not in ("done", "refused"):
        raise Invalid("outcome_invalid", "Kết quả xử lý không hợp lệ.", field="outcome")
    if outcome == "refused" and len(response) < 5:
        raise Invalid("response_required", "Hãy ghi lý do từ chối.", field="response")
    user_id = t.user_id
    if outcome == "done" and r.kind == "deletion":
        anonymise(db, who, t.id, f"yêu cầu xoá dữ liệu #{r.id}")
    r.status, r.handled_by_id, r.handled_at, r.response = outcome, who.user_id, utcnow(), response[:2000] or None
    audit.record(db, who, f"privacy.request.{outcome}", "trainee", t.id, {"request": r.id, "kind": r.kind})
    if r.kind != "deletion" or outcome != "done":
        label = "đã được xử lý" if outcome == "done" else "bị từ chối"
        notify(db, user_id, f"Yêu cầu {rules.KINDS[r.kind][0].lower()} {label}", response or "", link="/me")
    return r


def anonymise(db: Session, who: Principal, trainee_id: int, reason: str) -> Trainee:
    """Remove what identifies the person; keep what reports count (sex, year of birth, ethnicity group, position,
    commune, courses and marks) and the certificates already issued, which stay verifiable."""
    t = db.get(Trainee, trainee_id)
    if t is None:
        raise NotFound("Không tìm thấy học viên.", code="trainee_not_found")
    _may_handle(db, who, t)
    if db.scalar(select(Enrolment.id).join(Course, Course.id == Enrolment.course_id).where(
            Enrolment.trainee_id == t.id, Enrolment.status.in_(ACTIVE),
            Course.status.in_(("open", "running")))) is not None:
        raise Conflict("enrolment_open", "Người này đang tham gia một khoá học chưa kết thúc; hãy rút khỏi khoá "
                       "học trước khi xoá dữ liệu.")
    if t.full_name == rules.anonymous_name(t.id):
        return t
    documents = paperwork.redact_person(db, t, rules.anonymous_name(t.id),
                                       str(t.birth_date.year) if t.birth_date else "")
    t.full_name = rules.anonymous_name(t.id)
    t.search_name = fold(t.full_name)
    t.citizen_id = rules.anonymous_citizen_id(t.id)
    t.birth_date = rules.coarse_birth_date(t.birth_date)
    t.phone = t.email = None
    # The sign-up that made the record (or joined it) still holds the name and citizen ID the person typed.
    db.execute(update(SignUp).where(or_(SignUp.trainee_id == t.id, SignUp.clash_trainee_id == t.id,
                                        *([SignUp.user_id == t.user_id] if t.user_id is not None else [])))
               .values(full_name=t.full_name, citizen_id=None, data={}))
    if t.user_id is not None:
        user = db.get(User, t.user_id)
        user.is_active = False
        user.full_name = t.full_name
        user.username = f"deleted-{user.id}"
        user.password_hash = hash_password(secrets.token_urlsafe(32))
        db.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
        db.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
        db.execute(delete(Notification).where(Notification.user_id == user.id))
        t.user_id = None
    db.flush()
    audit.record(db, who, "trainee.anonymise", "trainee", t.id, {"reason": reason[:200], "documents": documents})
    return t


def retention_candidates(db: Session, years: int | None = None) -> list[int]:
    """People whose record has not moved for the retention period (NANGLUC_RETENTION_YEARS)."""
    years = years or get_settings().retention_years
    today = utcnow().date()
    last_end = (select(Enrolment.trainee_id, func.max(Course.end_date).label("last_end"))
                .join(Course, Course.id == Enrolment.course_id).group_by(Enrolment.trainee_id).subquery())
    open_ids = set(db.scalars(select(Enrolment.trainee_id).where(Enrolment.status.in_(ACTIVE))))
    rows = db.execute(select(Trainee.id, Trainee.updated_at, Trainee.full_name, last_end.c.last_end)
                      .outerjoin(last_end, last_end.c.trainee_id == Trainee.id)
                      .where(Trainee.updated_at < utcnow() - timedelta(days=365 * years)))
    return [tid for tid, updated, name, ended in rows
            if name != rules.anonymous_name(tid) and rules.past_retention(
                rules.Activity(tid, ended, updated.date(), tid in open_ids), today, years)]


def stale_sign_ups(db: Session, years: int | None = None) -> list[SignUp]:
    """Sign-ups nobody decided within the retention period: what the person typed is still held."""
    years = years or get_settings().retention_years
    return list(db.scalars(select(SignUp).where(SignUp.status == SignUpStatus.PENDING,
                                                SignUp.created_at < utcnow() - timedelta(days=365 * years))
                           .order_by(SignUp.id)))


def apply_retention(db: Session, apply: bool) -> dict:
    """Anonymise everyone past the retention period, erase undecided sign-ups as old, and drop expired sign-in
    sessions (with `apply`)."""
    system = Principal.system("retention")
    years = get_settings().retention_years
    ids = retention_candidates(db)
    stale = stale_sign_ups(db)
    expired = db.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.expires_at < utcnow()))
    if apply:
        for tid in ids:
            anonymise(db, system, tid, f"hết thời hạn lưu trữ {years} năm")
        for s in stale:
            # Closed as refused, with the reason the person reads if they ever sign in again; the account stays.
            s.status, s.decided_at, s.note = SignUpStatus.REFUSED, utcnow(), f"Hết thời hạn lưu trữ {years} năm"
            s.data, s.citizen_id = {}, None
            audit.record(db, system, "signup.refused", "sign_up", s.id,
                         {"status": [SignUpStatus.PENDING, SignUpStatus.REFUSED], "reason": "retention"})
        db.execute(delete(AuthSession).where(AuthSession.expires_at < utcnow()))
    return {"anonymised" if apply else "to_anonymise": len(ids),
            "sign_ups_erased" if apply else "sign_ups_to_erase": len(stale), "expired_sessions": expired or 0}
