"""JSON API: sign-ups waiting for the organisers, their decisions, and invitations for officials on record."""
from __future__ import annotations

from fastapi import APIRouter

from app.auth.permissions import Staff
from app.db import DbSession, Route
from app.places.models import AdminUnit
from app.signup import rules, service
from app.signup.schemas import Decision, InvitationOut, Refusal, SignUpOut

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["signups"])


def _out(db, s) -> SignUpOut:  # noqa: ANN001
    return SignUpOut(id=s.id, full_name=s.full_name, unit=db.get(AdminUnit, s.unit_id).key, status=s.status,
                     clash=s.clash_trainee_id is not None, created_at=s.created_at)


@router.get("/signups", response_model=list[SignUpOut])
def list_signups(db: DbSession, who: Staff) -> list[SignUpOut]:
    """Sign-ups of communes inside the caller's unit that wait for a decision."""
    return [_out(db, s) for s in service.pending(db, who)]


@router.post("/signups/{signup_id}/confirm", response_model=SignUpOut)
def confirm(signup_id: int, body: Decision, db: DbSession, who: Staff) -> SignUpOut:
    return _out(db, service.confirm(db, who, signup_id, identity_checked=body.identity_checked))


@router.post("/signups/{signup_id}/refuse", response_model=SignUpOut)
def refuse(signup_id: int, body: Refusal, db: DbSession, who: Staff) -> SignUpOut:
    return _out(db, service.refuse(db, who, signup_id, body.reason))


@router.post("/trainees/{trainee_id}/invitation", response_model=InvitationOut, status_code=201)
def invite(trainee_id: int, db: DbSession, who: Staff) -> InvitationOut:
    """A one-time code with which an official on record claims their account (a new one replaces the last)."""
    from app.config import get_settings

    issued = service.invite(db, who, trainee_id)
    return InvitationOut(code=rules.grouped(issued.code), claim_url=get_settings().public_url.rstrip("/") + "/claim",
                         expires_at=issued.expires_at)
