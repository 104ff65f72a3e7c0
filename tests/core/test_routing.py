"""The route index (app.infra.routing) chooses the route the whole list would have chosen, for every route we have.

Every request used to try the routes in order until one matched (FastAPI's included routers, walked in Python); the
index only tries those whose path starts like the request's. If it left out a route that could match, a request would
reach a later route of the same shape, or a 404, or the wrong method's 405: these tests ask it, for a concrete path of
each declared route, with each method and a few near misses, and compare with the whole list tried in order.
"""
from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match

from app.infra.routing import RouteIndex, literal_prefix
from app.main import create_app

SAMPLE = {"int": "7", "path": "a/b.txt", "str": "x-1", "float": "1.5", "uuid": "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}


def _concrete(path: str) -> str:
    return re.sub(r"{[^}:]+(?::([a-z]+))?}", lambda m: SAMPLE.get(m.group(1) or "str", "x"), path)


def _scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}


def _first(routes: list[BaseRoute], scope: dict) -> tuple[Match, BaseRoute | None]:
    """What Starlette's router picks: the first full match, else the first partial one (path right, method wrong)."""
    partial = None
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return match, route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return (Match.PARTIAL, partial) if partial is not None else (Match.NONE, None)


@pytest.fixture(scope="module")
def built():  # noqa: ANN201
    return create_app()


def _requests(app) -> list[tuple[str, str]]:  # noqa: ANN001
    paths = {_concrete(c.path) for c in iter_route_contexts(app.routes) if c.path}
    near = {p + "/" for p in paths} | {p.rstrip("/") + "/extra" for p in paths} | {"/", "/nowhere", "/api/v1/nowhere"}
    return [(method, path) for path in sorted(paths | near) for method in ("GET", "POST", "PUT", "DELETE", "HEAD")]


def test_the_index_chooses_what_the_whole_list_would(built):  # noqa: ANN001
    app = built
    index = RouteIndex(app.router)
    routes = list(app.router.routes)
    checked = 0
    for method, path in _requests(app):
        scope = _scope(method, path)
        expected = _first(routes, scope)
        assert _first(index.bucket(path).routes, scope) == expected, (method, path)
        checked += expected[0] != Match.NONE
    # every declared route was reached (with its own method, and the others' 405)
    assert checked > len(routes) * 2


def test_every_route_of_every_router_is_held_flat_and_indexed(built):  # noqa: ANN001
    app = built
    """A route reached through an included router would be invisible to the index (and walked by FastAPI)."""
    from app.main import _routers

    declared = [route for router in _routers() for route in router.routes]
    assert [r for r in app.router.routes if r in declared] == declared
    assert all(type(r).__name__ != "_IncludedRouter" for r in app.router.routes)
    assert literal_prefix(next(r for r in app.router.routes if getattr(r, "path", "") == "/static")) == ("static",)


def test_requests_still_reach_their_routes_and_the_fallbacks(client):  # noqa: ANN001
    """Through the app: a page, an API route, a 405, a 404 (HTML and JSON), a static file, and url_for in a page."""
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200
    assert 'href="/static/' in client.get("/login").text  # a page links its assets by the whole route list
    assert client.put("/login").status_code == 405
    missing = client.get("/courses/7/nowhere")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    api_missing = client.get("/api/v1/nowhere", headers={"Authorization": "Bearer x"})
    assert api_missing.status_code in (401, 404)
    assert api_missing.headers["content-type"].startswith("application/json")
