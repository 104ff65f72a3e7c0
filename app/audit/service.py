"""The one function every state change calls to leave a trace."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent

SECRET_FIELDS = {"password", "password_hash", "token", "token_hash", "secret"}


class Actor(Protocol):
    user_id: int | None
    label: str
    ip_address: str | None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: ("***" if k in SECRET_FIELDS else _plain(v)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def record(db: Session, actor: Actor, action: str, entity_type: str, entity_id: Any = None,
           changes: dict[str, Any] | None = None, note: str | None = None) -> AuditEvent:
    """Append one event in the caller's transaction, so it lands (or not) together with the change it describes."""
    event = AuditEvent(actor_id=actor.user_id, actor_label=actor.label, ip_address=actor.ip_address,
                       action=action, entity_type=entity_type,
                       entity_id=None if entity_id is None else str(entity_id),
                       changes=_plain(changes or {}), note=note)
    db.add(event)
    db.flush()
    return event


def history(db: Session, entity_type: str, entity_id: Any) -> list[AuditEvent]:
    stmt = (select(AuditEvent).where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id))
    return list(db.scalars(stmt))
