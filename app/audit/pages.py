"""The admins' view of the audit trail: search, page through, export as CSV (the export is itself recorded)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from app import audit
from app.audit.schemas import EventOut, EventPage
from app.auth.permissions import AdminOnly
from app.db import DbSession, Route, session_factory
from app.web import render

router = APIRouter(route_class=Route, include_in_schema=False)
api = APIRouter(route_class=Route, prefix="/api/v1/audit", tags=["audit"])


def filters(action: Annotated[str, Query(max_length=64)] = "", entity_type: Annotated[str, Query(max_length=64)] = "",
            entity_id: Annotated[str, Query(max_length=64)] = "", actor: Annotated[str, Query(max_length=120)] = "",
            date_from: date | None = None, date_to: date | None = None) -> audit.Filters:
    return audit.Filters(action.strip(), entity_type.strip(), entity_id.strip(), actor.strip(), date_from, date_to)


Filters = Annotated[audit.Filters, Depends(filters)]


@router.get("/audit")
def audit_page(request: Request, db: DbSession, _: AdminOnly, f: Filters,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    rows, total = audit.search(db, f, page)
    query = urlencode({k: v for k, v in request.query_params.items() if k != "page"})
    return render(request, "audit/list.html", {"rows": rows, "total": total, "f": f, "page": page,
                                               "pages": max(1, -(-total // 100)), "request_query": query})


def _stream(request: Request, f: audit.Filters) -> Iterator[str]:
    with session_factory(request)() as db:
        yield from audit.export_csv(db, f)


@router.get("/audit/export.csv")
def export(request: Request, db: DbSession, who: AdminOnly, f: Filters) -> StreamingResponse:
    audit.record_export(db, who, f)
    return StreamingResponse(_stream(request, f), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="nhat-ky.csv"'})


@api.get("", response_model=EventPage)
def search(db: DbSession, _: AdminOnly, f: Filters, page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> EventPage:
    """The audit trail, newest first, 100 a page; `action` matches a prefix (e.g. `certificate.`)."""
    rows, total = audit.search(db, f, page)
    return EventPage(total=total, items=[EventOut(
        id=e.id, occurred_at=e.occurred_at.isoformat(), actor=e.actor_label, ip_address=e.ip_address,
        action=e.action, entity_type=e.entity_type, entity_id=e.entity_id, changes=e.changes, note=e.note)
        for e in rows])
