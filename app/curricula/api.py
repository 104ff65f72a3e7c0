"""JSON API: the curriculum catalogue, one curriculum (latest or ?version=N), and its outline as PDF."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.auth.permissions import SignedIn
from app.curricula import present, service
from app.curricula.schemas import CurriculumDetail, CurriculumPage
from app.db import DbSession, Route

router = APIRouter(route_class=Route, prefix="/api/v1/curricula", tags=["curricula"])


@router.get("", response_model=CurriculumPage)
def list_curricula(db: DbSession, _: SignedIn) -> CurriculumPage:
    """The latest version of each of the four Decision 1288 curricula."""
    items = [present.summary(v) for v in service.catalogue(db)]
    return CurriculumPage(items=items, total=len(items))


@router.get("/{code}", response_model=CurriculumDetail)
def get_curriculum(code: str, db: DbSession, _: SignedIn,
                   version: Annotated[int | None, Query(ge=1, description="a version number; latest when omitted")]
                   = None) -> CurriculumDetail:
    v = service.get_version(db, code, version)
    return present.detail(v, service.versions_of(db, code))


@router.get("/{code}/outline.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "A4 programme outline"}})
def get_outline(code: str, db: DbSession, _: SignedIn,
                version: Annotated[int | None, Query(ge=1)] = None) -> Response:
    return present.outline_response(db, code, version)
