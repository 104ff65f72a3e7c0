"""JSON API of the media-products register: list with filters, read, record, correct, remove."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.auth.permissions import Staff
from app.db import DbSession, Route
from app.media import service
from app.media.schemas import MediaBody, MediaOut, MediaPage, media_out

router = APIRouter(route_class=Route, prefix="/api/v1/media", tags=["media"])


@router.get("", response_model=MediaPage)
def list_media(db: DbSession, who: Staff, q: Annotated[str, Query(max_length=100)] = "",
               kind: str | None = None, topic: str | None = None, producer_kind: str | None = None,
               place: Annotated[str | None, Query(max_length=12)] = None, date_from: date | None = None,
               date_to: date | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50,
               offset: Annotated[int, Query(ge=0)] = 0) -> MediaPage:
    f = service.MediaFilters(q=q, kind=kind, topic=topic, producer_kind=producer_kind, place=place,
                             date_from=date_from, date_to=date_to)
    items, total = service.list_media(db, who, f, limit=limit, offset=offset)
    return MediaPage(items=[media_out(m) for m in items], total=total)


@router.post("", response_model=MediaOut, status_code=201)
def create_media(body: MediaBody, db: DbSession, who: Staff) -> MediaOut:
    return media_out(service.create_media(db, who, body.as_input(), body.unit))


@router.get("/{media_id}", response_model=MediaOut)
def read_media(media_id: int, db: DbSession, who: Staff) -> MediaOut:
    return media_out(service.get_media(db, who, media_id))


@router.put("/{media_id}", response_model=MediaOut)
def update_media(media_id: int, body: MediaBody, db: DbSession, who: Staff) -> MediaOut:
    return media_out(service.update_media(db, who, media_id, body.as_input(), body.unit))


@router.delete("/{media_id}", status_code=204)
def delete_media(media_id: int, db: DbSession, who: Staff) -> Response:
    service.delete_media(db, who, media_id)
    return Response(status_code=204)
