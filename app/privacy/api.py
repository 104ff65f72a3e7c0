"""JSON API for personal-data rights."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.auth.permissions import SignedIn, Staff
from app.db import DbSession, Route
from app.privacy import service
from app.privacy.schemas import HandleIn, RequestIn, RequestOut

router = APIRouter(route_class=Route, prefix="/api/v1", tags=["personal data"])


@router.get("/me/data", response_class=JSONResponse)
def my_data(db: DbSession, who: SignedIn) -> JSONResponse:
    """Everything held about you: account, record, enrolments, attendance, certificates, requests, and who viewed
    or changed your record."""
    return JSONResponse(service.my_data(db, who),
                        headers={"Content-Disposition": 'attachment; filename="du-lieu-cua-toi.json"'})


@router.post("/me/data-requests", response_model=RequestOut, status_code=201)
def request_change(body: RequestIn, db: DbSession, who: SignedIn) -> RequestOut:
    r = service.request_change(db, who, body.kind, body.message)
    return RequestOut(id=r.id, kind=r.kind, status=r.status, message=r.message)


@router.get("/data-requests", response_model=list[RequestOut])
def open_requests(db: DbSession, who: Staff) -> list[RequestOut]:
    return [RequestOut(id=r.id, kind=r.kind, status=r.status, message=r.message)
            for r, _ in service.open_requests(db, who)]


@router.post("/data-requests/{request_id}", response_model=RequestOut)
def handle(request_id: int, body: HandleIn, db: DbSession, who: Staff) -> RequestOut:
    """Close a request; `done` on a deletion anonymises the person."""
    r = service.handle(db, who, request_id, body.outcome, body.response)
    return RequestOut(id=r.id, kind=r.kind, status=r.status, message=r.message, response=r.response)
