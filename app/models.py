"""Every model, imported once so that Alembic and the tests see the whole schema."""
from app.audit.models import AuditEvent
from app.auth.models import AuthSession, SignInThrottle, User
from app.places.models import AdminUnit, AdminUnitSuccessor

__all__ = ["AdminUnit", "AdminUnitSuccessor", "AuditEvent", "AuthSession", "SignInThrottle", "User"]
