"""What each role sees first after signing in."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.auth.principal import Principal
from app.home import service as home
from app.places import service as places
from app.places.models import Era, Level


def for_principal(db: Session, who: Principal) -> dict:
    user = db.get(User, who.user_id)
    unit = places.get(db, who.unit_id) if who.unit_id else None
    counts = places.counts(db)
    data: dict = {
        "user": user,
        "unit": unit,
        "unit_path": places.path_label(unit) if unit else None,
        "first_visit": user is not None and user.sign_in_count <= 1,
        "place_counts": {
            "provinces": counts.get((Era.CURRENT, Level.PROVINCE), 0),
            "communes": counts.get((Era.CURRENT, Level.COMMUNE), 0),
            "former_provinces": counts.get((Era.FORMER, Level.PROVINCE), 0),
            "former_communes": counts.get((Era.FORMER, Level.COMMUNE), 0),
        },
    }
    if who.is_admin or (who.role == "organiser" and unit is not None):
        from app.signup import service as signups

        data["pending_signups"] = signups.count_pending(db, who)
    if who.role == "trainee":
        data["home"] = home.for_trainee(db, who)
    if who.is_admin:
        data["user_count"] = auth_service.count_users(db)
        data["recent_events"] = list(db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(8)))
    elif who.role == Role.ORGANISER and unit is not None:
        data["scope_communes"] = len(places.children(db, unit)) if unit.level == Level.PROVINCE else None
        data["scope_users"] = len(auth_service.list_users(db, who))
    return data
