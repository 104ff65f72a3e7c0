"""JSON API: tokens (OAuth2 password flow), the caller, and accounts."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.orm import Session

from app.auth import service
from app.auth.models import Role, User
from app.auth.permissions import Public, SignedIn, Staff, bearer_token, client_ip
from app.auth.principal import Principal
from app.auth.schemas import PasswordChange, SessionsEnded, Token, UserCreate, UserPage, UserRead
from app.config import get_settings
from app.db import DbSession, Route, session_factory
from app.errors import Forbidden
from app.places import service as places

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["auth"])


def _read(db: Session, user: User) -> UserRead:
    from app.places.models import AdminUnit

    unit = db.get(AdminUnit, user.unit_id) if user.unit_id else None
    return UserRead.model_validate(user).model_copy(update={"unit_key": unit.key if unit else None})


@router.post("/auth/token", response_model=Token)
def issue_token(request: Request, db: DbSession, _: Public,
                form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """OAuth2 password flow: exchange a username and password for a bearer token."""
    # A refusal rolls the request back and keeps only its audit event (app.db.get_db); the count is committed apart.
    user = service.authenticate(db, session_factory(request), form.username, form.password, client_ip(request))
    token = service.start_session(db, user, "api", client_ip(request))
    return Token(access_token=token, expires_in=get_settings().api_token_hours * 3600)


@router.get("/me", response_model=UserRead)
def me(db: DbSession, who: SignedIn) -> UserRead:
    return _read(db, service.get_user(db, who, who.user_id))


@router.get("/users", response_model=UserPage)
def list_users(db: DbSession, who: Staff) -> UserPage:
    users = service.list_users(db, who)
    return UserPage(items=[_read(db, u) for u in users], total=len(users))


@router.get("/users/{user_id}", response_model=UserRead)
def get_user(user_id: int, db: DbSession, who: Staff) -> UserRead:
    return _read(db, service.get_user(db, who, user_id))


def create_user_checked(db: Session, who: Principal, body: UserCreate) -> User:
    """Admins create any account; an organiser creates trainers and trainees inside their own unit."""
    unit = places.get_by_key(db, body.unit) if body.unit else None
    if not who.is_admin:
        if body.role not in (Role.TRAINER, Role.TRAINEE):
            raise Forbidden("Cán bộ tổ chức chỉ tạo được tài khoản giảng viên và học viên.")
        if unit is None or not places.is_within(db, unit.id, who.unit_id):
            raise Forbidden("Chỉ tạo được tài khoản thuộc đơn vị của bạn.")
    return service.create_user(db, who, username=body.username, password=body.password, role=body.role,
                               full_name=body.full_name, unit=unit)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(body: UserCreate, db: DbSession, who: Staff) -> UserRead:
    return _read(db, create_user_checked(db, who, body))


@router.post("/users/{user_id}/unlock", response_model=UserRead)
def unlock_user(user_id: int, db: DbSession, who: Staff) -> UserRead:
    """Forget an account's failed sign-ins, so that it is no longer locked for anyone."""
    return _read(db, service.unlock(db, who, user_id))


@router.post("/me/password", response_model=SessionsEnded)
def change_password(body: PasswordChange, request: Request, db: DbSession, who: SignedIn) -> SessionsEnded:
    """Change one's own password; every other session and API token ends (this token stays valid)."""
    ended = service.change_password(db, session_factory(request), who, body.current_password, body.new_password,
                                    bearer_token(request))
    return SessionsEnded(sessions_ended=ended)


@router.post("/me/sessions/end-others", response_model=SessionsEnded)
def end_other_sessions(request: Request, db: DbSession, who: SignedIn) -> SessionsEnded:
    """Sign out everywhere else: every other browser session and API token of the caller ends."""
    return SessionsEnded(sessions_ended=service.end_other_sessions(db, who, bearer_token(request)))
