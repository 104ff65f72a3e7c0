"""Every route declares who may call it through the one permission mechanism; public routes are a short list."""
from __future__ import annotations

from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount

from app.auth.permissions import Permission
from app.main import create_app
from app.web import PostedForm, PostedJson

# Public on purpose, each for a reason. Add to this list only with a reason.
PUBLIC = {
    ("GET", "/healthz"),  # monitoring
    ("GET", "/openapi.json"),  # the API's schema (contract)
    ("GET", "/docs"),  # its browsable documentation (contract)
    ("GET", "/"),  # redirects to sign-in or the dashboard
    ("GET", "/login"), ("POST", "/login"),  # sign-in
    ("POST", "/api/v1/auth/token"),  # OAuth2 password flow
    ("POST", "/lang"),  # the language switch on the sign-in page
    ("GET", "/signup"), ("POST", "/signup"),  # trainee self sign-up; an organiser confirms the record
    ("GET", "/claim"), ("POST", "/claim"),  # an official on record claims their account with a one-time code
    ("GET", "/check-in/{code}"),  # the QR scan: its moment is signed onto the phone before the sign-in (attendance)
}
PUBLIC_PREFIXES = ("/verify/",  # certificate verification from the QR code
                   "/ical/")  # calendar feeds: calendar apps cannot sign in, the unguessable token is the credential
PUBLIC_MOUNTS = {"/static"}


def permissions_of(dependant) -> list[Permission]:  # noqa: ANN001
    found = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, Permission):
            found.append(dep.call)
        found.extend(permissions_of(dep))
    return found


def test_every_route_declares_a_permission():
    app = create_app()
    undeclared, public, checked = [], set(), set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            assert route.path in PUBLIC_MOUNTS, f"unexpected mount {route.path}"
            continue
        assert isinstance(route, APIRoute), f"{route!r} is not an APIRoute: it cannot declare a permission"
        perms = permissions_of(route.dependant)
        for method in context.methods - {"HEAD"}:
            if not perms:
                undeclared.append(f"{method} {context.path}")
            elif any(p.is_public for p in perms):
                public.add((method, context.path))
            checked.add((method, context.path))
    assert ("GET", "/api/v1/units/{key}") in checked  # the walk reaches routes inside included routers
    assert not undeclared, f"routes without a declared permission: {undeclared}"
    unexpected = {r for r in public if r not in PUBLIC and not r[1].startswith(PUBLIC_PREFIXES)}
    assert not unexpected, f"public routes not in the explicit list: {sorted(unexpected)}"


def test_a_route_without_permission_would_be_caught():
    app = create_app()

    @app.get("/forgotten")
    def forgotten() -> dict:
        return {}

    context = next(c for c in iter_route_contexts(app.routes) if c.path == "/forgotten")
    assert permissions_of(context.original_route.dependant) == []


def _solved(dependant) -> list:  # noqa: ANN001
    """A route's dependencies in the order FastAPI solves them: each one's own dependencies first."""
    order = []
    for dep in dependant.dependencies:
        order += [*_solved(dep), dep.call]
    return order


def test_a_posted_body_is_read_only_after_the_permission():
    """`PostedForm` and `PostedJson` read the body: declared before the permission, they would make the server receive
    and parse a stranger's upload before refusing them (app.auth.permissions checks CSRF after the role for this)."""
    readers, early, seen = {marked.__metadata__[0].dependency for marked in (PostedForm, PostedJson)}, [], 0
    for context in iter_route_contexts(create_app().routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        order = _solved(route.dependant)
        for i, call in enumerate(order):
            if call in readers:
                seen += 1
                if not any(isinstance(c, Permission) for c in order[:i]):
                    early.append(f"{route.endpoint.__module__}.{route.endpoint.__name__}")
    assert seen > 10  # the walk reaches the routes that read a posted body
    assert early == []
