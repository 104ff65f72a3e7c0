"""Who is calling: the signed-in account as the rest of the application sees it."""
from __future__ import annotations

from dataclasses import dataclass

from app.auth.models import Role


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    full_name: str
    role: str | None
    unit_id: int | None
    ip_address: str | None
    locale: str = "vi"

    @classmethod
    def anonymous(cls, ip_address: str | None = None) -> Principal:
        return cls(None, "", "", None, None, ip_address)

    @classmethod
    def system(cls, label: str = "system") -> Principal:
        return cls(None, label, label, Role.ADMIN, None, None)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def label(self) -> str:
        return self.username or "anonymous"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

