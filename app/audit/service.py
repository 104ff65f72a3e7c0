"""The one function every state change calls to leave a trace."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.core.spreadsheet import safe_cell
from app.db import utcnow
from app.errors import DomainError

E = TypeVar("E", bound=DomainError)

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


def values(actor: Actor, action: str, entity_type: str, entity_id: Any = None,
           changes: dict[str, Any] | None = None, note: str | None = None) -> dict[str, Any]:
    """The columns of one event (for a caller that writes it in a statement of its own, see `record`)."""
    return {"occurred_at": utcnow(), "actor_id": actor.user_id, "actor_label": actor.label,
            "ip_address": actor.ip_address, "action": action, "entity_type": entity_type,
            "entity_id": None if entity_id is None else str(entity_id), "changes": _plain(changes or {}),
            "note": note}


def record(db: Session, actor: Actor, action: str, entity_type: str, entity_id: Any = None,
           changes: dict[str, Any] | None = None, note: str | None = None) -> AuditEvent:
    """Append one event in the caller's transaction, so it lands (or not) together with the change it describes."""
    event = AuditEvent(**values(actor, action, entity_type, entity_id, changes, note))
    db.add(event)
    db.flush()
    return event


def on_refusal(err: E, actor: Actor, action: str, entity_type: str, entity_id: Any = None,
               changes: dict[str, Any] | None = None) -> E:
    """Give a refusal the event it leaves in the trail (a failed sign-in, a wrong current password), to raise it.

    A refused action keeps no partial write: the request is rolled back, and then this event alone is written
    (`app.db.get_db`, `app.web.form_action`), so the attempt is in the trail and nothing else the request did is."""
    err.audit_event = AuditEvent(**values(actor, action, entity_type, entity_id, changes))
    return err


def history(db: Session, entity_type: str, entity_id: Any) -> list[AuditEvent]:
    stmt = (select(AuditEvent).where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id))
    return list(db.scalars(stmt))


@dataclass(frozen=True)
class Filters:
    action: str = ""  # a prefix: "certificate." finds every certificate action
    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""  # part of the actor's label
    date_from: date | None = None
    date_to: date | None = None


def _filtered(f: Filters):  # noqa: ANN202
    stmt = select(AuditEvent)
    if f.action:
        stmt = stmt.where(AuditEvent.action.startswith(f.action, autoescape=True))
    if f.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == f.entity_type)
    if f.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    if f.actor:
        stmt = stmt.where(AuditEvent.actor_label.contains(f.actor, autoescape=True))
    if f.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(f.date_from, time.min, UTC))
    if f.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < datetime.combine(f.date_to + timedelta(days=1), time.min, UTC))
    return stmt


def search(db: Session, f: Filters, page: int = 1, per_page: int = 100) -> tuple[list[AuditEvent], int]:
    total = db.scalar(select(func.count()).select_from(_filtered(f).subquery())) or 0
    rows = db.scalars(_filtered(f).order_by(AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def record_export(db: Session, who: Actor, f: Filters) -> None:
    record(db, who, "audit.export", "audit_event", None, {k: str(v) for k, v in f.__dict__.items() if v})


def export_csv(db: Session, f: Filters) -> Iterator[str]:
    """The filtered trail as CSV lines (oldest first), read in chunks so that a long trail is never held whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in values])
        return buffer.getvalue()

    yield "\ufeff" + line(["id", "occurred_at", "actor", "ip_address", "action", "entity_type", "entity_id",
                           "changes", "note"])
    for e in db.scalars(_filtered(f).order_by(AuditEvent.id).execution_options(yield_per=1000)):
        yield line([e.id, e.occurred_at.isoformat(), e.actor_label, e.ip_address or "", e.action, e.entity_type,
                    e.entity_id or "", json.dumps(e.changes, ensure_ascii=False), e.note or ""])
