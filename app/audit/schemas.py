from __future__ import annotations

from pydantic import BaseModel


class EventOut(BaseModel):
    id: int
    occurred_at: str
    actor: str
    ip_address: str | None
    action: str
    entity_type: str
    entity_id: str | None
    changes: dict
    note: str | None


class EventPage(BaseModel):
    items: list[EventOut]
    total: int
