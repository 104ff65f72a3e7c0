"""Sign-up that reveals nothing, the organisers' decisions on it, and one-time invitations for officials on record.

Every well-formed sign-up gets the same answer — an account with a name the system chose, waiting for the organisers
— whether or not its citizen ID is already on record: a clash becomes a case for the organisers to resolve, never a
message to the person who typed it. An official already on record claims their account with a one-time code from the
organiser instead, so knowing someone's citizen ID and name is never enough to take over their record.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.auth import service as auth_service
from app.auth import throttle
from app.auth.models import Role, User
from app.auth.passwords import MIN_PASSWORD_LENGTH
from app.auth.principal import Principal
from app.auth.rules import password_problem
from app.config import get_settings
from app.db import utcnow
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.notify.service import notify
from app.people import service as people
from app.people.models import Trainee, TraineeStatus
from app.places import service as places
from app.places.models import AdminUnit
from app.signup import rules
from app.signup.models import Invitation, SignUp, SignUpStatus

BAD_CODE = "Mã mời không đúng, đã được dùng hoặc đã hết hạn. Hãy hỏi lại cán bộ tổ chức của xã."


def _too_many(wait: timedelta) -> DomainError:
    minutes = max(1, int(wait.total_seconds() // 60) + 1)
    return auth_service.too_many(f"Có quá nhiều lượt gửi từ địa chỉ mạng này. Vui lòng thử lại sau {minutes} phút.",
                                 wait)


def _limit(counters: Callable[[], Session], scope: str, ip: str | None) -> None:
    """Count one submission per client address (its own short transaction); refuse when over the limit."""
    now = utcnow()
    policy = auth_service.address_policy(get_settings().signup_per_address)
    with counters() as side:
        counted = throttle.count(side, scope, throttle.key_of(ip), policy, now)
        side.commit()
    if not counted.admitted:
        raise _too_many(counted.wait(now))


def _free_username(db: Session, full_name: str) -> str:
    for _ in range(50):
        name = rules.username_for(full_name, secrets.randbelow(10_000))
        if db.scalar(select(User.id).where(User.username == name)) is None:
            return name
    return f"hocvien{secrets.token_hex(5)}"


@dataclass(frozen=True)
class Done:
    username: str


def sign_up(db: Session, counters: Callable[[], Session], *, password: str, raw: dict, consent: bool,
            ip: str | None) -> Done:
    """Self sign-up: an account now, a record once an organiser of the commune or its province confirms it.

    Refusals depend only on what was typed (consent, a field's format, a weak password), never on who else is on
    record; past them, every sign-up does the same work and gets the same answer."""
    _limit(counters, throttle.SIGNUP, ip)
    if not consent:
        raise Invalid("consent_required", "Cần đồng ý với mục đích thu thập dữ liệu cá nhân để đăng ký.",
                      field="consent")
    data = people.parse_or_raise(db, raw)
    problem = password_problem(password, "", MIN_PASSWORD_LENGTH,
                               (data.full_name, data.birth_date.strftime("%d%m%Y"), str(data.birth_date.year)))
    if problem:
        raise Invalid("weak_password", problem, field="password")
    anonymous = Principal.anonymous(ip)
    unit = db.get(AdminUnit, data.unit_id)
    user = auth_service.create_user(db, anonymous, username=_free_username(db, data.full_name), password=password,
                                    role=Role.TRAINEE, full_name=data.full_name, unit=unit)
    clash = db.scalar(select(Trainee.id).where(Trainee.citizen_id == data.citizen_id))
    stored = {k: v for k, v in raw.items() if k != "password"}
    request = SignUp(user_id=user.id, unit_id=data.unit_id, full_name=data.full_name, citizen_id=data.citizen_id,
                     data=stored, status=SignUpStatus.PENDING, clash_trainee_id=clash)
    db.add(request)
    db.flush()
    audit.record(db, anonymous, "signup.create", "sign_up", request.id,
                 {"user": user.username, "unit": unit.key if unit else None})
    for organiser_id in _organisers_of(db, unit):
        notify(db, organiser_id, "Có đăng ký học viên mới chờ xác nhận",
               f"{data.full_name} ({unit.name if unit else ''}) vừa đăng ký và chờ cán bộ tổ chức xác nhận.",
               link="/signups")
    return Done(user.username)


def _organisers_of(db: Session, unit: AdminUnit | None) -> list[int]:
    """The organisers of the commune itself and of its province (current or former)."""
    if unit is None:
        return []
    ids = {i for i in (unit.id, unit.parent_id, unit.current_province_id) if i is not None}
    return list(db.scalars(select(User.id).where(User.role == Role.ORGANISER, User.is_active.is_(True),
                                                 User.unit_id.in_(ids))))


def _scoped(db: Session, who: Principal):  # noqa: ANN202
    stmt = select(SignUp)
    if not who.is_admin:
        stmt = stmt.where(SignUp.unit_id.in_(places.unit_ids_within(db, who.unit_id)))
    return stmt


def pending(db: Session, who: Principal) -> list[SignUp]:
    """Sign-ups waiting for the caller: those of communes inside their unit, oldest first."""
    return list(db.scalars(_scoped(db, who).where(SignUp.status == SignUpStatus.PENDING)
                           .options(selectinload(SignUp.unit).selectinload(AdminUnit.parent))
                           .order_by(SignUp.created_at, SignUp.id)))


def count_pending(db: Session, who: Principal) -> int:
    return db.scalar(select(func.count()).select_from(
        _scoped(db, who).where(SignUp.status == SignUpStatus.PENDING).subquery())) or 0


def _get(db: Session, who: Principal, signup_id: int) -> SignUp:
    s = db.scalar(_scoped(db, who).where(SignUp.id == signup_id).with_for_update())
    if s is None:
        raise NotFound("Không tìm thấy đăng ký.", code="signup_not_found")
    if not (who.is_admin or who.role == Role.ORGANISER):
        raise Forbidden()
    if s.status != SignUpStatus.PENDING:
        raise Conflict("signup_decided", "Đăng ký này đã được xử lý.")
    return s


def clash_visible(db: Session, who: Principal, s: SignUp) -> Trainee | None:
    """The record a sign-up clashes with, if the caller may see it (an organiser elsewhere sees only that there is
    one)."""
    if s.clash_trainee_id is None:
        return None
    t = db.get(Trainee, s.clash_trainee_id)
    return t if t is not None and people.may_see_personal(db, who, t) else None


def confirm(db: Session, who: Principal, signup_id: int, *, identity_checked: bool = False) -> SignUp:
    """Give the account its record. A sign-up whose citizen ID is already on record joins that record only when the
    organiser has checked the person's identity papers and the record has no account yet."""
    s = _get(db, who, signup_id)
    if s.clash_trainee_id is None:  # someone with this citizen ID was put on record after the sign-up
        s.clash_trainee_id = db.scalar(select(Trainee.id).where(Trainee.citizen_id == s.citizen_id))
    if s.clash_trainee_id is not None:
        existing = db.scalar(select(Trainee).where(Trainee.id == s.clash_trainee_id).with_for_update())
        if existing is None or not people.may_see_personal(db, who, existing):
            raise Forbidden("Hồ sơ trùng số CCCD thuộc đơn vị khác; cán bộ tổ chức của đơn vị đó mới xử lý được.")
        if existing.user_id is not None:
            raise Conflict("record_has_account", "Hồ sơ trùng số CCCD đã có tài khoản. Hãy từ chối đăng ký này.")
        if not identity_checked:
            raise Invalid("identity_check_required", "Số CCCD này đã có hồ sơ. Chỉ gắn tài khoản vào hồ sơ sau khi "
                          "đã đối chiếu giấy tờ tuỳ thân của người đăng ký.", field="identity_checked")
        existing.user_id = s.user_id
        s.trainee_id = existing.id
        audit.record(db, who, "trainee.link_account", "trainee", existing.id, {"user_id": s.user_id})
    else:
        data = people.parse_or_raise(db, s.data)
        t = people.create_trainee(db, who, data, status=TraineeStatus.ACTIVE, user_id=s.user_id)
        s.trainee_id = t.id
    _decide(db, who, s, SignUpStatus.CONFIRMED, None)
    notify(db, s.user_id, "Đăng ký của bạn đã được xác nhận",
           "Cán bộ tổ chức đã xác nhận hồ sơ của bạn. Bạn có thể đăng ký các khoá bồi dưỡng.", link="/courses",
           email=(s.data or {}).get("email") or None)
    s.data = {}
    return s


def refuse(db: Session, who: Principal, signup_id: int, reason: str) -> SignUp:
    """Refuse a sign-up, saying why to the person; the typed personal data are erased."""
    reason = reason.strip()
    if not reason:
        raise Invalid("reason_required", "Hãy ghi lý do từ chối để người đăng ký biết.", field="reason")
    s = _get(db, who, signup_id)
    email = (s.data or {}).get("email") or None
    _decide(db, who, s, SignUpStatus.REFUSED, reason[:500])
    notify(db, s.user_id, "Đăng ký của bạn chưa được xác nhận",
           f"Cán bộ tổ chức chưa xác nhận đăng ký của bạn. Lý do: {reason[:500]}", link="/me", email=email)
    s.data, s.citizen_id = {}, None
    return s


def _decide(db: Session, who: Principal, s: SignUp, status: str, note: str | None) -> None:
    s.status, s.decided_at, s.decided_by_id, s.note = status, utcnow(), who.user_id, note
    audit.record(db, who, f"signup.{status}", "sign_up", s.id, {"status": [SignUpStatus.PENDING, status]})


def own(db: Session, who: Principal) -> SignUp | None:
    """The caller's own sign-up, for the page a person sees while waiting."""
    if who.user_id is None:
        return None
    return db.scalar(select(SignUp).where(SignUp.user_id == who.user_id))


# --- invitations ------------------------------------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(rules.normalise_code(code).encode()).hexdigest()


@dataclass(frozen=True)
class IssuedInvitation:
    code: str  # shown once, to be printed or handed out; only its hash is kept
    trainee: Trainee
    expires_at: object


def invite(db: Session, who: Principal, trainee_id: int) -> IssuedInvitation:
    """A one-time code for an official on record to claim their account. A new code replaces any earlier one."""
    t = people.get_trainee(db, who, trainee_id)
    if not (who.is_admin or (who.role == Role.ORGANISER and people.may_see_personal(db, who, t))):
        raise Forbidden()
    if t.user_id is not None:
        raise Conflict("has_account", "Học viên này đã có tài khoản.")
    now = utcnow()
    db.execute(update(Invitation).where(Invitation.trainee_id == t.id, Invitation.used_at.is_(None),
                                        Invitation.revoked_at.is_(None)).values(revoked_at=now))
    code = rules.new_code()
    inv = Invitation(trainee_id=t.id, code_hash=_code_hash(code), created_by_id=who.user_id, created_at=now,
                     expires_at=now + timedelta(days=get_settings().invitation_days))
    db.add(inv)
    db.flush()
    audit.record(db, who, "invitation.create", "trainee", t.id, {"invitation": inv.id,
                                                                  "expires_at": inv.expires_at.isoformat()})
    return IssuedInvitation(code, t, inv.expires_at)


def claim(db: Session, counters: Callable[[], Session], *, code: str, password: str, ip: str | None) -> Done:
    """Claim the account of a record with its one-time code. One UPDATE uses the code up, so two claims at once
    cannot both succeed; a wrong, used, revoked or expired code gets one and the same answer."""
    _limit(counters, throttle.CLAIM, ip)
    now = utcnow()
    found = db.execute(select(Invitation.id, Invitation.trainee_id, Trainee.full_name, Trainee.birth_date,
                              Trainee.user_id)
                       .join(Trainee, Trainee.id == Invitation.trainee_id)
                       .where(Invitation.code_hash == _code_hash(code), Invitation.used_at.is_(None),
                              Invitation.revoked_at.is_(None), Invitation.expires_at > now)).first()
    if found is None or found.user_id is not None:
        raise Invalid("invalid_invitation", BAD_CODE, field="code")
    problem = password_problem(password, "", MIN_PASSWORD_LENGTH,
                               (found.full_name, found.birth_date.strftime("%d%m%Y"), str(found.birth_date.year)))
    if problem:
        raise Invalid("weak_password", problem, field="password")
    # Lock the record, then use the code up in one statement: of two claims at once, one gets the code, the other
    # finds it used; nothing is written before either refusal.
    t = db.scalar(select(Trainee).where(Trainee.id == found.trainee_id).with_for_update())
    if t is None or t.user_id is not None:
        raise Invalid("invalid_invitation", BAD_CODE, field="code")
    used = db.execute(update(Invitation).where(Invitation.id == found.id, Invitation.used_at.is_(None),
                                               Invitation.revoked_at.is_(None))
                      .values(used_at=now).returning(Invitation.id)).first()
    if used is None:  # another claim took it a moment ago
        raise Invalid("invalid_invitation", BAD_CODE, field="code")
    anonymous = Principal.anonymous(ip)
    user = auth_service.create_user(db, anonymous, username=_free_username(db, t.full_name), password=password,
                                    role=Role.TRAINEE, full_name=t.full_name, unit=db.get(AdminUnit, t.unit_id))
    t.user_id = user.id
    db.execute(update(Invitation).where(Invitation.id == found.id).values(used_by_id=user.id))
    audit.record(db, anonymous, "invitation.claim", "trainee", t.id, {"invitation": found.id, "user": user.username})
    return Done(user.username)


def unused_invitations(db: Session, trainee_ids: list[int]) -> set[int]:
    now = utcnow()
    return set(db.scalars(select(Invitation.trainee_id).where(
        Invitation.trainee_id.in_(trainee_ids), Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > now)))


__all__ = ["BAD_CODE", "Done", "IssuedInvitation", "claim", "confirm", "count_pending", "invite", "own", "pending",
           "refuse", "sign_up"]
