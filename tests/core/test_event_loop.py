"""No route blocks the event loop: an `async def` endpoint runs in the loop itself, so one that parses a spreadsheet
or calls the synchronous database stops every other request of its worker until it is done. Endpoints are plain
`def` (FastAPI runs them in the thread pool); the only async ones stream an upload to disk and hand every database
call to the thread pool, and are listed here with that reason."""
from __future__ import annotations

import ast
import inspect
import textwrap

from fastapi.routing import APIRoute, iter_route_contexts

from app.db import Route
from app.main import create_app

# Streaming uploads: the body is received chunk by chunk in the loop (app.materials.present.receive); the saving, the
# database and the error page run in the thread pool (run_in_threadpool), as the check below verifies.
STREAMING = {"app.materials.pages.upload_to_course", "app.materials.pages.upload_to_curriculum",
             "app.materials.pages.replace", "app.materials.api.upload", "app.materials.api.replace"}


def _api_routes() -> list[APIRoute]:
    """Every API route of the app however it is held (flat, or inside an included router's node, where a walk of
    `app.routes` alone found nothing and every test here passed without looking at a single route)."""
    routes = [context.original_route for context in iter_route_contexts(create_app().routes)]
    found = [route for route in routes if isinstance(route, APIRoute)]
    assert len(found) > 300, f"only {len(found)} routes found: the walk no longer reaches the app's routes"
    return found


def _name(route: APIRoute) -> str:
    return f"{route.endpoint.__module__}.{route.endpoint.__name__}"


def _async_endpoints() -> dict[str, object]:
    return {_name(route): route.endpoint for route in _api_routes() if inspect.iscoroutinefunction(route.endpoint)}


def test_only_streaming_uploads_are_async_endpoints():
    assert set(_async_endpoints()) <= STREAMING


def test_the_async_endpoints_touch_the_database_only_through_the_thread_pool():
    for name, fn in _async_endpoints().items():
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
        handed: set[int] = set()
        for node in ast.walk(tree):  # `db` as an argument of run_in_threadpool(...) or partial(...) is handed over
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("run_in_threadpool", "partial"):
                handed |= {id(a) for a in node.args}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "db":
                raise AssertionError(f"{name} calls db.{node.attr} in the event loop")
            if isinstance(node, ast.Call):
                for arg in node.args:
                    if isinstance(arg, ast.Name) and arg.id == "db" and id(arg) not in handed:
                        raise AssertionError(f"{name} passes db to {ast.unparse(node.func)} in the event loop")


def test_every_route_commits_its_session_in_its_own_thread():
    """Every router is made with `route_class=app.db.Route`, so that no synchronous endpoint's answer waits for a
    worker thread while its session holds a pooled connection (tests/reliability/test_scale.py has the burst that
    stood still without it)."""
    plain = sorted(_name(route) for route in _api_routes() if not isinstance(route, Route))
    assert plain == []
