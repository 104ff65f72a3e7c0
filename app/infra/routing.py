"""Finding a request's route without trying the other three hundred first.

FastAPI (0.137 and later) keeps each `include_router` as a node that it walks, in Python, on every request: a request
for a route near the end of the list tried every route before it, twice, and a miss tried all of them. Measured on
this app (347 routes, 43 routers) that was 1.2 ms of CPU for a request answered 404 and about as much for a
registration, more than the request's own work (bench/README.md, "What a request costs before its own work").

So the app holds its routes flat, as if each were declared on the app (`include_flat`: the routers are made with
their prefix and `route_class`, and included with nothing added, so each route is already complete), and
`RouteIndex` narrows the candidates by the literal segments a route's path starts with: a request for
`/api/v1/courses/7/enrolments` tries only the routes that begin `/api/v1/courses/…`, `/api/v1/…`, `/api/…` or with a
parameter, in their declared order, through an `APIRouter` of its own. No route outside that set can match the path
(a parameter never spans a `/`, and a route's path is matched whole), so the first full match, a 405 for a path
matched with the wrong method, and everything FastAPI does around the chosen route are what they were. A path no
candidate matches goes through the whole list as before (the trailing-slash redirect, the 404).
"""
from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

Key = tuple[str, ...]


def include_flat(app: FastAPI, routers: list[APIRouter]) -> None:
    """Add every route of `routers` to the app itself, in order (what `include_router` without arguments means)."""
    for router in routers:
        assert not router.on_startup and not router.on_shutdown, "a router's start-up needs app.include_router"
        app.router.routes.extend(router.routes)


def literal_prefix(route: BaseRoute) -> Key:
    """The segments a route's path starts with before its first parameter (`/static` for the static files' mount)."""
    path = getattr(route, "path", None)
    if not isinstance(path, str) or not path.startswith("/"):
        return ()
    segments: list[str] = []
    for segment in path[1:].split("/"):
        if "{" in segment:
            break
        segments.append(segment)
    return tuple(segments)


class RouteIndex:
    """The app router's dispatch (its `middleware_stack`), narrowed by the routes' literal prefixes; see the module."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.full = router.app  # the whole list, in order: what a path no candidate matches goes through
        self.indexed = -1
        self.by_prefix: dict[Key, list[tuple[int, BaseRoute]]] = {}
        self.depth = 0
        self.buckets: dict[tuple[Key, ...], APIRouter] = {}

    def _build(self) -> None:
        by_prefix: dict[Key, list[tuple[int, BaseRoute]]] = {}
        for n, route in enumerate(self.router.routes):
            by_prefix.setdefault(literal_prefix(route), []).append((n, route))
        self.by_prefix = by_prefix
        self.depth = max((len(k) for k in by_prefix), default=0)
        self.buckets = {}
        self.indexed = len(self.router.routes)

    def candidates(self, path: str) -> tuple[Key, ...]:
        """The literal prefixes under which a route could match `path` (a path of the app, starting with `/`)."""
        segments = path[1:].split("/")
        by_prefix = self.by_prefix
        return tuple(key for k in range(min(len(segments), self.depth) + 1)
                     if (key := tuple(segments[:k])) in by_prefix)

    def bucket(self, path: str) -> APIRouter:
        """The routes that could match `path`, in declared order, as a router that falls back to the whole list."""
        if self.indexed != len(self.router.routes):
            self._build()
        keys = self.candidates(path)
        bucket = self.buckets.get(keys)
        if bucket is None:
            routes = sorted((entry for key in keys for entry in self.by_prefix[key]), key=lambda entry: entry[0])
            bucket = APIRouter(routes=[route for _, route in routes], redirect_slashes=False, default=self.full)
            self.buckets[keys] = bucket
        return bucket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or scope.get("root_path") or not path.startswith("/"):
            await self.full(scope, receive, send)
            return
        scope.setdefault("router", self.router)  # url_for looks through every route, not the bucket's
        await self.bucket(path).app(scope, receive, send)


def install(app: FastAPI) -> RouteIndex:
    index = RouteIndex(app.router)
    app.router.middleware_stack = index
    return index
