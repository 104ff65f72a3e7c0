from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.auth.models import Role


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    role: Role
    unit_key: str | None = None
    locale: str
    is_active: bool
    created_at: datetime
    last_sign_in_at: datetime | None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    full_name: str = Field(default="", max_length=120)
    role: Role
    unit: str | None = Field(default=None, description='unit key: "24", "07432", or "old:213"')


class UserPage(BaseModel):
    items: list[UserRead]
    total: int


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class SessionsEnded(BaseModel):
    sessions_ended: int
