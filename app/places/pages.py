"""The places page: search-as-you-type over provinces and communes of both eras."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.auth.permissions import SignedIn
from app.db import DbSession, Route
from app.places import service
from app.web import render

router = APIRouter(route_class=Route, include_in_schema=False)


@router.get("/places")
def places_page(request: Request, db: DbSession, _: SignedIn, q: Annotated[str, Query(max_length=100)] = "",
                era: Annotated[str, Query(max_length=10)] = "") -> HTMLResponse:
    units, total = service.search(db, q, era=era or None, limit=30) if q.strip() else ([], 0)
    return render_places(request, {"q": q, "era": era, "units": units, "total": total})


@router.get("/places/{key}")
def place_page(key: str, request: Request, db: DbSession, _: SignedIn) -> HTMLResponse:
    unit = service.get_by_key(db, key)
    return render_places(request, {"unit": unit, "path_label": service.path_label(unit),
                                   "successors": service.successors(db, unit),
                                   "predecessors": service.predecessors(db, unit),
                                   "children": service.children(db, unit)}, template="places/detail.html")


def render_places(request: Request, ctx: dict, template: str = "places/index.html") -> HTMLResponse:
    return render(request, template, {**ctx, "label": service.path_label}, block="results")
