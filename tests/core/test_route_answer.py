"""A synchronous route's answer is checked and written in the endpoint's own worker thread (app.db.Route), byte for
byte what FastAPI itself would answer, with one hand-off to a thread per request instead of two.

Each case is served twice, by a router of plain FastAPI routes and by one of ours, and the answers compared: the
status, the content type, the body (what a client parses) and the headers a route sets.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import fastapi.routing
import pytest
from fastapi import APIRouter, BackgroundTasks, FastAPI, Query, Response
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from app.db import Route

WHEN = datetime(2026, 12, 4, 8, 30, tzinfo=UTC)


class Item(BaseModel):
    id: int
    title: str
    note: str | None = None
    trained_at: datetime
    in_charge: bool = Field(False, alias="inChargeOfRadio")


class Page(BaseModel):
    items: list[Item]
    total: int


done: list[str] = []


def _app(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(route_class=route_class)

    @router.get("/item", response_model=Item)
    def item() -> dict:  # more fields than the model: the model's are answered, the rest dropped
        return {"id": 1, "title": "Lớp bồi dưỡng", "trained_at": WHEN, "inChargeOfRadio": True, "citizen_id": "0"}

    @router.get("/page", response_model=Page, response_model_exclude_none=True)
    def page(n: Annotated[int, Query()] = 2) -> Page:
        return Page(items=[Item(id=i, title=f"Xã {i}", trained_at=WHEN) for i in range(n)], total=n)

    @router.post("/items", response_model=list[Item], status_code=201, response_model_by_alias=False)
    def create(tasks: BackgroundTasks) -> list[Item]:
        tasks.add_task(done.append, "after the answer")
        return [Item(id=7, title="Mới", note="ghi chú", trained_at=WHEN)]

    @router.get("/cookie", response_model=Item)
    def cookie(response: Response) -> Item:  # a Response parameter: FastAPI copies its headers and status
        response.headers["X-Unit"] = "07432"
        response.status_code = 202
        return Item(id=2, title="Có cookie", trained_at=WHEN)

    @router.get("/wrong", response_model=Item)
    def wrong() -> dict:
        return {"id": "not a number", "title": "x", "trained_at": WHEN}

    app = FastAPI()
    app.include_router(router)
    return app


@pytest.mark.parametrize(("method", "path"), [("GET", "/item"), ("GET", "/page?n=3"), ("GET", "/page?n=0"),
                                              ("POST", "/items"), ("GET", "/cookie"), ("GET", "/page?n=x")])
def test_our_routes_answer_exactly_as_fastapi_does(method: str, path: str):
    theirs = TestClient(_app(APIRoute)).request(method, path)
    ours = TestClient(_app(Route)).request(method, path)
    assert (ours.status_code, ours.headers["content-type"]) == (theirs.status_code, theirs.headers["content-type"])
    assert ours.json() == theirs.json()
    assert ours.headers.get("x-unit") == theirs.headers.get("x-unit")
    if path == "/item":
        assert "citizen_id" not in ours.json() and ours.json()["inChargeOfRadio"] is True
    if path == "/cookie":
        assert (ours.status_code, ours.headers["x-unit"]) == (202, "07432")


def test_background_tasks_still_run_after_the_answer():
    done.clear()
    assert TestClient(_app(Route)).post("/items").status_code == 201
    assert done == ["after the answer"]


def test_an_answer_the_model_refuses_is_a_server_error_as_in_fastapi():
    with pytest.raises(ResponseValidationError):
        TestClient(_app(Route)).get("/wrong")
    assert TestClient(_app(Route), raise_server_exceptions=False).get("/wrong").status_code == 500


def test_one_hand_off_to_a_thread_per_request(monkeypatch: pytest.MonkeyPatch):
    """FastAPI hands a synchronous endpoint to a thread, then its answer to another for the response model's check;
    ours checks the answer in the endpoint's thread."""
    hand_offs: list[str] = []
    real = fastapi.routing.run_in_threadpool

    async def counted(func, *args, **kwargs):  # noqa: ANN001, ANN202
        hand_offs.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "run_in_threadpool", counted)
    for route_class, expected in ((APIRoute, 2), (Route, 1)):
        hand_offs.clear()
        assert TestClient(_app(route_class)).get("/page").status_code == 200
        assert len(hand_offs) == expected, (route_class.__name__, hand_offs)
