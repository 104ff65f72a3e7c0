"""Catalogue and curriculum pages, and the printable outline."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.auth.permissions import SignedIn
from app.curricula import present, service
from app.db import DbSession, Route
from app.web import render

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/curricula")
def catalogue_page(request: Request, db: DbSession, who: SignedIn) -> HTMLResponse:
    from app.people import service as people  # people builds on curricula, not the other way round

    mine = people.own_record(db, who)
    mine_priorities = {v.curriculum_code: p for v, p in people.priorities(db, mine)} if mine else {}
    return render(request, "curricula/catalogue.html",
                  {"curricula": [present.summary(v) for v in service.catalogue(db)], "mine": mine_priorities})


@router.get("/curricula/{code}")
def curriculum_page(code: str, request: Request, db: DbSession, _: SignedIn,
                    version: Annotated[int | None, Query(ge=1)] = None) -> HTMLResponse:
    v = service.get_version(db, code, version)
    versions = service.versions_of(db, code)
    return render(request, "curricula/detail.html",
                  {"c": present.detail(v, versions), "is_latest": versions and versions[0].id == v.id})


@router.get("/curricula/{code}/outline.pdf")
def outline_page(code: str, db: DbSession, _: SignedIn,
                 version: Annotated[int | None, Query(ge=1)] = None) -> Response:
    return present.outline_response(db, code, version)
